/** Everything the chat screen shows, as one immutable value. */

import type { Chat, Message, Presence, User } from "../protocol";
import type { PendingMessage } from "../lib/pending";
import type { ReadViews } from "../lib/readState";
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
  /** The user's read state, role and mute per chat, from the server. */
  reads: ReadViews;
  /** Profiles asked for so far, by username. */
  users: Readonly<Record<string, User>>;
  /** The open thread panel. */
  thread: ThreadView | null;
  activeChatId: string | null;
  /** The latest failure to tell the user about, with an id so the same text can be shown twice. */
  notice: { id: number; text: string } | null;
}

/** A thread's replies, as the side panel shows them. */
export interface ThreadView {
  chatId: string;
  root: number;
  replies: readonly Message[];
  loaded: boolean;
  /** Later replies remain on the server. */
  more: boolean;
  error: string | null;
}

export const EMPTY_MESSAGES: ChatMessages = {
  items: [],
  loaded: false,
  hasOlder: false,
  olderGone: false,
  loadingOlder: false,
  error: null,
};

export function initialState(me: string, activeChatId: string | null): ChatState {
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
    reads: {},
    users: {},
    thread: null,
    activeChatId,
    notice: null,
  };
}

/** The user's own channels, by name (DMs are listed apart). */
export function sortedChats(state: ChatState): Chat[] {
  return Object.values(state.chats)
    .filter((chat) => chat.kind !== "dm")
    .sort(byName);
}

/** The user's DMs, by the other person's name. */
export function sortedDms(state: ChatState): Chat[] {
  const other = (chat: Chat): string => dmPartner(chat, state.me);
  return Object.values(state.chats)
    .filter((chat) => chat.kind === "dm")
    .sort((a, b) => other(a).localeCompare(other(b)));
}

/** The other person of a DM, from its name (the two usernames sorted, joined by ","). */
export function dmPartner(chat: Chat, me: string): string {
  const names = chat.name.split(",");
  return names.find((name) => name !== me) ?? names[0] ?? chat.name;
}

/** The name a user goes by: their display name, or their username. */
export function displayName(state: Pick<ChatState, "users">, username: string): string {
  return state.users[username]?.display_name || username;
}

/** Whether the user is a workspace admin. */
export function isWorkspaceAdmin(state: ChatState): boolean {
  return state.users[state.me]?.role === "admin";
}

/** Whether the user may rename the chat, kick and delete others' messages in it. */
export function moderates(state: ChatState, chatId: string): boolean {
  const role = state.reads[chatId]?.role;
  return role === "owner" || role === "admin" || state.chats[chatId]?.owner === state.me;
}

/** The state without a chat the user is no longer in: its messages, pending sends and panel go. */
export function withoutChat(state: ChatState, chatId: string): ChatState {
  const { [chatId]: _messages, ...messages } = state.messages;
  const { [chatId]: _typing, ...typing } = state.typing;
  const { [chatId]: _read, ...reads } = state.reads;
  return {
    ...state,
    messages,
    typing,
    reads,
    thread: state.thread?.chatId === chatId ? null : state.thread,
    pending: state.pending.filter((p) => p.chatId !== chatId),
    activeChatId: state.activeChatId === chatId ? null : state.activeChatId,
    memberList: state.memberList?.chatId === chatId ? null : state.memberList,
  };
}
