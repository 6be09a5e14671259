/**
 * The chat session behind the screen, composed of one part per concern: the connection
 * (connection.ts), the state and what of it outlives a reload (store.ts), the messages
 * held and their catching up by seq (history.ts), pending sends re-sent with the same
 * client_id (pendingSends.ts), presence and typing (presence.ts), the chats directory
 * (chats.ts), read markers (reads.ts), the thread panel (threads.ts), message actions
 * (messageActions.ts), profiles (people.ts), chat settings and roles (moderation.ts) and
 * browser notifications (notifications.ts). Here they are wired together and to the
 * server's events.
 */

import type { Socket } from "socket.io-client";

import type { Chat, ClientEvents, Message, SetStatus } from "../protocol";
import { ChatsDirectory } from "./chats";
import { Connection } from "./connection";
import { ChatHistory } from "./history";
import { MessageActions } from "./messageActions";
import { ChatModeration } from "./moderation";
import { Notifier, type NotificationApi } from "./notifications";
import { PendingSends } from "./pendingSends";
import { People } from "./people";
import { PresenceAndTyping } from "./presence";
import { ReadMarkers } from "./reads";
import type { ChatState } from "./state";
import { SessionStore } from "./store";
import { Threads } from "./threads";

type EventName = keyof ClientEvents;

export interface ChatClientOptions {
  token: string;
  username: string;
  /** Called when the server no longer accepts the token. */
  onSessionEnded: (reason: string) => void;
  /** Where socket.io lives; the page's own origin by default. */
  url?: string;
  /** A ready socket instead of a new one (tests). */
  socket?: Socket;
  /** The Notification API to use; the page's by default, none with null (tests). */
  notifications?: NotificationApi | null;
}

export class ChatClient {
  /** The user's chats, the "Browse chats" view and the members panel. */
  readonly chats: ChatsDirectory;
  /** The thread side panel. */
  readonly threads: Threads;
  /** Edit, delete, react, pin. */
  readonly actions: MessageActions;
  /** Profiles, the user's own and the admin view's. */
  readonly people: People;
  /** Chat settings, mute, roles and kicks. */
  readonly moderation: ChatModeration;
  private readonly store: SessionStore;
  private readonly reads: ReadMarkers;
  private readonly notifier: Notifier;
  private readonly connection: Connection;
  private readonly history: ChatHistory;
  private readonly pending: PendingSends;
  private readonly presence: PresenceAndTyping;

  constructor(options: ChatClientOptions) {
    const store = new SessionStore(options.username);
    const connection = new Connection(options, {
      connected: () => void this.connected(),
      offline: () => store.update((s) => ({ ...s, connection: "offline", presenceStale: true })),
      unauthorized: () => options.onSessionEnded("Your session has expired. Please log in again."),
    });
    const request = connection.request;
    const isConnected = () => connection.connected;
    this.store = store;
    this.connection = connection;
    this.reads = new ReadMarkers(store, request);
    this.history = new ChatHistory(store, request, () => this.markActiveSeen());
    this.threads = new Threads(store, request);
    this.people = new People(store, request);
    const lookUp = (chatId: string) => request("chats:get", { chat_id: chatId }).catch(() => null);
    this.notifier = new Notifier(store.getState, (chatId) => this.openChat(chatId), lookUp, options.notifications);
    const chatChanged = (chat: Chat) => this.chats.chatChanged(chat);
    this.actions = new MessageActions({
      request,
      notify: (text) => store.notify(text),
      changed: (message) => this.messageChanged(message),
      chatChanged,
    });
    this.moderation = new ChatModeration(store, request, chatChanged);
    this.pending = new PendingSends(store, { request, isConnected, stored: (message) => this.receiveMessage(message) });
    this.presence = new PresenceAndTyping(store, { request, isConnected });
    this.chats = new ChatsDirectory({
      request,
      getState: store.getState,
      update: (change) => store.update(change),
      notify: (text) => store.notify(text),
      open: (chatId) => this.openChat(chatId),
      chatsChanged: () => this.markActiveSeen(),
    });
    connection.on("message", (message) => {
      this.receiveMessage(message);
      this.notifier.received(message);
      if (message.sender !== options.username) this.people.spoke(message.sender);
    });
    connection.on("message_changed", (message) => this.messageChanged(message));
    connection.on("read", (marker) => this.reads.moved(marker));
    connection.on("mention", (mention) => this.notifier.mentioned(mention));
    connection.on("chat", (chat) => this.chats.chatChanged(chat));
    connection.on("member", (event) => this.chats.memberChanged(event));
    connection.on("typing", (event) => this.presence.someoneTyping(event));
    connection.on("presence", (presence) => this.presence.changed(presence));
  }

  // --- the store (for useSyncExternalStore) ---

  subscribe = (listener: () => void): (() => void) => this.store.subscribe(listener);

  getState = (): ChatState => this.store.getState();

  dismissNotice = (): void => this.store.dismissNotice();

  // --- the connection ---

  start(): void {
    this.connection.start();
  }

  close(): void {
    this.reads.close();
    this.people.close();
    this.pending.close();
    this.connection.close();
    this.store.close();
  }

  /** One client -> server event, answered through its acknowledgement. */
  request<E extends EventName>(
    event: E,
    payload: ClientEvents[E]["request"],
    timeoutMs?: number,
  ): Promise<ClientEvents[E]["reply"]> {
    return this.connection.request(event, payload, timeoutMs);
  }

  private async connected(): Promise<void> {
    this.store.update((s) => ({ ...s, connection: "online", everConnected: true }));
    this.pending.reconnected();
    this.people.refresh();
    await Promise.all([this.chats.refresh(), this.presence.refresh()]);
    this.history.reconnected();
    const thread = this.store.getState().thread;
    if (thread) void this.threads.open(thread.chatId, thread.root);
  }

  // --- chats and their messages ---

  /** Show a chat (null: none, the list on a phone); the "Browse chats" view closes. */
  openChat(chatId: string | null): void {
    this.chats.closeBrowse();
    if (this.store.getState().thread?.chatId !== chatId) this.threads.close();
    this.store.update((s) => (s.activeChatId === chatId ? s : { ...s, activeChatId: chatId }));
    if (chatId && !this.store.getState().messages[chatId]?.loaded) void this.history.loadLatest(chatId);
    this.markActiveSeen();
  }

  loadOlder(chatId: string): Promise<void> {
    return this.history.loadOlder(chatId);
  }

  /** Fetch what is missing after the messages held; `always`: ask even when nothing seems missing. */
  catchUp(chatId: string, always: boolean): Promise<void> {
    return this.history.catchUp(chatId, always);
  }

  /** The open chat's newest message counts as read while the page is visible. */
  markActiveSeen(): void {
    this.reads.markActiveSeen();
  }

  private receiveMessage(message: Message): void {
    this.reads.received(message);
    this.presence.messageArrived(message);
    this.history.hold(message);
    this.threads.received(message);
    this.history.received(message);
  }

  /** A message's new state: held in its chat and in the open thread. */
  private messageChanged(message: Message): void {
    this.history.changed(message);
    this.threads.received(message);
  }

  // --- sending ---

  send(chatId: string, text: string): boolean {
    return this.pending.send(chatId, text);
  }

  retry(clientId: string): void {
    this.pending.retry(clientId);
  }

  discard(clientId: string): void {
    this.pending.discard(clientId);
  }

  // --- typing and presence ---

  typing(chatId: string): void {
    this.presence.typing(chatId);
  }

  setStatus(status: SetStatus["status"]): Promise<void> {
    return this.presence.setStatus(status);
  }
}
