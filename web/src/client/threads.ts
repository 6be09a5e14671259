/**
 * The thread side panel: the replies to one root, a page at a time (`messages:thread`), kept
 * live by `message` events with its `reply_to` and `message_changed` for its replies.
 */

import type { Message } from "../protocol";
import { explainFailure, withNotice } from "../lib/errors";
import { mergeMessages, newestSeq } from "../lib/messages";
import { newClientId } from "../lib/pending";
import type { Requester } from "./connection";
import type { SessionStore } from "./store";
import type { ThreadView } from "./state";

const THREAD_PAGE = 100;

export class Threads {
  private asked = 0;

  constructor(
    private readonly store: SessionStore,
    private readonly request: Requester,
  ) {}

  /** Show the thread of `root` in `chatId`, from its first reply. */
  async open(chatId: string, root: number): Promise<void> {
    const asked = ++this.asked;
    const thread: ThreadView = { chatId, root, replies: [], loaded: false, more: false, error: null };
    this.store.update((s) => ({ ...s, thread }));
    await this.load(asked, null);
  }

  /** The next page of replies. */
  async more(): Promise<void> {
    const thread = this.store.getState().thread;
    if (!thread?.loaded || !thread.more) return;
    await this.load(this.asked, newestSeq(thread.replies));
  }

  close(): void {
    this.asked += 1;
    this.store.update((s) => (s.thread ? { ...s, thread: null } : s));
  }

  private async load(asked: number, after: number | null): Promise<void> {
    const thread = this.store.getState().thread;
    if (!thread) return;
    try {
      const page = await this.request("messages:thread", {
        chat_id: thread.chatId,
        root: thread.root,
        after,
        limit: THREAD_PAGE,
      });
      if (asked !== this.asked) return;
      this.change((t) => ({ ...t, replies: mergeMessages(t.replies, page.messages), loaded: true, more: page.more, error: null }));
    } catch (error) {
      if (asked !== this.asked) return;
      this.change((t) => ({ ...t, error: explainFailure(error) }));
    }
  }

  /** A new message or a message's new state: the open thread takes its replies. */
  received(message: Message): void {
    const thread = this.store.getState().thread;
    if (!thread || thread.chatId !== message.chat_id || message.reply_to !== thread.root) return;
    this.change((t) => ({ ...t, replies: mergeMessages(t.replies, [message]) }));
  }

  /** Reply in the open thread; true once stored (the text stays in the composer otherwise). */
  async reply(text: string): Promise<boolean> {
    const thread = this.store.getState().thread;
    if (!thread || !text.trim()) return false;
    const stored = await withNotice(
      () =>
        this.request("messages:send", { chat_id: thread.chatId, text, reply_to: thread.root, client_id: newClientId() }),
      (notice) => this.store.notify(notice),
    );
    if (!stored) return false;
    this.received(stored);
    return true;
  }

  private change(update: (thread: ThreadView) => ThreadView): void {
    this.store.update((s) => (s.thread ? { ...s, thread: update(s.thread) } : s));
  }
}
