/** The `@` autocomplete of the composer: what is being typed, and the text once completed. */

import type { User } from "../protocol";

/** An `@word` being typed right before the caret. */
export interface MentionQuery {
  /** Where the `@` is. */
  start: number;
  /** What follows it, up to the caret. */
  query: string;
}

// An `@` at the start or after white space or an opening bracket, then a username's characters.
const TYPING_MENTION = /(^|[\s([{])@([a-z0-9_-]{0,32})$/i;

/** The mention typed before `caret` in `text`, or null when the caret is not after one. */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const match = TYPING_MENTION.exec(text.slice(0, caret));
  if (!match) return null;
  const query = (match[2] as string).toLowerCase();
  return { start: caret - query.length - 1, query };
}

/** `text` with the mention at `at` completed to `@username ` and the caret after it. */
export function complete(text: string, at: MentionQuery, caret: number, username: string): { text: string; caret: number } {
  const inserted = `@${username} `;
  const rest = text.slice(caret).replace(/^[a-z0-9_-]*/i, "").replace(/^ /, "");
  return { text: text.slice(0, at.start) + inserted + rest, caret: at.start + inserted.length };
}

/**
 * The candidates to offer, at most `limit`: the chat's members first, then the other users
 * found, each once, by username or display name prefix; the user themself not at all.
 */
export function candidates(
  query: string,
  members: readonly string[],
  found: readonly User[],
  profiles: Readonly<Record<string, User>>,
  me: string,
  limit = 8,
): string[] {
  const q = query.toLowerCase();
  const matches = (username: string): boolean => {
    const display = profiles[username]?.display_name.toLowerCase() ?? "";
    return username.startsWith(q) || display.startsWith(q) || display.split(/\s+/).some((word) => word.startsWith(q));
  };
  const seen = new Set<string>([me]);
  const out: string[] = [];
  for (const username of [...members.filter(matches), ...found.map((u) => u.username)]) {
    if (seen.has(username)) continue;
    seen.add(username);
    out.push(username);
    if (out.length >= limit) break;
  }
  return out;
}
