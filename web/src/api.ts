/** The two HTTP calls: create an account, and exchange credentials for a token. */

import type { Session } from "./lib/session";

export class AuthError extends Error {}

async function post(path: string, body: unknown): Promise<Response> {
  try {
    return await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new AuthError("Cannot reach the server. Check your connection and try again.");
  }
}

const USERNAME = /^[a-z0-9][a-z0-9_-]{1,31}$/;

/** Why a username or password cannot be registered, or null when both look fine. */
export function registrationProblem(username: string, password: string): string | null {
  if (!USERNAME.test(username)) {
    return "Usernames are 2 to 32 characters: lowercase letters, digits, - and _, starting with a letter or digit.";
  }
  if (password.length < 8) return "Passwords need at least 8 characters.";
  if (password.length > 256) return "Passwords can have at most 256 characters.";
  return null;
}

export async function register(username: string, password: string): Promise<void> {
  const problem = registrationProblem(username, password);
  if (problem) throw new AuthError(problem);
  const response = await post("/api/register", { username, password });
  if (response.status === 201) return;
  if (response.status === 409) throw new AuthError("That username is already taken.");
  if (response.status === 422) throw new AuthError("That username or password is not allowed.");
  throw new AuthError("Registration failed. Please try again in a moment.");
}

export async function login(username: string, password: string): Promise<Session> {
  if (!username || !password) throw new AuthError("Enter your username and password.");
  const response = await post("/api/login", { username, password });
  if (response.ok) {
    const body = (await response.json()) as Session;
    return { token: body.token, username: body.username };
  }
  if (response.status === 401 || response.status === 422) {
    throw new AuthError("Wrong username or password.");
  }
  throw new AuthError("Login failed. Please try again in a moment.");
}
