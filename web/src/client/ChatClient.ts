/**
 * The chat session behind the screen, composed of one part per concern: the connection
 * (connection.ts), the state and what of it outlives a reload (store.ts), the messages
 * held and their catching up by seq (history.ts), pending sends re-sent with the same
 * client_id (pendingSends.ts), presence and typing (presence.ts), and the chats
 * directory (chats.ts). Here they are wired together and to the server's events.
 */

import type { Socket } from "socket.io-client";

import type { ClientEvents, Message, SetStatus } from "../protocol";
import { ChatsDirectory } from "./chats";
import { Connection } from "./connection";
import { ChatHistory } from "./history";
import { PendingSends } from "./pendingSends";
import { PresenceAndTyping } from "./presence";
import type { ChatState } from "./state";
import { SessionStore } from "./store";

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
}

export class ChatClient {
  /** The user's chats, the "Browse chats" view and the members panel. */
  readonly chats: ChatsDirectory;
  private readonly store: SessionStore;
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
    this.history = new ChatHistory(store, request);
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
    connection.on("message", (message) => this.receiveMessage(message));
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
    await Promise.all([this.chats.refresh(), this.presence.refresh()]);
    this.history.reconnected();
  }

  // --- chats and their messages ---

  /** Show a chat (null: none, the list on a phone); the "Browse chats" view closes. */
  openChat(chatId: string | null): void {
    this.chats.closeBrowse();
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

  /** The open chat's messages count as seen while the page is visible. */
  markActiveSeen(): void {
    this.history.markActiveSeen();
  }

  private receiveMessage(message: Message): void {
    this.history.received(message);
    this.presence.messageArrived(message);
    this.history.hold(message);
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
