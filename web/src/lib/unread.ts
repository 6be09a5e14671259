/** Unread counts: a chat's newest seq against the newest seq the user has seen there. */

import type { Chat } from "../protocol";

export type LastSeen = Readonly<Record<string, number>>;

/** Messages in one of the user's chats after the newest they have seen there. */
export function unreadCount(chat: Chat, lastSeen: LastSeen): number {
  return Math.max(0, chat.last_seq - (lastSeen[chat.id] ?? 0));
}

/** `lastSeen` with `seq` seen in `chatId`; never goes backwards. Returns the same object when unchanged. */
export function markSeen(lastSeen: LastSeen, chatId: string, seq: number): LastSeen {
  if ((lastSeen[chatId] ?? 0) >= seq) return lastSeen;
  return { ...lastSeen, [chatId]: seq };
}

const key = (username: string): string => `chatbus.lastSeen.${username}`;

export function loadLastSeen(username: string, storage: Storage = localStorage): LastSeen {
  try {
    const value: unknown = JSON.parse(storage.getItem(key(username)) ?? "{}");
    if (typeof value !== "object" || value === null) return {};
    const seen: Record<string, number> = {};
    for (const [chatId, seq] of Object.entries(value)) {
      if (typeof seq === "number" && Number.isFinite(seq)) seen[chatId] = seq;
    }
    return seen;
  } catch {
    return {};
  }
}

export function saveLastSeen(username: string, lastSeen: LastSeen, storage: Storage = localStorage): void {
  try {
    storage.setItem(key(username), JSON.stringify(lastSeen));
  } catch {
    // Storage full or disabled: counts reset on the next load, nothing worse.
  }
}
