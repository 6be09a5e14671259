// Generated from services/contracts by `python -m services.contracts.typescript`.
// Do not edit: change the Python models and regenerate.


export type ErrorCode = "invalid" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "rate_limited" | "too_large" | "unavailable" | "internal";

export interface ErrorDetail {
  code: ErrorCode;
  message: string;
}
/** Every acknowledgement: the data, or an error. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ErrorDetail };

/** Find public chats by name, a page at a time. */
export interface BrowseChats {
  /** Only chats whose name contains this, ignoring case. */
  query?: string | null;
  /** The last chat of the previous page: the page starts after it. */
  after?: string | null;
  /** At most this many chats. */
  limit?: number;
}

/** A chat room. Public chats are visible to everyone; private ones to their members only.

Its members are not part of it: page them with `chats:members`. */
export interface Chat {
  /** A chat's id, chosen by the server. */
  id: string;
  /** The chat's display name; for a DM, the two usernames sorted, joined by `,`. */
  name: string;
  /** `channel`, or `dm`: a private chat of exactly two people. */
  kind: "channel" | "dm";
  /** Whether only members can see and join it. */
  private: boolean;
  /** The user who created it. */
  owner: string;
  /** What the chat is about; may be empty. */
  topic: string;
  /** How many members it has. */
  member_count: number;
  /** Seqs of its pinned messages, oldest pin first. */
  pinned: number[];
  /** An instant, ISO 8601 in UTC. */
  created_at: string;
  /** The seq of the newest message; 0 while the chat is empty. */
  last_seq: number;
  /** Grows with every change to the chat, a member joining or leaving included. Copies can arrive out of order (several chats services answer at once): keep the one with the highest revision. */
  revision: number;
}

/** The chat the user has left. */
export interface ChatLeft {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** The chat's revision after the leave (see Chat.revision). */
  revision: number;
}

/** A page of public chats, by name. */
export interface ChatPage {
  chats: Chat[];
  /** Whether chats after the last one remain: ask again with `after`. */
  more: boolean;
}

/** One of the user's own chats, with the user's place and read state in it. */
export interface ChatView {
  /** A chat's id, chosen by the server. */
  id: string;
  /** The chat's display name; for a DM, the two usernames sorted, joined by `,`. */
  name: string;
  /** `channel`, or `dm`: a private chat of exactly two people. */
  kind: "channel" | "dm";
  /** Whether only members can see and join it. */
  private: boolean;
  /** The user who created it. */
  owner: string;
  /** What the chat is about; may be empty. */
  topic: string;
  /** How many members it has. */
  member_count: number;
  /** Seqs of its pinned messages, oldest pin first. */
  pinned: number[];
  /** An instant, ISO 8601 in UTC. */
  created_at: string;
  /** The seq of the newest message; 0 while the chat is empty. */
  last_seq: number;
  /** Grows with every change to the chat, a member joining or leaving included. Copies can arrive out of order (several chats services answer at once): keep the one with the highest revision. */
  revision: number;
  /** The user's role in the chat. */
  role: "owner" | "admin" | "member";
  /** The newest seq the user has read (0: none). */
  read_seq: number;
  /** Messages after `read_seq` that others sent. */
  unread: number;
  /** Of the unread messages, those naming the user. */
  mentions: number;
  /** Whether the user muted the chat. */
  muted: boolean;
}

/** Create a chat; the creator becomes its owner and first member. */
export interface CreateChat {
  /** Display name, 1-80 characters. */
  name: string;
  /** Only members can see and join it. */
  private?: boolean;
  /** Users to add besides the creator. */
  members?: string[];
  /** What the chat is about, 0-250 characters. */
  topic?: string;
}

/** No data. */
export interface Empty {
}

/** Read one chat: a public one, or one of the user's own. */
export interface GetChat {
  /** A chat's id, chosen by the server. */
  chat_id: string;
}

/** A page of messages, ascending by seq.

Retention (a max age, or a max number of messages per chat) may remove a
chat's oldest messages; what is kept is always a contiguous run of seqs
ending at the newest. A page never starts below the oldest kept message. */
export interface HistoryPage {
  messages: Message[];
  /** Whether further messages exist in the direction asked for. Never true for removed messages: paging back stops at the oldest kept one. A page also stops at 512 KiB of messages, fewer than `limit`, with `more` true: go on from its last message (with `after`) or its first (backward). */
  more: boolean;
  /** True when the range this page covers reaches below the chat's oldest kept message: messages there were removed by retention and will never be returned. The range starts at after + 1 with `after`, else `limit` seqs back from before - 1 (or the newest), or at the page's first message when it stopped at 512 KiB. False means nothing in the range was removed. */
  truncated: boolean;
}

/** Add a user to a chat the acting user is a member of. */
export interface InviteToChat {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
}

/** Join a public chat, or a private one the user was invited to. */
export interface JoinChat {
  /** A chat's id, chosen by the server. */
  chat_id: string;
}

/** Leave a chat; its messages stop arriving. */
export interface LeaveChat {
  /** A chat's id, chosen by the server. */
  chat_id: string;
}

/** List the user's own chats, with their read state (at most 1,000 memberships). */
export interface ListChats {
}

/** Read a chat's members by username, a page at a time. */
export interface ListMembers {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** The last member of the previous page: the page starts after it. */
  after?: string | null;
  /** At most this many members. */
  limit?: number;
}

/** List the users who are not offline. */
export interface ListPresence {
}

/** A member of a chat. */
export interface Member {
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
  role: "owner" | "admin" | "member";
  /** An instant, ISO 8601 in UTC. */
  joined_at: string;
}

/** Someone joined, left or was removed from a chat. */
export interface MemberEvent {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
  action: "joined" | "left" | "kicked";
  /** The chat's members after this change. */
  member_count: number;
  /** The chat's revision after this change (see Chat.revision). */
  revision: number;
}

/** A page of a chat's members, by username. */
export interface MemberPage {
  members: Member[];
  /** Whether members after the last one remain: ask again with `after`. */
  more: boolean;
}

/** A stored message. Its `seq` gives the order every reader sees. */
export interface Message {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A message's position in its chat: 1, 2, 3, ... without gaps. */
  seq: number;
  /** Unique across all chats. */
  id: string;
  /** Who sent it. */
  sender: string;
  /** Exactly as sent; render it as text. */
  text: string;
  /** An instant, ISO 8601 in UTC. */
  sent_at: string;
  /** `web` when sent through the edge, `nats` when published on NATS directly. */
  via: "web" | "nats";
}

/** Read a chat's messages. Without bounds: the newest page. */
export interface MessageHistory {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** Only messages with a smaller seq. */
  before?: number | null;
  /** Only messages with a larger seq. */
  after?: number | null;
  /** At most this many messages. */
  limit?: number;
}

/** Whether a user is reachable, across all their connections. */
export interface Presence {
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
  /** `offline` when the user has no connection; otherwise what they chose. */
  status: "online" | "away" | "busy" | "offline";
  /** When this status began. */
  since: string;
}

/** Send a message. A retry with the same `client_id` is stored once. */
export interface SendMessage {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** 1-4000 characters, kept exactly; no control characters but newline and tab. */
  text: string;
  /** The sender's own id for this message, to make retries safe. */
  client_id?: string | null;
}

/** Choose the status others see while the user is connected. */
export interface SetStatus {
  status: "online" | "away" | "busy";
}

/** Tell the chat's members the user is typing. */
export interface Typing {
  /** A chat's id, chosen by the server. */
  chat_id: string;
}

/** Someone is typing in a chat. Consider it over at `expires_at` unless another arrives. */
export interface TypingEvent {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
  /** 5 s after the keystroke that caused it. */
  expires_at: string;
}

/** Client -> server events and their acknowledgements. */
export interface ClientEvents {
  /** The user's own chats, with their read state. */
  "chats:list": { request: ListChats; reply: ChatView[] };
  /** Public chats by name, a page at a time. */
  "chats:browse": { request: BrowseChats; reply: ChatPage };
  /** One chat: public, or the user's own. */
  "chats:get": { request: GetChat; reply: Chat };
  /** A chat's members by username, a page at a time. */
  "chats:members": { request: ListMembers; reply: MemberPage };
  /** Create a chat; the creator is owner and member. */
  "chats:create": { request: CreateChat; reply: Chat };
  /** Join a public chat or a private one the user was invited to. */
  "chats:join": { request: JoinChat; reply: Chat };
  /** Leave a chat. */
  "chats:leave": { request: LeaveChat; reply: ChatLeft };
  /** Add a user to a chat; members only. */
  "chats:invite": { request: InviteToChat; reply: Chat };
  /** Send a message; answered with the message as stored. */
  "messages:send": { request: SendMessage; reply: Message };
  /** Read a page of a chat's messages, ascending by seq. */
  "messages:history": { request: MessageHistory; reply: HistoryPage };
  /** Tell a chat's members the user is typing. */
  "typing": { request: Typing; reply: Empty };
  /** Choose online, away or busy. */
  "status:set": { request: SetStatus; reply: Presence };
  /** The users who are not offline. */
  "presence:list": { request: ListPresence; reply: Presence[] };
}

/** Server -> client events. */
export interface ServerEvents {
  /** A new message in a chat the user is a member of. */
  message: Message;
  /** One of the user's chats changed, the user was added to or removed from one, or a public chat was created or renamed. */
  chat: Chat;
  /** Someone joined, left or was removed from one of the user's chats. */
  member: MemberEvent;
  /** Someone is typing; it expires at `expires_at`. */
  typing: TypingEvent;
  /** A user's presence changed (first connection, last, status). */
  presence: Presence;
}
