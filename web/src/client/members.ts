/**
 * The members panel's list: one chat's members by username, a page at a time, kept
 * current by `member` events.
 *
 * Events can arrive while a page is on its way and out of order between themselves, so the
 * newest action seen for each username is kept and laid over every page that arrives.
 */

import type { Member, MemberEvent, MemberPage } from "../protocol";

/** Usernames whose newest action is remembered; beyond it the oldest are forgotten. */
export const MAX_REMEMBERED_CHANGES = 500;

export interface MemberChange {
  joined: boolean;
  revision: number;
}

export interface MemberList {
  chatId: string;
  /** By username, as the server pages them. */
  members: readonly Member[];
  /** Members after the last one remain: ask with `after` = its username. */
  more: boolean;
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** The newest `member` event seen for each username, in the order they were seen. */
  changes: Readonly<Record<string, MemberChange>>;
}

/** A list about to be asked for its first page. */
export function membersOf(chatId: string): MemberList {
  return { chatId, members: [], more: false, loaded: false, loading: true, error: null, changes: {} };
}

/** A page arrived: added after the members shown, with the changes seen laid over it. */
export function memberPageArrived(list: MemberList, page: MemberPage, owner: string): MemberList {
  const names = new Set(list.members.map((m) => m.username));
  const members = [...list.members, ...page.members.filter((m) => !names.has(m.username))];
  return overlay({ ...list, members, more: page.more, loaded: true, loading: false, error: null }, owner);
}

export function memberPageFailed(list: MemberList, error: string): MemberList {
  return { ...list, loading: false, error };
}

/** Someone joined, left or was removed: the list follows, unless an newer event was seen. */
export function memberListChanged(list: MemberList, event: MemberEvent, owner: string): MemberList {
  if (event.chat_id !== list.chatId) return list;
  const seen = list.changes[event.username];
  if (seen && seen.revision >= event.revision) return list;
  const { [event.username]: _old, ...others } = list.changes;
  const names = Object.keys(others);
  const kept =
    names.length >= MAX_REMEMBERED_CHANGES
      ? Object.fromEntries(names.slice(names.length - MAX_REMEMBERED_CHANGES + 1).map((n) => [n, others[n]!]))
      : others;
  const changes = { ...kept, [event.username]: { joined: event.action === "joined", revision: event.revision } };
  return overlay({ ...list, changes }, owner);
}

/**
 * The members shown, made to agree with the newest change seen for each username: a joiner is
 * added where the pages shown reach their name (later pages bring the others), a leaver goes.
 */
function overlay(list: MemberList, owner: string): MemberList {
  if (!list.loaded) return list;
  const last = list.members[list.members.length - 1]?.username;
  const reached = (name: string): boolean => !list.more || (last !== undefined && name < last);
  const shown = new Set(list.members.map((m) => m.username));
  let changed = false;
  const members = list.members.filter((m) => {
    const keep = list.changes[m.username]?.joined !== false;
    changed ||= !keep;
    return keep;
  });
  for (const [username, change] of Object.entries(list.changes)) {
    if (!change.joined || shown.has(username) || !reached(username)) continue;
    members.push({ username, role: username === owner ? "owner" : "member", joined_at: new Date().toISOString() });
    changed = true;
  }
  if (!changed) return list;
  members.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  return { ...list, members };
}
