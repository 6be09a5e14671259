/**
 * The chat session behind the screen: one socket.io connection, the state it
 * feeds, and the rules that keep it right across reconnects — pending sends
 * re-sent with the same client_id, and every loaded chat caught up by seq.
 */

import { io, type Socket } from "socket.io-client";

import type {
  Chat,
  ClientEvents,
  Envelope,
  MemberEvent,
  Message,
  Presence,
  SetStatus,
  TypingEvent,
} from "../protocol";
import { RequestError, describeError } from "../lib/errors";
import { mergeMessages, missingAfter, newestSeq } from "../lib/messages";
import {
  loadPending,
  markRefused,
  newClientId,
  savePending,
  settle,
  toSend,
  type PendingMessage,
} from "../lib/pending";
import { shouldAnnounceTyping, typingExpiry } from "../lib/typing";
import { loadLastSeen, markSeen, saveLastSeen } from "../lib/unread";
import { ChatsDirectory } from "./chats";
import { EMPTY_MESSAGES, initialState, type ChatMessages, type ChatState } from "./state";

const REQUEST_TIMEOUT_MS = 10_000;
const PAGE_SIZE = 50;
const CATCH_UP_PAGE = 100;
const RESEND_DELAY_MS = 2_000;
const ACTIVE_CHAT_KEY = "chatbus.activeChat";
const MAX_TEXT = 4000;

type EventName = keyof ClientEvents;
type Request<E extends EventName> = ClientEvents[E]["request"];
type Reply<E extends EventName> = ClientEvents[E]["reply"];

/** Failures worth trying again by ourselves: the message itself is fine. */
const RETRYABLE = new Set(["timeout", "offline", "unavailable", "rate_limited", "internal"]);

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
  private state: ChatState;
  private readonly listeners = new Set<() => void>();
  private readonly socket: Socket;
  private readonly inFlight = new Map<string, number>();
  private attempt = 0;
  private readonly catchingUp = new Set<string>();
  private readonly catchUpAgain = new Set<string>();
  private readonly typingAnnounced = new Map<string, number>();
  private resendTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeId = 0;
  private closed = false;

  constructor(private readonly options: ChatClientOptions) {
    const active = sessionStorage.getItem(ACTIVE_CHAT_KEY);
    this.state = {
      ...initialState(options.username, loadLastSeen(options.username), active),
      pending: loadPending(options.username),
    };
    const socketOptions = { path: "/socket.io/", auth: { token: options.token }, autoConnect: false };
    this.socket = options.socket ?? (options.url ? io(options.url, socketOptions) : io(socketOptions));
    this.chats = new ChatsDirectory({
      request: (event, payload) => this.request(event, payload),
      getState: this.getState,
      update: (change) => this.update(change),
      notify: (text) => this.notify(text),
      open: (chatId) => this.openChat(chatId),
      chatsChanged: () => this.markActiveSeen(),
    });
    this.listen();
  }

  // --- store plumbing (for useSyncExternalStore) ---

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): ChatState => this.state;

  private update(change: (state: ChatState) => ChatState): void {
    const next = change(this.state);
    if (next === this.state) return;
    if (next.lastSeen !== this.state.lastSeen) saveLastSeen(next.me, next.lastSeen);
    if (next.pending !== this.state.pending) savePending(next.me, next.pending);
    if (next.activeChatId !== this.state.activeChatId) rememberActive(next.activeChatId);
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  private setMessages(chatId: string, change: (held: ChatMessages) => ChatMessages): void {
    this.update((s) => {
      const held = s.messages[chatId] ?? EMPTY_MESSAGES;
      const next = change(held);
      return next === held ? s : { ...s, messages: { ...s.messages, [chatId]: next } };
    });
  }

  private notify(text: string): void {
    this.noticeId += 1;
    const notice = { id: this.noticeId, text };
    this.update((s) => ({ ...s, notice }));
  }

  dismissNotice = (): void => {
    this.update((s) => (s.notice ? { ...s, notice: null } : s));
  };

  // --- connection ---

  start(): void {
    this.socket.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.resendTimer);
    clearTimeout(this.reconnectTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.listeners.clear();
  }

  private listen(): void {
    const socket = this.socket;
    socket.on("connect", () => void this.connected());
    socket.on("disconnect", (reason) => {
      this.update((s) => ({ ...s, connection: "offline", presenceStale: true }));
      // The server ended the connection (a restart, an expired token): socket.io
      // does not come back by itself then, so ask again; a bad token is refused.
      if (reason === "io server disconnect" && !this.closed) {
        this.reconnectTimer = setTimeout(() => this.socket.connect(), 1000);
      }
    });
    socket.on("connect_error", (error: Error & { data?: { code?: string } }) => {
      if (error.data?.code === "unauthorized") {
        this.options.onSessionEnded("Your session has expired. Please log in again.");
        return;
      }
      this.update((s) => ({ ...s, connection: "offline", presenceStale: true }));
      if (!socket.active && !this.closed) {
        // Refused for another reason (e.g. the service is unavailable): try again soon.
        this.reconnectTimer = setTimeout(() => this.socket.connect(), 2000);
      }
    });
    socket.on("message", (message: Message) => this.receiveMessage(message));
    socket.on("chat", (chat: Chat) => this.chats.chatChanged(chat));
    socket.on("member", (event: MemberEvent) => this.chats.memberChanged(event));
    socket.on("typing", (event: TypingEvent) => this.someoneTyping(event));
    socket.on("presence", (presence: Presence) => this.presenceChanged(presence));
  }

  private async connected(): Promise<void> {
    this.inFlight.clear(); // acks of the old connection will never come; send again
    this.update((s) => ({ ...s, connection: "online", everConnected: true }));
    this.flushPending();
    await Promise.all([this.chats.refresh(), this.refreshPresence()]);
    const { messages, activeChatId } = this.state;
    for (const [chatId, held] of Object.entries(messages)) {
      if (held.loaded) void this.catchUp(chatId, true);
    }
    if (activeChatId && !messages[activeChatId]?.loaded) void this.loadLatest(activeChatId);
  }

  /** One client -> server event, answered through its acknowledgement. */
  request<E extends EventName>(event: E, payload: Request<E>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Reply<E>> {
    return new Promise((resolve, reject) => {
      if (!this.socket.connected) {
        reject(new RequestError("offline", "not connected"));
        return;
      }
      this.socket.timeout(timeoutMs).emit(event, payload, (error: Error | null, envelope: Envelope<Reply<E>>) => {
        if (error) reject(new RequestError("timeout", error.message));
        else if (envelope.ok) resolve(envelope.data);
        else reject(new RequestError(envelope.error.code, envelope.error.message));
      });
    });
  }

  /** Runs a user's action; a failure becomes a notice in plain words. Returns null on failure. */
  private async act<T>(action: () => Promise<T>): Promise<T | null> {
    try {
      return await action();
    } catch (error) {
      this.notify(describeError(error instanceof RequestError ? error : { code: "internal" }));
      return null;
    }
  }

  // --- the open chat ---

  /** Show a chat (null: none, the list on a phone); the "Browse chats" view closes. */
  openChat(chatId: string | null): void {
    this.chats.closeBrowse();
    this.update((s) => (s.activeChatId === chatId ? s : { ...s, activeChatId: chatId }));
    if (chatId && !this.state.messages[chatId]?.loaded) void this.loadLatest(chatId);
    this.markActiveSeen();
  }

  // --- messages ---

  private async loadLatest(chatId: string): Promise<void> {
    try {
      const page = await this.request("messages:history", { chat_id: chatId, limit: PAGE_SIZE });
      this.setMessages(chatId, (held) => ({
        ...held,
        items: mergeMessages(held.items, page.messages),
        loaded: true,
        hasOlder: held.loaded ? held.hasOlder : page.more,
        olderGone: held.loaded ? held.olderGone : page.truncated && !page.more,
        error: null,
      }));
      this.noteNewest(chatId, newestSeq(page.messages));
      void this.catchUp(chatId, false);
    } catch (error) {
      const text = describeError(error instanceof RequestError ? error : { code: "internal" });
      this.setMessages(chatId, (held) => ({ ...held, error: text }));
    }
  }

  async loadOlder(chatId: string): Promise<void> {
    const held = this.state.messages[chatId];
    if (!held?.loaded || !held.hasOlder || held.loadingOlder) return;
    const oldest = held.items[0]?.seq;
    if (oldest === undefined) return;
    this.setMessages(chatId, (h) => ({ ...h, loadingOlder: true }));
    try {
      const page = await this.request("messages:history", { chat_id: chatId, before: oldest, limit: PAGE_SIZE });
      this.setMessages(chatId, (h) => ({
        ...h,
        items: mergeMessages(h.items, page.messages),
        hasOlder: page.more,
        olderGone: page.truncated && !page.more,
        loadingOlder: false,
      }));
    } catch {
      this.setMessages(chatId, (h) => ({ ...h, loadingOlder: false }));
    }
  }

  /**
   * Fetch what is missing after the messages held, page by page until the server
   * says there is no more. `always`: ask even when nothing seems missing (after a reconnect).
   */
  async catchUp(chatId: string, always: boolean): Promise<void> {
    if (this.catchingUp.has(chatId)) {
      if (always) this.catchUpAgain.add(chatId);
      return;
    }
    this.catchingUp.add(chatId);
    try {
      let force = always;
      for (;;) {
        const held = this.state.messages[chatId];
        if (!held?.loaded) return;
        const lastSeq = this.state.chats[chatId]?.last_seq ?? 0;
        let after = missingAfter(held.items, lastSeq);
        if (after === null && force) after = newestSeq(held.items);
        if (after === null) return;
        force = false;
        const page = await this.request("messages:history", { chat_id: chatId, after, limit: CATCH_UP_PAGE });
        const before = this.state.messages[chatId]?.items;
        this.setMessages(chatId, (h) => ({ ...h, items: mergeMessages(h.items, page.messages) }));
        this.noteNewest(chatId, newestSeq(page.messages));
        if (page.more) force = true;
        else if (this.state.messages[chatId]?.items === before) return; // nothing new: stop
      }
    } catch {
      // Offline or refused: the next reconnect or message tries again.
    } finally {
      this.catchingUp.delete(chatId);
      if (this.catchUpAgain.delete(chatId)) void this.catchUp(chatId, true);
    }
  }

  private receiveMessage(message: Message): void {
    this.noteNewest(message.chat_id, message.seq);
    if (message.sender === this.state.me) {
      // Posted from here or another tab: the user has seen the chat up to their own message.
      this.update((s) => {
        const lastSeen = markSeen(s.lastSeen, message.chat_id, message.seq);
        return lastSeen === s.lastSeen ? s : { ...s, lastSeen };
      });
    }
    this.update((s) => {
      const typers = s.typing[message.chat_id];
      if (!typers || !(message.sender in typers)) return s;
      const { [message.sender]: _done, ...rest } = typers;
      return { ...s, typing: { ...s.typing, [message.chat_id]: rest } };
    });
    const held = this.state.messages[message.chat_id];
    if (!held?.loaded) return; // not read yet: the newest page is fetched when it is opened
    this.setMessages(message.chat_id, (h) => ({ ...h, items: mergeMessages(h.items, [message]) }));
    const items = this.state.messages[message.chat_id]?.items ?? [];
    if (missingAfter(items, 0) !== null) void this.catchUp(message.chat_id, false);
  }

  /** A chat's newest seq is at least `seq`; the active chat counts as read. */
  private noteNewest(chatId: string, seq: number): void {
    this.update((s) => {
      const chat = s.chats[chatId];
      if (!chat || chat.last_seq >= seq) return s;
      return { ...s, chats: { ...s.chats, [chatId]: { ...chat, last_seq: seq } } };
    });
    this.markActiveSeen();
  }

  /** The open chat's messages count as seen while the page is visible. */
  markActiveSeen(): void {
    const { activeChatId, chats } = this.state;
    if (!activeChatId || document.visibilityState === "hidden") return;
    const chat = chats[activeChatId];
    if (!chat) return;
    this.update((s) => {
      const lastSeen = markSeen(s.lastSeen, activeChatId, chat.last_seq);
      return lastSeen === s.lastSeen ? s : { ...s, lastSeen };
    });
  }

  send(chatId: string, text: string): boolean {
    if (!text.trim()) return false;
    if (text.length > MAX_TEXT) {
      this.notify(`Messages can have at most ${MAX_TEXT} characters; this one has ${text.length}.`);
      return false;
    }
    const pending: PendingMessage = {
      clientId: newClientId(),
      chatId,
      text,
      afterSeq: this.state.chats[chatId]?.last_seq ?? 0,
      error: null,
    };
    this.update((s) => ({ ...s, pending: [...s.pending, pending] }));
    this.flushPending();
    return true;
  }

  retry(clientId: string): void {
    this.update((s) => ({ ...s, pending: markRefused(s.pending, clientId, null) }));
    this.flushPending();
  }

  discard(clientId: string): void {
    this.update((s) => ({ ...s, pending: settle(s.pending, clientId) }));
  }

  /** Send every pending message not already on its way, oldest first, each with its own client_id. */
  private flushPending(): void {
    if (!this.socket.connected) return;
    for (const pending of toSend(this.state.pending, new Set(this.inFlight.keys()))) {
      this.attempt += 1;
      const attempt = this.attempt;
      this.inFlight.set(pending.clientId, attempt);
      this.request("messages:send", { chat_id: pending.chatId, text: pending.text, client_id: pending.clientId })
        .then((message) => {
          if (this.inFlight.get(pending.clientId) === attempt) this.inFlight.delete(pending.clientId);
          this.update((s) => ({ ...s, pending: settle(s.pending, pending.clientId) }));
          this.receiveMessage(message);
        })
        .catch((error: unknown) => {
          if (this.inFlight.get(pending.clientId) !== attempt) return; // a newer attempt is on its way
          this.inFlight.delete(pending.clientId);
          const failure = error instanceof RequestError ? error : new RequestError("internal", "");
          if (RETRYABLE.has(failure.code)) {
            this.scheduleResend();
          } else {
            this.update((s) => ({ ...s, pending: markRefused(s.pending, pending.clientId, describeError(failure)) }));
          }
        });
    }
  }

  private scheduleResend(): void {
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => this.flushPending(), RESEND_DELAY_MS);
  }

  // --- typing and presence ---

  typing(chatId: string): void {
    const now = Date.now();
    if (!this.socket.connected || !shouldAnnounceTyping(this.typingAnnounced.get(chatId), now)) return;
    this.typingAnnounced.set(chatId, now);
    this.request("typing", { chat_id: chatId }).catch(() => undefined);
  }

  private someoneTyping(event: TypingEvent): void {
    if (event.username === this.state.me) return;
    const expiry = typingExpiry(event.expires_at, Date.now());
    this.update((s) => ({
      ...s,
      typing: { ...s.typing, [event.chat_id]: { ...s.typing[event.chat_id], [event.username]: expiry } },
    }));
  }

  private async refreshPresence(): Promise<void> {
    try {
      const everyone = await this.request("presence:list", {});
      // Listed by a socket that has since dropped: still stale; the next connect lists again.
      const live = this.socket.connected;
      this.update((s) => ({
        ...s,
        presence: Object.fromEntries(everyone.map((p) => [p.username, p])),
        presenceStale: !live,
      }));
    } catch {
      // Offline again; the next connect lists them.
    }
  }

  private presenceChanged(presence: Presence): void {
    this.update((s) => {
      const { [presence.username]: _old, ...others } = s.presence;
      return { ...s, presence: presence.status === "offline" ? others : { ...others, [presence.username]: presence } };
    });
  }

  async setStatus(status: SetStatus["status"]): Promise<void> {
    const presence = await this.act(() => this.request("status:set", { status }));
    if (presence) this.presenceChanged(presence);
  }
}

/** The open chat is remembered for this tab, so a reload opens it again. */
function rememberActive(chatId: string | null): void {
  if (chatId) sessionStorage.setItem(ACTIVE_CHAT_KEY, chatId);
  else sessionStorage.removeItem(ACTIVE_CHAT_KEY);
}
