/**
 * A session's state as one immutable value, and who is told when it changes (for
 * useSyncExternalStore). What must outlive a reload is saved as it changes: the pending
 * sends per user, the open chat per tab. Read state is the server's.
 */

import { loadPending, savePending } from "../lib/pending";
import { EMPTY_MESSAGES, initialState, type ChatMessages, type ChatState } from "./state";

const ACTIVE_CHAT_KEY = "chatbus.activeChat";

export class SessionStore {
  private state: ChatState;
  private readonly listeners = new Set<() => void>();
  private noticeId = 0;

  constructor(username: string) {
    const active = sessionStorage.getItem(ACTIVE_CHAT_KEY);
    this.state = {
      ...initialState(username, active),
      pending: loadPending(username),
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): ChatState => this.state;

  update(change: (state: ChatState) => ChatState): void {
    const next = change(this.state);
    if (next === this.state) return;
    if (next.pending !== this.state.pending) savePending(next.me, next.pending);
    if (next.activeChatId !== this.state.activeChatId) rememberActive(next.activeChatId);
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  /** Change the messages held for one chat. */
  setMessages(chatId: string, change: (held: ChatMessages) => ChatMessages): void {
    this.update((s) => {
      const held = s.messages[chatId] ?? EMPTY_MESSAGES;
      const next = change(held);
      return next === held ? s : { ...s, messages: { ...s.messages, [chatId]: next } };
    });
  }

  /** Tell the user something, in plain words; the same text twice shows twice. */
  notify(text: string): void {
    this.noticeId += 1;
    const notice = { id: this.noticeId, text };
    this.update((s) => ({ ...s, notice }));
  }

  dismissNotice = (): void => {
    this.update((s) => (s.notice ? { ...s, notice: null } : s));
  };

  /** Nobody is told of changes any more. */
  close(): void {
    this.listeners.clear();
  }
}

/** The open chat is remembered for this tab, so a reload opens it again. */
function rememberActive(chatId: string | null): void {
  if (chatId) sessionStorage.setItem(ACTIVE_CHAT_KEY, chatId);
  else sessionStorage.removeItem(ACTIVE_CHAT_KEY);
}
