/**
 * The user's read markers: counted as messages arrive, moved by `read` events from the
 * user's other sockets, and marked (`reads:mark`) when the user sees the newest message of
 * the open chat in a visible tab, at most once per chat every MARK_EVERY_MS.
 */

import type { Message, ReadMarker } from "../protocol";
import { markerMoved, messageCounted, toMark, withView } from "../lib/readState";
import { newestSeq } from "../lib/messages";
import type { Requester } from "./connection";
import type { SessionStore } from "./store";

const MARK_EVERY_MS = 400;

export class ReadMarkers {
  /** chat id -> when its last mark went out (ms). */
  private readonly marked = new Map<string, number>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly store: SessionStore,
    private readonly request: Requester,
  ) {}

  /** A message arrived in one of the user's chats. */
  received(message: Message): void {
    this.store.update((s) => {
      if (!s.chats[message.chat_id]) return s;
      const views = withView(s.reads, message.chat_id, message.seq - 1);
      const reads = messageCounted(views, message, s.me);
      return reads === s.reads ? s : { ...s, reads };
    });
  }

  /** A `read` event: the user read a chat on another socket. */
  moved(marker: ReadMarker): void {
    this.store.update((s) => {
      const reads = markerMoved(s.reads, marker.chat_id, marker.read_seq);
      return reads === s.reads ? s : { ...s, reads };
    });
  }

  /** The open chat's newest message held is read, while the page is visible. */
  markActiveSeen(): void {
    const { activeChatId, messages, reads } = this.store.getState();
    if (!activeChatId || document.visibilityState === "hidden") return;
    const held = messages[activeChatId];
    if (!held?.loaded) return;
    const seq = toMark(reads[activeChatId], newestSeq(held.items));
    if (seq === null) return;
    this.store.update((s) => ({ ...s, reads: markerMoved(s.reads, activeChatId, seq) }));
    this.schedule(activeChatId);
  }

  /** Tell the server, now or when the chat's last mark is MARK_EVERY_MS old. */
  private schedule(chatId: string): void {
    if (this.timers.has(chatId)) return;
    const wait = Math.max(0, (this.marked.get(chatId) ?? 0) + MARK_EVERY_MS - Date.now());
    const send = () => {
      this.timers.delete(chatId);
      this.marked.set(chatId, Date.now());
      const seq = this.store.getState().reads[chatId]?.readSeq;
      if (seq === undefined) return;
      this.request("reads:mark", { chat_id: chatId, seq })
        .then((marker) => this.moved(marker))
        .catch(() => undefined); // offline: the next visit marks it again, the server keeps the highest
    };
    if (wait === 0) send();
    else this.timers.set(chatId, setTimeout(send, wait));
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
