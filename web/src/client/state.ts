/** Everything the chat screen shows, as one immutable value. */

import type { Chat, Message, Presence } from "../protocol";
import type { PendingMessage } from "../lib/pending";
import type { LastSeen } from "../lib/unread";
import { byName, type BrowseResults } from "./browse";
import type { MemberList } from "./members";
import { NO_CHATS, type OwnChats } from "./ownChats";

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

/** `chats` (from OwnChats) are the user's own chats only: the sidebar. */
export interface ChatState extends OwnChats {
  me: string;
  connection: Connection;
  /** Whether the socket was ever connected: before that the banner says "connecting". */
  everConnected: boolean;
  chatsLoaded: boolean;
  /** The "Browse chats" view's results, while it is open. */
  browse: BrowseResults | null;
  /** The open members panel's list. */
  memberList: MemberList | null;
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
    ...NO_CHATS,
    chatsLoaded: false,
    browse: null,
    memberList: null,
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

/** The user's own chats, by name. */
export function sortedChats(state: ChatState): Chat[] {
  return Object.values(state.chats).sort(byName);
}

/** The state without a chat the user is no longer in: its messages, pending sends and panel go. */
export function withoutChat(state: ChatState, chatId: string): ChatState {
  const { [chatId]: _messages, ...messages } = state.messages;
  const { [chatId]: _typing, ...typing } = state.typing;
  return {
    ...state,
    messages,
    typing,
    pending: state.pending.filter((p) => p.chatId !== chatId),
    activeChatId: state.activeChatId === chatId ? null : state.activeChatId,
    memberList: state.memberList?.chatId === chatId ? null : state.memberList,
  };
}
