/** Test helpers: messages and chats with sensible defaults. */

import type { Chat, Message } from "../protocol";

export function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    chat_id: "general",
    seq,
    id: `m${seq}`,
    sender: "alice",
    text: `message ${seq}`,
    sent_at: "2026-11-25T12:00:00Z",
    via: "web",
    ...overrides,
  };
}

export function chat(overrides: Partial<Chat> = {}): Chat {
  return {
    id: "general",
    name: "general",
    private: false,
    owner: "alice",
    members: ["alice", "bob"],
    created_at: "2026-11-01T00:00:00Z",
    last_seq: 0,
    revision: 1,
    ...overrides,
  };
}
