/** The logged-in user's token, kept for this tab only (sessionStorage). */

export interface Session {
  token: string;
  username: string;
}

const KEY = "chatbus.session";

export function loadSession(storage: Storage = sessionStorage): Session | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const value: unknown = JSON.parse(raw);
    if (
      typeof value === "object" &&
      value !== null &&
      typeof (value as Session).token === "string" &&
      typeof (value as Session).username === "string"
    ) {
      return { token: (value as Session).token, username: (value as Session).username };
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

export function saveSession(session: Session, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}
