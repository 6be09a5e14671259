/**
 * The messages held for each chat: the newest page when a chat is opened, older pages
 * on demand, and catching up by seq whenever some may be missing (a gap, a reconnect),
 * so a loaded chat is complete up to its newest message. A message's new state (an edit, a
 * delete, a reaction, a thread reply) replaces the copy held.
 */

import type { Message } from "../protocol";
import { explainFailure } from "../lib/errors";
import { mergeMessages, missingAfter, newestSeq } from "../lib/messages";
import type { Requester } from "./connection";
import type { SessionStore } from "./store";

const PAGE_SIZE = 50;
const CATCH_UP_PAGE = 100;

export class ChatHistory {
  private readonly catchingUp = new Set<string>();
  private readonly catchUpAgain = new Set<string>();

  constructor(
    private readonly store: SessionStore,
    private readonly request: Requester,
    /** Newer messages are held: the open chat may be read further. */
    private readonly arrived: () => void,
  ) {}

  /**
   * After a connect: the open chat's newest page again (edits, deletes and reactions made
   * while away are in it) and every loaded chat caught up; the open one loaded if it is not.
   */
  reconnected(): void {
    const { messages, activeChatId } = this.store.getState();
    for (const [chatId, held] of Object.entries(messages)) {
      if (held.loaded) void (chatId === activeChatId ? this.loadLatest(chatId) : this.catchUp(chatId, true));
    }
    if (activeChatId && !messages[activeChatId]?.loaded) void this.loadLatest(activeChatId);
  }

  /** The newest page of a chat, then whatever arrived meanwhile. */
  async loadLatest(chatId: string): Promise<void> {
    try {
      const page = await this.request("messages:history", { chat_id: chatId, limit: PAGE_SIZE });
      this.store.setMessages(chatId, (held) => ({
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
      const text = explainFailure(error);
      this.store.setMessages(chatId, (held) => ({ ...held, error: text }));
    }
  }

  async loadOlder(chatId: string): Promise<void> {
    const held = this.store.getState().messages[chatId];
    if (!held?.loaded || !held.hasOlder || held.loadingOlder) return;
    const oldest = held.items[0]?.seq;
    if (oldest === undefined) return;
    this.store.setMessages(chatId, (h) => ({ ...h, loadingOlder: true }));
    try {
      const page = await this.request("messages:history", { chat_id: chatId, before: oldest, limit: PAGE_SIZE });
      this.store.setMessages(chatId, (h) => ({
        ...h,
        items: mergeMessages(h.items, page.messages),
        hasOlder: page.more,
        olderGone: page.truncated && !page.more,
        loadingOlder: false,
      }));
    } catch {
      this.store.setMessages(chatId, (h) => ({ ...h, loadingOlder: false }));
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
        const held = this.store.getState().messages[chatId];
        if (!held?.loaded) return;
        const lastSeq = this.store.getState().chats[chatId]?.last_seq ?? 0;
        let after = missingAfter(held.items, lastSeq);
        if (after === null && force) after = newestSeq(held.items);
        if (after === null) return;
        force = false;
        const page = await this.request("messages:history", { chat_id: chatId, after, limit: CATCH_UP_PAGE });
        const before = this.store.getState().messages[chatId]?.items;
        this.store.setMessages(chatId, (h) => ({ ...h, items: mergeMessages(h.items, page.messages) }));
        this.noteNewest(chatId, newestSeq(page.messages));
        if (page.more) force = true;
        else if (this.store.getState().messages[chatId]?.items === before) return; // nothing new: stop
      }
    } catch {
      // Offline or refused: the next reconnect or message tries again.
    } finally {
      this.catchingUp.delete(chatId);
      if (this.catchUpAgain.delete(chatId)) void this.catchUp(chatId, true);
    }
  }

  /** A message stored in one of the user's chats (a `message` event, or the answer to a send). */
  received(message: Message): void {
    this.noteNewest(message.chat_id, message.seq);
  }

  /** A message's new state (`message_changed`, or the answer to an action) where its chat is loaded. */
  changed(message: Message): void {
    const held = this.store.getState().messages[message.chat_id];
    if (!held?.loaded) return;
    this.store.setMessages(message.chat_id, (h) => ({ ...h, items: mergeMessages(h.items, [message]) }));
  }

  /** Hold a received message where its chat is loaded, and fetch any gap before it. */
  hold(message: Message): void {
    const held = this.store.getState().messages[message.chat_id];
    if (!held?.loaded) return; // not read yet: the newest page is fetched when it is opened
    this.store.setMessages(message.chat_id, (h) => ({ ...h, items: mergeMessages(h.items, [message]) }));
    const items = this.store.getState().messages[message.chat_id]?.items ?? [];
    if (missingAfter(items, 0) !== null) void this.catchUp(message.chat_id, false);
  }

  /** A chat's newest seq is at least `seq`; the active chat counts as read. */
  private noteNewest(chatId: string, seq: number): void {
    this.store.update((s) => {
      const chat = s.chats[chatId];
      if (!chat || chat.last_seq >= seq) return s;
      return { ...s, chats: { ...s.chats, [chatId]: { ...chat, last_seq: seq } } };
    });
    this.arrived();
  }
}
