/**
 * A chat's settings and its members' roles: rename and topic (owner and admins), mute (each
 * user for themself), make or unmake admins (owner), kick (owner and admins).
 */

import type { Chat, Member } from "../protocol";
import { withNotice } from "../lib/errors";
import { viewChanged } from "../lib/readState";
import type { Requester } from "./connection";
import type { SessionStore } from "./store";

export class ChatModeration {
  constructor(
    private readonly store: SessionStore,
    private readonly request: Requester,
    private readonly chatChanged: (chat: Chat) => void,
  ) {}

  /** Rename the chat or change its topic; true once stored. */
  async update(chatId: string, name: string, topic: string): Promise<boolean> {
    const chat = await this.act(() => this.request("chats:update", { chat_id: chatId, name, topic }));
    if (chat) this.chatChanged(chat);
    return chat !== null;
  }

  async mute(chatId: string, muted: boolean): Promise<boolean> {
    const view = await this.act(() => this.request("chats:mute", { chat_id: chatId, muted }));
    if (view) this.store.update((s) => ({ ...s, reads: viewChanged(s.reads, view) }));
    return view !== null;
  }

  async setRole(chatId: string, username: string, role: "admin" | "member"): Promise<Member | null> {
    const member = await this.act(() => this.request("chats:set_role", { chat_id: chatId, username, role }));
    if (member) {
      this.store.update((s) => {
        const list = s.memberList;
        if (list?.chatId !== chatId) return s;
        const members = list.members.map((m) => (m.username === username ? member : m));
        return { ...s, memberList: { ...list, members } };
      });
    }
    return member;
  }

  async kick(chatId: string, username: string): Promise<boolean> {
    const chat = await this.act(() => this.request("chats:kick", { chat_id: chatId, username }));
    if (!chat) return false;
    this.chatChanged(chat); // the `member` event takes them off the members panel
    return true;
  }

  private act<T>(action: () => Promise<T>): Promise<T | null> {
    return withNotice(action, (text) => this.store.notify(text));
  }
}
