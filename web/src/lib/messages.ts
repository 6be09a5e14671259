/** A chat's messages as the client holds them: ascending by seq, each once. */

import type { Message } from "../protocol";

/**
 * `held` plus whatever in `incoming` is new, ascending by seq.
 * A message already held (same seq or same id) is kept as it is; returns `held`
 * itself when nothing changed, so React can skip a render.
 */
export function mergeMessages(held: readonly Message[], incoming: readonly Message[]): readonly Message[] {
  const seqs = new Set(held.map((m) => m.seq));
  const ids = new Set(held.map((m) => m.id));
  const added: Message[] = [];
  for (const message of incoming) {
    if (seqs.has(message.seq) || ids.has(message.id)) continue;
    seqs.add(message.seq);
    ids.add(message.id);
    added.push(message);
  }
  if (added.length === 0) return held;
  const last = held.at(-1);
  added.sort((a, b) => a.seq - b.seq);
  if (!last || (added[0] as Message).seq > last.seq) return [...held, ...added];
  return [...held, ...added].sort((a, b) => a.seq - b.seq);
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
