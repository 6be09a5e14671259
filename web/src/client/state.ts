/** Everything the chat screen shows, as one immutable value. */

import type { Chat, Message, Presence } from "../protocol";
import type { PendingMessage } from "../lib/pending";
import type { LastSeen } from "../lib/unread";

export type Connection = "connecting" | "online" | "offline";

/** The messages held for one chat. */
export interface ChatMessages {
  items: readonly Message[];
  /** The newest page has arrived; from then on the chat is kept complete up to its newest message. */
  loaded: boolean;
  /** Older messages exist on the server. */
  hasOlder: boolean;
  /** The server no longer keeps the messages before the oldest one held (retention limits). */
  olderGone: boolean;
  loadingOlder: boolean;
  error: string | null;
}

export interface ChatState {
  me: string;
  connection: Connection;
  /** Whether the socket was ever connected: before that the banner says "connecting". */
  everConnected: boolean;
  chats: Readonly<Record<string, Chat>>;
  chatsLoaded: boolean;
  messages: Readonly<Record<string, ChatMessages>>;
  pending: readonly PendingMessage[];
  presence: Readonly<Record<string, Presence>>;
  /** The presence list is not live: cut off since, or not yet listed after, the last connect. */
  presenceStale: boolean;
  /** chat id -> username -> when their notice expires (ms, this clock). */
  typing: Readonly<Record<string, Readonly<Record<string, number>>>>;
  lastSeen: LastSeen;
  activeChatId: string | null;
  /** The latest failure to tell the user about, with an id so the same text can be shown twice. */
  notice: { id: number; text: string } | null;
}

export const EMPTY_MESSAGES: ChatMessages = {
  items: [],
  loaded: false,
  hasOlder: false,
  olderGone: false,
  loadingOlder: false,
  error: null,
};

export function initialState(me: string, lastSeen: LastSeen, activeChatId: string | null): ChatState {
  return {
    me,
    connection: "connecting",
    everConnected: false,
    chats: {},
    chatsLoaded: false,
    messages: {},
    pending: [],
    presence: {},
    presenceStale: true,
    typing: {},
    lastSeen,
    activeChatId,
    notice: null,
  };
}

/** Chats the user is in, then public ones they could join; each group by name. */
export function sortedChats(state: ChatState): { mine: Chat[]; others: Chat[] } {
  const byName = (a: Chat, b: Chat): number => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
  const all = Object.values(state.chats);
  return {
    mine: all.filter((c) => c.members.includes(state.me)).sort(byName),
    others: all.filter((c) => !c.members.includes(state.me)).sort(byName),
  };
}
