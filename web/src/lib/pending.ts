/** Messages the user sent that the server has not acknowledged yet. */

import type { Message } from "../protocol";

export interface PendingMessage {
  /** Sent with every attempt, so the server stores the message once however often it arrives. */
  clientId: string;
  chatId: string;
  text: string;
  /** The newest seq the chat had when the user pressed send: the stored copy comes after it. */
  afterSeq: number;
  /** Why the server refused it; a refused message is not sent again by itself. */
  error: string | null;
}

/** A random id for a new message; crypto.randomUUID needs a secure context, so fall back. */
export function newClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The pending messages to (re)send now, oldest first: not refused and not already on their way. */
export function toSend(pending: readonly PendingMessage[], inFlight: ReadonlySet<string>): PendingMessage[] {
  return pending.filter((p) => p.error === null && !inFlight.has(p.clientId));
}

/** `pending` without the message the server acknowledged. */
export function settle(pending: readonly PendingMessage[], clientId: string): PendingMessage[] {
  return pending.filter((p) => p.clientId !== clientId);
}

/** `pending` with one message marked as refused, or ready to go again (error null). */
export function markRefused(
  pending: readonly PendingMessage[],
  clientId: string,
  error: string | null,
): PendingMessage[] {
  return pending.map((p) => (p.clientId === clientId ? { ...p, error } : p));
}

/**
 * The pending messages of a chat that should still be drawn as pending.
 * The server announces our own message (`message` event) before or after it
 * acknowledges it; a stored message of ours with the same text that came after
 * the pending one was typed stands in for it, one for one, so it never shows twice.
 */
export function visiblePending(
  pending: readonly PendingMessage[],
  chatId: string,
  held: readonly Message[],
  me: string,
): PendingMessage[] {
  const used = new Set<number>();
  const visible: PendingMessage[] = [];
  for (const p of pending) {
    if (p.chatId !== chatId) continue;
    const stored = held.find(
      (m) => m.sender === me && m.seq > p.afterSeq && m.text === p.text && !used.has(m.seq),
    );
    if (stored) used.add(stored.seq);
    else visible.push(p);
  }
  return visible;
}

const key = (username: string): string => `chatbus.pending.${username}`;

/** Unacknowledged messages survive a reload of the tab (sessionStorage); re-sent with the same client_id. */
export function savePending(username: string, pending: readonly PendingMessage[], storage: Storage = sessionStorage): void {
  try {
    if (pending.length === 0) storage.removeItem(key(username));
    else storage.setItem(key(username), JSON.stringify(pending));
  } catch {
    // Storage full or disabled: they still go out while this page lives.
  }
}

export function loadPending(username: string, storage: Storage = sessionStorage): PendingMessage[] {
  try {
    const value: unknown = JSON.parse(storage.getItem(key(username)) ?? "[]");
    if (!Array.isArray(value)) return [];
    return (value as unknown[]).filter(isPendingMessage);
  } catch {
    return [];
  }
}

/** Whether a value read back from storage is a pending message (storage may hold anything). */
function isPendingMessage(value: unknown): value is PendingMessage {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.clientId === "string" &&
    typeof p.chatId === "string" &&
    typeof p.text === "string" &&
    typeof p.afterSeq === "number" &&
    (p.error === null || typeof p.error === "string")
  );
}
