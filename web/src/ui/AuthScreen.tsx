import { useId, useState, type FormEvent } from "react";

import { AuthError, login, register } from "../api";
import type { Session } from "../lib/session";

interface Props {
  onLoggedIn: (session: Session) => void;
  notice: string | null;
}

function message(error: unknown): string {
  return error instanceof AuthError ? error.message : "Something went wrong. Please try again.";
}

export function AuthScreen({ onLoggedIn, notice }: Props) {
  const id = useId();
  const [loginName, setLoginName] = useState("");
  const [loginPassword, setLoginPassword] = useState("");
  const [loginError, setLoginError] = useState<string | null>(null);
  const [registerName, setRegisterName] = useState("");
  const [registerPassword, setRegisterPassword] = useState("");
  const [registerError, setRegisterError] = useState<string | null>(null);
  const [registered, setRegistered] = useState<string | null>(null);
  const [busy, setBusy] = useState<"login" | "register" | null>(null);

  async function submitLogin(event: FormEvent) {
    event.preventDefault();
    setBusy("login");
    setLoginError(null);
    try {
      onLoggedIn(await login(loginName.trim().toLowerCase(), loginPassword));
    } catch (error) {
      setLoginError(message(error));
      setBusy(null);
    }
  }

  async function submitRegister(event: FormEvent) {
    event.preventDefault();
    const username = registerName.trim().toLowerCase();
    setBusy("register");
    setRegisterError(null);
    setRegistered(null);
    try {
      await register(username, registerPassword);
      setRegistered(username);
      setLoginName(username);
      setLoginPassword("");
      setRegisterName("");
      setRegisterPassword("");
      document.getElementById(`${id}-login-password`)?.focus();
    } catch (error) {
      setRegisterError(message(error));
    } finally {
      setBusy(null);
    }
  }

  return (
    <main className="auth">
      <header className="auth-brand">
        <span className="logo" aria-hidden="true" />
        <h1>chatbus</h1>
        <p>Real-time chat for your team, your friends, and your bots.</p>
      </header>
      {notice && (
        <p className="auth-notice" role="status">
          {notice}
        </p>
      )}
      <div className="auth-forms">
        <form className="card" onSubmit={(event) => void submitLogin(event)} aria-labelledby={`${id}-login-title`} noValidate>
          <h2 id={`${id}-login-title`}>Log in</h2>
          {registered && (
            <p className="success" role="status" data-testid="register-success">
              Account {registered} created. Log in to start chatting.
            </p>
          )}
          <label htmlFor={`${id}-login-username`}>Username</label>
          <input
            id={`${id}-login-username`}
            data-testid="login-username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={loginName}
            onChange={(e) => setLoginName(e.target.value)}
            required
          />
          <label htmlFor={`${id}-login-password`}>Password</label>
          <input
            id={`${id}-login-password`}
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            value={loginPassword}
            onChange={(e) => setLoginPassword(e.target.value)}
            required
          />
          {loginError && (
            <p className="error" role="alert" data-testid="login-error">
              {loginError}
            </p>
          )}
          <button className="primary" type="submit" data-testid="login-submit" disabled={busy !== null}>
            {busy === "login" ? "Logging in…" : "Log in"}
          </button>
        </form>

        <form className="card" onSubmit={(event) => void submitRegister(event)} aria-labelledby={`${id}-register-title`} noValidate>
          <h2 id={`${id}-register-title`}>Create an account</h2>
          <label htmlFor={`${id}-register-username`}>Username</label>
          <input
            id={`${id}-register-username`}
            data-testid="register-username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            aria-describedby={`${id}-register-hint`}
            value={registerName}
            onChange={(e) => setRegisterName(e.target.value)}
            required
          />
          <p className="hint" id={`${id}-register-hint`}>
            2–32 characters: lowercase letters, digits, - and _.
          </p>
          <label htmlFor={`${id}-register-password`}>Password</label>
          <input
            id={`${id}-register-password`}
            data-testid="register-password"
            type="password"
            autoComplete="new-password"
            aria-describedby={`${id}-register-password-hint`}
            value={registerPassword}
            onChange={(e) => setRegisterPassword(e.target.value)}
            required
          />
          <p className="hint" id={`${id}-register-password-hint`}>
            At least 8 characters.
          </p>
          {registerError && (
            <p className="error" role="alert" data-testid="register-error">
              {registerError}
            </p>
          )}
          <button type="submit" data-testid="register-submit" disabled={busy !== null}>
            {busy === "register" ? "Creating…" : "Create account"}
          </button>
        </form>
      </div>
    </main>
  );
}
