/** A chat's messages as the client holds them: ascending by seq, each once. */

import type { Message } from "../protocol";

/**
 * `held` plus whatever in `incoming` is new, ascending by seq.
 * A message already held (same seq) takes the incoming copy's state when it differs: pages
 * and events carry each message's current text, reactions and thread. Returns `held` itself
 * when nothing changed, so React can skip a render.
 */
export function mergeMessages(held: readonly Message[], incoming: readonly Message[]): readonly Message[] {
  const current = updated(held, incoming);
  const seqs = new Set(current.map((m) => m.seq));
  const ids = new Set(current.map((m) => m.id));
  const added: Message[] = [];
  for (const message of incoming) {
    if (seqs.has(message.seq) || ids.has(message.id)) continue;
    seqs.add(message.seq);
    ids.add(message.id);
    added.push(message);
  }
  if (added.length === 0) return current;
  const last = current.at(-1);
  added.sort((a, b) => a.seq - b.seq);
  if (!last || (added[0] as Message).seq > last.seq) return [...current, ...added];
  return [...current, ...added].sort((a, b) => a.seq - b.seq);
}

/** `held` with the messages whose state `incoming` changes replaced; `held` itself when none. */
function updated(held: readonly Message[], incoming: readonly Message[]): readonly Message[] {
  if (held.length === 0 || incoming.length === 0) return held;
  const bySeq = new Map(incoming.map((m) => [m.seq, m]));
  let changed = false;
  const next = held.map((message) => {
    const fresh = bySeq.get(message.seq);
    if (!fresh || fresh.id !== message.id || sameState(message, fresh)) return message;
    changed = true;
    return fresh;
  });
  return changed ? next : held;
}

/** Whether two copies of a message show the same: text, edit, deletion, reactions, thread. */
export function sameState(a: Message, b: Message): boolean {
  return (
    a.text === b.text &&
    a.edited_at === b.edited_at &&
    a.deleted === b.deleted &&
    a.thread?.count === b.thread?.count &&
    a.thread?.last_at === b.thread?.last_at &&
    JSON.stringify(a.reactions) === JSON.stringify(b.reactions) &&
    a.files.length === b.files.length
  );
}

/** The messages shown in the chat itself: thread replies show in their thread. */
export function inMainList(held: readonly Message[]): readonly Message[] {
  return held.some((m) => m.reply_to !== null) ? held.filter((m) => m.reply_to === null) : held;
}

/** The newest message `sender` can still edit (the Up arrow in an empty composer), or null. */
export function lastEditable(held: readonly Message[], sender: string): Message | null {
  for (let i = held.length - 1; i >= 0; i--) {
    const message = held[i] as Message;
    if (message.sender === sender && !message.deleted && message.reply_to === null) return message;
  }
  return null;
}

/** The newest seq held, 0 when none. */
export function newestSeq(held: readonly Message[]): number {
  return held.at(-1)?.seq ?? 0;
}

/**
 * Where to resume fetching so nothing is missing: the seq just before the first
 * hole in `held`, or the newest held when the chat is known to go further
 * (`lastSeq`); null when `held` is complete up to `lastSeq`.
 */
export function missingAfter(held: readonly Message[], lastSeq: number): number | null {
  for (let i = 1; i < held.length; i++) {
    const previous = held[i - 1] as Message;
    if ((held[i] as Message).seq !== previous.seq + 1) return previous.seq;
  }
  const newest = newestSeq(held);
  return lastSeq > newest ? newest : null;
}
