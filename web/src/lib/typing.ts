/** "X is typing…": when to tell others, and whom to show. */

/** Tell others at most this often while the user keeps typing. */
export const TYPING_INTERVAL_MS = 2000;
const TYPING_LIFETIME_MS = 5000;

export function shouldAnnounceTyping(lastAnnouncedAt: number | undefined, now: number): boolean {
  return lastAnnouncedAt === undefined || now - lastAnnouncedAt >= TYPING_INTERVAL_MS;
}

/**
 * When to stop showing a typing notice, on this clock: the event's `expires_at`,
 * unless the two clocks disagree so much that it would vanish at once or linger.
 */
export function typingExpiry(expiresAt: string, now: number): number {
  const expiry = Date.parse(expiresAt);
  if (Number.isNaN(expiry) || expiry <= now || expiry > now + TYPING_LIFETIME_MS + 1000) {
    return now + TYPING_LIFETIME_MS;
  }
  return expiry;
}

/** Who is still typing at `now`, by name. */
export function activeTypers(typers: Readonly<Record<string, number>> | undefined, now: number): string[] {
  if (!typers) return [];
  return Object.entries(typers)
    .filter(([, expiry]) => expiry > now)
    .map(([name]) => name)
    .sort();
}

export function typingLabel(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
