/**
 * Browser notifications for mentions and DMs while the tab is hidden. Permission is asked
 * for after the first mention or DM arrives, never on load; muted chats stay quiet (the
 * server sends no `mention` for them, and DMs in them are skipped here).
 */

import type { Chat, Mention, Message } from "../protocol";
import { displayName, type ChatState } from "./state";

/** The page's Notification API, or null where there is none (tests, old browsers). */
export type NotificationApi = Pick<typeof Notification, "permission" | "requestPermission"> &
  (new (title: string, options?: NotificationOptions) => Notification);

// How many notified messages are remembered to show each once (a DM that is also a mention).
const REMEMBERED = 200;

export class Notifier {
  private asked = false;
  private readonly shown: string[] = [];

  constructor(
    private readonly getState: () => ChatState,
    private readonly open: (chatId: string) => void,
    /** A chat not held yet (a DM's first message can come before its `chat` event). */
    private readonly lookUp: (chatId: string) => Promise<Chat | null>,
    private readonly api: NotificationApi | null = typeof Notification === "undefined" ? null : Notification,
  ) {}

  /** A `mention` event. */
  mentioned(mention: Mention): void {
    const state = this.getState();
    const where = state.chats[mention.chat_id]?.name ?? "a chat";
    this.notify(mention.chat_id, mention.seq, `${displayName(state, mention.sender)} in ${where}`, mention.excerpt);
  }

  /** A new message: in a DM from the other person, unless muted. */
  received(message: Message): void {
    const state = this.getState();
    if (message.sender === state.me || !this.api) return;
    const chat = state.chats[message.chat_id];
    if (chat) this.dmReceived(chat, message);
    else void this.lookUp(message.chat_id).then((found) => found && this.dmReceived(found, message));
  }

  private dmReceived(chat: Chat, message: Message): void {
    const state = this.getState();
    if (chat.kind !== "dm" || state.reads[chat.id]?.muted) return;
    this.notify(chat.id, message.seq, displayName(state, message.sender), message.text.slice(0, 200));
  }

  private notify(chatId: string, seq: number, title: string, body: string): void {
    const api = this.api;
    if (!api) return;
    const key = `${chatId}:${seq}`;
    if (this.shown.includes(key)) return;
    this.shown.push(key);
    if (this.shown.length > REMEMBERED) this.shown.shift();
    if (api.permission === "default") {
      if (!this.asked) {
        this.asked = true;
        void api.requestPermission();
      }
      return;
    }
    if (api.permission !== "granted" || document.visibilityState !== "hidden") return;
    const shown = new api(title, { body, tag: key });
    shown.onclick = () => {
      window.focus();
      this.open(chatId);
      shown.close();
    };
  }
}
