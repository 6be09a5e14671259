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

/** Deactivate a user (sockets closed, tokens refused at once) or reactivate them;
workspace admins only. */
export interface DeactivateUser {
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
  deactivated: boolean;
}

/** Delete a message for good: its sender, the chat's owner and admins, workspace admins. */
export interface DeleteMessage {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A message's position in its chat: 1, 2, 3, ... without gaps. */
  seq: number;
}

/** Replace a message's text; its sender only. Its seq stays. */
export interface EditMessage {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A message's position in its chat: 1, 2, 3, ... without gaps. */
  seq: number;
  /** The new text, as for a send. */
  text: string;
}

/** No data. */
export interface Empty {
}

/** A file sent with a message; members of its chat download it at `/api/files/<id>`. */
export interface File {
  /** The file's id, chosen by the server. */
  id: string;
  /** Its name as uploaded. */
  name: string;
  /** Its size in bytes. */
  size: number;
  /** Its media type as uploaded. */
  content_type: string;
  /** The SHA-256 of its bytes, hex. */
  sha256: string;
  /** Its size when it is an image, else null. */
  image: ImageSize | null;
}

/** Read one chat: a public one, or one of the user's own. */
export interface GetChat {
  /** A chat's id, chosen by the server. */
  chat_id: string;
}

/** One user's profile. */
export interface GetUser {
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
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
  /** With `revisions: true` in the request: the earlier texts of the page's edited messages that the reader sent (workspace admins: of every message), oldest first, the newest kept per message being the last. Null otherwise. */
  revisions: MessageRevisions[] | null;
}

/** The pixel size of an image. */
export interface ImageSize {
  width: number;
  height: number;
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

/** Remove a member from a chat; its owner and admins only. They may be invited again. */
export interface KickFromChat {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
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

/** The messages that named the user, newest first, a page at a time. */
export interface ListMentions {
  /** The id of the last mention of the previous page. */
  before?: string | null;
  /** At most this many mentions. */
  limit?: number;
}

/** List the users who are not offline. */
export interface ListPresence {
}

/** Move the user's read marker in a chat forward to `seq` (never backwards). */
export interface MarkRead {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** The newest seq the user has read. */
  seq: number;
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

/** A message that named the user (`@username`, or `@here` while they were online). */
export interface Mention {
  /** Orders a user's mentions, newest last; the `before` cursor. */
  id: string;
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A message's position in its chat: 1, 2, 3, ... without gaps. */
  seq: number;
  /** A user's name; lowercase, 2-32 characters. */
  sender: string;
  /** The start of the message's text, at most 200 characters. */
  excerpt: string;
  /** An instant, ISO 8601 in UTC. */
  sent_at: string;
}

/** A page of the user's mentions, newest first. */
export interface MentionPage {
  mentions: Mention[];
  /** Whether older mentions remain: ask again with `before`. */
  more: boolean;
}

/** A stored message. Its `seq` gives the order every reader sees.

An edit or a deletion never changes `seq`. A deleted message keeps `seq`, `sender` and
`sent_at`; its text, files and reactions are gone from storage. */
export interface Message {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A message's position in its chat: 1, 2, 3, ... without gaps. */
  seq: number;
  /** Unique across all chats. */
  id: string;
  /** Who sent it. */
  sender: string;
  /** Exactly as sent (Markdown, rendered with every HTML tag as text); empty once deleted. */
  text: string;
  /** An instant, ISO 8601 in UTC. */
  sent_at: string;
  /** `web` when sent through the edge, `nats` when published on NATS directly, `webhook` when posted to an incoming webhook. */
  via: "web" | "nats" | "webhook";
  /** When its text was last edited; null if never. */
  edited_at: string | null;
  /** Whether it was deleted. */
  deleted: boolean;
  /** The seq of the thread's root when this is a reply. */
  reply_to: number | null;
  /** On a thread's root: its replies; null on other messages. */
  thread: ThreadSummary | null;
  /** Per emoji, oldest first. */
  reactions: Reaction[];
  /** The members it names as `@username` (or `@here`). */
  mentions: string[];
  /** The files sent with it. */
  files: File[];
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
  /** Also give the earlier texts of edited messages the user sent (workspace admins: of every message) in the page's `revisions`. */
  revisions?: boolean;
}

/** An earlier text of an edited message. */
export interface MessageRevision {
  text: string;
  /** When this text was sent or edited in. */
  written_at: string;
}

/** The earlier texts of one message, oldest first (the current one is the message's). */
export interface MessageRevisions {
  /** A message's position in its chat: 1, 2, 3, ... without gaps. */
  seq: number;
  revisions: MessageRevision[];
}

/** Read the replies to a message, oldest first, a page at a time. */
export interface MessageThread {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** The seq of the thread's first message. */
  root: number;
  /** Only replies with a larger seq. */
  after?: number | null;
  /** At most this many replies. */
  limit?: number;
}

/** Mute a chat (no mention events; counts go on) or unmute it. */
export interface MuteChat {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  muted: boolean;
}

/** The direct-message chat with another user: made on first use, the same one after. */
export interface OpenDm {
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
}

/** Pin a message of the chat, or unpin it; members only, at most 50 pins per chat. */
export interface PinMessage {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A message's position in its chat: 1, 2, 3, ... without gaps. */
  seq: number;
  pinned: boolean;
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

/** Add (`on: true`) or take back (`on: false`) one's reaction; members only; idempotent. */
export interface ReactToMessage {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A message's position in its chat: 1, 2, 3, ... without gaps. */
  seq: number;
  /** One Unicode emoji, at most 16 bytes. */
  emoji: string;
  on: boolean;
}

/** One emoji on a message: how many reacted with it, and the first of them. */
export interface Reaction {
  /** One Unicode emoji, at most 16 bytes. */
  emoji: string;
  /** How many users reacted with this emoji. */
  count: number;
  /** The first 20 of them, in the order they reacted. */
  users: string[];
}

/** Where a user has read to in one chat. It never moves backwards. */
export interface ReadMarker {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** The newest seq the user has read (0: none). */
  read_seq: number;
}

/** Users whose username or display name starts with `query` (ignoring case). */
export interface SearchUsers {
  /** The start of a username or of a display name. */
  query: string;
  /** At most this many users. */
  limit?: number;
}

/** Send a message. A retry with the same `client_id` is stored once. */
export interface SendMessage {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** 1-4000 characters, kept exactly; no control characters but newline and tab. */
  text: string;
  /** The sender's own id for this message, to make retries safe. */
  client_id?: string | null;
  /** Reply in the thread of this message of the same chat (a reply to a reply joins its root's thread). */
  reply_to?: number | null;
}

/** Make a member an admin of the chat, or a plain member again; its owner only. */
export interface SetChatRole {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
  role: "admin" | "member";
}

/** Choose the status others see while the user is connected. */
export interface SetStatus {
  status: "online" | "away" | "busy";
}

/** A page of a thread's replies, ascending by seq. */
export interface ThreadPage {
  messages: Message[];
  /** Whether later replies remain: ask again with `after` = the last one's seq. */
  more: boolean;
}

/** The replies to a message, on the message itself. */
export interface ThreadSummary {
  /** How many replies the thread has. */
  count: number;
  /** When the newest reply was sent. */
  last_at: string;
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

/** Rename a chat or change its topic; its owner and admins only. */
export interface UpdateChat {
  /** A chat's id, chosen by the server. */
  chat_id: string;
  /** A new name, 1-80 characters. */
  name?: string | null;
  /** A new topic, 0-250 characters. */
  topic?: string | null;
}

/** Change one's own display name or about text. */
export interface UpdateProfile {
  /** 0-64 characters on one line (empty: show the username). */
  display_name?: string | null;
  /** 0-500 characters. */
  about?: string | null;
}

/** A person or a bot with an account. */
export interface User {
  /** A user's name; lowercase, 2-32 characters. */
  username: string;
  /** The name others see; may be empty (then the username). */
  display_name: string;
  /** A few lines about them; may be empty. */
  about: string;
  /** `admin`: a workspace administrator. */
  role: "admin" | "member";
  /** Deactivated users cannot log in; their messages stay under their name. */
  deactivated: boolean;
  /** An instant, ISO 8601 in UTC. */
  created_at: string;
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
  /** Rename a chat or change its topic; its owner and admins. */
  "chats:update": { request: UpdateChat; reply: Chat };
  /** Remove a member; the chat's owner and admins. They may be invited again. */
  "chats:kick": { request: KickFromChat; reply: Chat };
  /** Make a member an admin of the chat, or a member again; its owner only. */
  "chats:set_role": { request: SetChatRole; reply: Member };
  /** The direct-message chat with another user, the same one every time. */
  "chats:open_dm": { request: OpenDm; reply: Chat };
  /** Pin or unpin a message; members; at most 50 pins. */
  "chats:pin": { request: PinMessage; reply: Chat };
  /** Mute or unmute a chat for oneself: no mention events, the counts go on. */
  "chats:mute": { request: MuteChat; reply: ChatView };
  /** Move one's read marker in a chat forward; it never moves back. */
  "reads:mark": { request: MarkRead; reply: ReadMarker };
  /** Send a message; answered with the message as stored. */
  "messages:send": { request: SendMessage; reply: Message };
  /** Read a page of a chat's messages, ascending by seq. */
  "messages:history": { request: MessageHistory; reply: HistoryPage };
  /** Read a page of the replies to a message, ascending by seq. */
  "messages:thread": { request: MessageThread; reply: ThreadPage };
  /** Replace a message's text; its sender only. */
  "messages:edit": { request: EditMessage; reply: Message };
  /** Delete a message for good (its tombstone keeps seq, sender and time). */
  "messages:delete": { request: DeleteMessage; reply: Message };
  /** Add or take back one's emoji reaction; members; idempotent. */
  "messages:react": { request: ReactToMessage; reply: Message };
  /** The messages that named the user, newest first. */
  "mentions:list": { request: ListMentions; reply: MentionPage };
  /** A user's profile. */
  "users:get": { request: GetUser; reply: User };
  /** Users by username or display name prefix. */
  "users:search": { request: SearchUsers; reply: User[] };
  /** Change one's own display name or about text. */
  "users:update": { request: UpdateProfile; reply: User };
  /** Deactivate or reactivate a user; workspace admins. */
  "users:deactivate": { request: DeactivateUser; reply: User };
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
  /** A message was edited, deleted, reacted to, or its thread got a reply: its state now. */
  message_changed: Message;
  /** One of the user's chats changed, the user was added to or removed from one, or a public chat was created or renamed. */
  chat: Chat;
  /** Someone joined, left or was removed from one of the user's chats. */
  member: MemberEvent;
  /** Someone is typing; it expires at `expires_at`. */
  typing: TypingEvent;
  /** The user read a chat on another socket (tab, device): its read marker now. */
  read: ReadMarker;
  /** A message named the user (not sent in a chat they muted, nor by them). */
  mention: Mention;
  /** A user's presence changed (first connection, last, status). */
  presence: Presence;
}
