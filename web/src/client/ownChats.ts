/**
 * The user's own chats, the sidebar's list: which chats the user is a member of, and the
 * freshest copy held of each.
 *
 * Facts arrive out of order and from several places (chats:list, the acks of the user's own
 * join and leave, `member` and `chat` events, chats:get), so every fact about the user's
 * membership carries the chat revision it is true at, and only a newer one replaces it.
 * A `chat` event says nothing about membership: it goes to a user who was just added or just
 * removed alike, and to everyone when a public channel is created, so it only refreshes a chat
 * already held.
 */

import type { Chat, MemberEvent } from "../protocol";

/** What the client knows of the user's membership of one chat. */
export interface Membership {
  member: boolean;
  /** The chat revision this is true at. */
  revision: number;
  /** When it was learned, on the `learned` counter of `OwnChats`. */
  learned: number;
}

export interface OwnChats {
  /** The user's own chats by id: the sidebar. */
  chats: Readonly<Record<string, Chat>>;
  memberships: Readonly<Record<string, Membership>>;
  /** The revision of a `member` event whose member_count is newer than its chat's copy. */
  memberCountRevisions: Readonly<Record<string, number>>;
  /** Counts membership facts learned, to tell those that came while a chats:list was asked. */
  learned: number;
}

export const NO_CHATS: OwnChats = { chats: {}, memberships: {}, memberCountRevisions: {}, learned: 0 };

export function isMember(own: OwnChats, chatId: string): boolean {
  return own.memberships[chatId]?.member === true;
}

/** A member of the chat without a copy of it yet: the copy has to be asked for (chats:get). */
export function needsCopy(own: OwnChats, chatId: string): boolean {
  return isMember(own, chatId) && own.chats[chatId] === undefined;
}

/**
 * The answer to a chats:list asked when the counter stood at `askedAt`. The list is the
 * user's chats at one moment: it replaces what was known before it was asked, but not the
 * newer facts that arrived while it was on its way (a join in another tab, a kick).
 */
export function listed<S extends OwnChats>(own: S, list: readonly Chat[], askedAt: number): S {
  const chats: Record<string, Chat> = {};
  const memberships: Record<string, Membership> = {};
  const counts: Record<string, number> = {};
  const inList = new Set(list.map((chat) => chat.id));
  for (const [chatId, known] of Object.entries(own.memberships)) {
    if (inList.has(chatId) || known.learned <= askedAt) continue; // the list is newer
    memberships[chatId] = known;
    const held = own.chats[chatId];
    if (held) chats[chatId] = held;
    const count = own.memberCountRevisions[chatId];
    if (count !== undefined) counts[chatId] = count;
  }
  for (const chat of list) {
    const known = own.memberships[chat.id];
    if (known && known.revision > chat.revision) {
      memberships[chat.id] = known; // learned after the list was made, whichever way
      if (!known.member) continue;
    } else {
      memberships[chat.id] = { member: true, revision: chat.revision, learned: known?.learned ?? own.learned };
    }
    chats[chat.id] = freshest(chat, own.chats[chat.id], own.memberCountRevisions[chat.id]);
    const count = own.memberCountRevisions[chat.id];
    if (count !== undefined && count > chats[chat.id]!.revision) counts[chat.id] = count;
  }
  return { ...own, chats, memberships, memberCountRevisions: counts };
}

/** A copy of a chat (an event, an ack, chats:get): kept if the user is a member and it is newer. */
export function chatReceived<S extends OwnChats>(own: S, chat: Chat): S {
  if (!isMember(own, chat.id)) return own;
  const held = own.chats[chat.id];
  const countRevision = own.memberCountRevisions[chat.id];
  const next = freshest(chat, held, countRevision);
  if (next === held) return own;
  const memberCountRevisions =
    countRevision !== undefined && countRevision <= next.revision
      ? without(own.memberCountRevisions, chat.id)
      : own.memberCountRevisions;
  return { ...own, chats: { ...own.chats, [chat.id]: next }, memberCountRevisions };
}

/** The user is a member of `chat` at its revision (their own join, create or invite ack). */
export function joined<S extends OwnChats>(own: S, chat: Chat): S {
  return chatReceived(learn(own, chat.id, true, chat.revision), chat);
}

/** The user is no longer a member of the chat from `revision` on (their own leave ack). */
export function left<S extends OwnChats>(own: S, chatId: string, revision: number): S {
  return learn(own, chatId, false, revision);
}

/** Someone joined, left or was removed: the user themself changes the list; anyone, the count. */
export function memberChanged<S extends OwnChats>(own: S, event: MemberEvent, me: string): S {
  const next = event.username === me ? learn(own, event.chat_id, event.action === "joined", event.revision) : own;
  const held = next.chats[event.chat_id];
  if (!held) return next;
  const newest = Math.max(held.revision, next.memberCountRevisions[event.chat_id] ?? 0);
  if (event.revision <= newest) return next;
  return {
    ...next,
    chats: { ...next.chats, [event.chat_id]: { ...held, member_count: event.member_count } },
    memberCountRevisions: { ...next.memberCountRevisions, [event.chat_id]: event.revision },
  };
}

/** Record a membership fact if it is newer than the one held; a chat left loses its copy. */
function learn<S extends OwnChats>(own: S, chatId: string, member: boolean, revision: number): S {
  const known = own.memberships[chatId];
  if (known && known.revision >= revision) return own;
  const learned = own.learned + 1;
  const memberships = { ...own.memberships, [chatId]: { member, revision, learned } };
  if (member) return { ...own, memberships, learned };
  return {
    ...own,
    memberships,
    learned,
    chats: without(own.chats, chatId),
    memberCountRevisions: without(own.memberCountRevisions, chatId),
  };
}

/**
 * The newer of two copies of a chat (the higher revision wins), never behind on the newest
 * seq either knows, and keeping a member count that a newer `member` event gave the held one.
 */
export function freshest(chat: Chat, held: Chat | undefined, countRevision?: number): Chat {
  if (!held) return chat;
  const newer = held.revision >= chat.revision ? held : chat;
  const lastSeq = Math.max(held.last_seq, chat.last_seq);
  const memberCount = countRevision !== undefined && countRevision > newer.revision ? held.member_count : newer.member_count;
  if (newer.last_seq === lastSeq && newer.member_count === memberCount) return newer;
  return { ...newer, last_seq: lastSeq, member_count: memberCount };
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!(key in record)) return record;
  const { [key]: _gone, ...rest } = record;
  return rest;
}
