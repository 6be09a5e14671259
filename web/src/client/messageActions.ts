/**
 * What a user does to a message: edit their own, delete (their own, or any as a chat's owner
 * or admin or a workspace admin), react, pin. Each answer is the message's (or chat's) new
 * state, held at once; the `message_changed` and `chat` events bring it to everyone else.
 */

import type { Chat, Message } from "../protocol";
import { withNotice } from "../lib/errors";
import type { Requester } from "./connection";

export interface MessageActionsHost {
  request: Requester;
  notify: (text: string) => void;
  /** The message's new state. */
  changed: (message: Message) => void;
  /** The chat's new state (its pins). */
  chatChanged: (chat: Chat) => void;
}

export class MessageActions {
  constructor(private readonly host: MessageActionsHost) {}

  /** Replace the text of one's own message; true once stored. */
  async edit(chatId: string, seq: number, text: string): Promise<boolean> {
    return this.changing(() => this.host.request("messages:edit", { chat_id: chatId, seq, text }));
  }

  async delete(chatId: string, seq: number): Promise<boolean> {
    return this.changing(() => this.host.request("messages:delete", { chat_id: chatId, seq }));
  }

  /** Add one's reaction (`on`), or take it back. */
  async react(chatId: string, seq: number, emoji: string, on: boolean): Promise<boolean> {
    return this.changing(() => this.host.request("messages:react", { chat_id: chatId, seq, emoji, on }));
  }

  async pin(chatId: string, seq: number, pinned: boolean): Promise<boolean> {
    const chat = await withNotice(() => this.host.request("chats:pin", { chat_id: chatId, seq, pinned }), this.host.notify);
    if (!chat) return false;
    this.host.chatChanged(chat);
    return true;
  }

  private async changing(action: () => Promise<Message>): Promise<boolean> {
    const message = await withNotice(action, this.host.notify);
    if (!message) return false;
    this.host.changed(message);
    return true;
  }
}
