/**
 * Profiles: each username's `User`, asked for once when the screen first shows it (and the
 * user's own on every connect, for their role), found with `users:search`, the user's own
 * edited, and, for workspace admins, deactivated or reactivated.
 */

import type { User } from "../protocol";
import { withNotice } from "../lib/errors";
import type { Requester } from "./connection";
import type { SessionStore } from "./store";

export class People {
  private readonly asked = new Set<string>();

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
    this.asked.add(username);
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
