/** Failures in plain words, for people rather than programs. */

import type { ErrorCode, ErrorDetail } from "../protocol";

/** A failed request: the server's error envelope, or one the client made up (offline, timeout). */
export class RequestError extends Error {
  readonly code: ErrorCode | "timeout" | "offline";

  constructor(code: ErrorCode | "timeout" | "offline", message: string) {
    super(message);
    this.code = code;
  }
}

/** What the server says, reworded where we know a better way to say it. */
const KNOWN: Record<string, string> = {
  "join the chat before posting in it": "You are not a member of this chat. Join it to post.",
  "join the chat before typing in it": "You are not a member of this chat.",
  "only members can invite": "Only members of this chat can invite people.",
  "this chat is private": "This chat is private. Only its members can see it.",
  "this chat is private; ask a member to invite you": "This chat is private. Ask a member to invite you.",
  "no such chat": "This chat does not exist any more.",
  "that username is taken": "That username is already taken.",
  "that username is reserved": "That username is reserved. Please pick another one.",
};

const BY_CODE: Record<ErrorCode | "timeout" | "offline", string> = {
  invalid: "That didn't look right. Please check and try again.",
  unauthorized: "Your session has ended. Please log in again.",
  forbidden: "You are not allowed to do that here.",
  not_found: "That could not be found.",
  conflict: "That clashes with something that already exists.",
  rate_limited: "Slow down a little and try again in a moment.",
  too_large: "That is too long.",
  unavailable: "The chat service is not reachable right now. Please try again.",
  internal: "Something went wrong on our side. Please try again.",
  timeout: "The server took too long to answer. Please try again.",
  offline: "You are offline. Try again once the connection is back.",
};

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** One readable sentence for an error from an acknowledgement or from the client itself. */
export function describeError(error: ErrorDetail | RequestError | { code: string; message?: string }): string {
  const message = (error.message ?? "").trim();
  const known = KNOWN[message.toLowerCase()];
  if (known) return known;
  if (/^no user named /i.test(message)) return `There is no user named ${message.slice(14).trim()}.`;
  const code = error.code as keyof typeof BY_CODE;
  if ((code === "not_found" || code === "conflict" || code === "forbidden") && message) {
    return sentence(message);
  }
  return BY_CODE[code] ?? (message ? sentence(message) : BY_CODE.internal);
}

/** What went wrong with a request, in plain words; anything but a RequestError is ours. */
export function explainFailure(error: unknown): string {
  return describeError(error instanceof RequestError ? error : { code: "internal" });
}

/** Runs a user's action; a failure is told through `notify`, in plain words, and gives null. */
export async function withNotice<T>(action: () => Promise<T>, notify: (text: string) => void): Promise<T | null> {
  try {
    return await action();
  } catch (error) {
    notify(explainFailure(error));
    return null;
  }
}
