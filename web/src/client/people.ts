/**
 * Profiles: each username's `User`, asked for once when the screen first shows it (and the
 * user's own on every connect, for their role), found with `users:search`, the user's own
 * edited, and, for workspace admins, deactivated or reactivated.
 *
 * No event announces a profile change, so a sender's profile is asked for again when they
 * post, at most once every SPOKE_REFRESH_MS: a new display name shows with their next message.
 */

import type { User } from "../protocol";
import { withNotice } from "../lib/errors";
import type { Requester } from "./connection";
import type { SessionStore } from "./store";

const SPOKE_REFRESH_MS = 2000;

export class People {
  /** username -> when its profile was last asked for (ms). */
  private readonly asked = new Map<string, number>();
  private readonly later = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly store: SessionStore,
    private readonly request: Requester,
  ) {}

  /** After a connect: the user's own profile again (a workspace admin may have been made). */
  refresh(): void {
    this.asked.clear();
    this.want(this.store.getState().me);
  }

  /** Ask for a profile not held yet; asked once until the next connect. */
  want(username: string): void {
    if (this.asked.has(username) || this.store.getState().users[username]) return;
    this.ask(username);
  }

  /** `username` posted a message: their profile again, or once SPOKE_REFRESH_MS has passed since it was asked for. */
  spoke(username: string): void {
    if (this.later.has(username)) return;
    const wait = (this.asked.get(username) ?? 0) + SPOKE_REFRESH_MS - Date.now();
    if (wait <= 0) {
      this.ask(username);
      return;
    }
    const timer = setTimeout(() => {
      this.later.delete(username);
      this.ask(username);
    }, wait);
    this.later.set(username, timer);
  }

  close(): void {
    for (const timer of this.later.values()) clearTimeout(timer);
    this.later.clear();
  }

  private ask(username: string): void {
    this.asked.set(username, Date.now());
    this.request("users:get", { username })
      .then((user) => this.held(user))
      .catch(() => this.asked.delete(username)); // offline, or no such user: asked again later
  }

  /** Users whose username or display name starts with `query`; none when it fails. */
  async search(query: string, limit = 8): Promise<User[]> {
    if (!query.trim()) return [];
    try {
      const users = await this.request("users:search", { query: query.trim(), limit });
      for (const user of users) this.held(user);
      return users;
    } catch {
      return [];
    }
  }

  /** Change the user's own display name and about text; true once stored. */
  async updateOwn(displayName: string, about: string): Promise<boolean> {
    const user = await this.act(() => this.request("users:update", { display_name: displayName, about }));
    if (user) this.held(user);
    return user !== null;
  }

  /** Deactivate (or reactivate) a user; workspace admins only. */
  async setDeactivated(username: string, deactivated: boolean): Promise<User | null> {
    const user = await this.act(() => this.request("users:deactivate", { username, deactivated }));
    if (user) this.held(user);
    return user;
  }

  private held(user: User): void {
    this.store.update((s) => (sameUser(s.users[user.username], user) ? s : { ...s, users: { ...s.users, [user.username]: user } }));
  }

  private act<T>(action: () => Promise<T>): Promise<T | null> {
    return withNotice(action, (text) => this.store.notify(text));
  }
}

function sameUser(a: User | undefined, b: User): boolean {
  return (
    a !== undefined &&
    a.display_name === b.display_name &&
    a.about === b.about &&
    a.role === b.role &&
    a.deactivated === b.deactivated
  );
}
