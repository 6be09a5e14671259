/** Test helpers: messages, chats and member events with sensible defaults. */

import type { Chat, MemberEvent, Message } from "../protocol";

export function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    chat_id: "general",
    seq,
    id: `m${seq}`,
    sender: "alice",
    text: `message ${seq}`,
    sent_at: "2026-11-25T12:00:00Z",
    via: "web",
    edited_at: null,
    deleted: false,
    reply_to: null,
    thread: null,
    reactions: [],
    mentions: [],
    files: [],
    ...overrides,
  };
}

export function chat(overrides: Partial<Chat> = {}): Chat {
  return {
    id: "general",
    name: "general",
    kind: "channel",
    private: false,
    owner: "alice",
    topic: "",
    member_count: 2,
    pinned: [],
    created_at: "2026-11-01T00:00:00Z",
    last_seq: 0,
    revision: 1,
    ...overrides,
  };
}

export function memberEvent(overrides: Partial<MemberEvent> = {}): MemberEvent {
  return { chat_id: "general", username: "bob", action: "joined", member_count: 3, revision: 2, ...overrides };
}
