import { describe, expect, test } from "vitest";

import { chat } from "./testing";
import { loadLastSeen, markSeen, saveLastSeen, unreadCount } from "./unread";

class MemoryStorage implements Pick<Storage, "getItem" | "setItem"> {
  private items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe("unread counts", () => {
  test("the messages after the last one seen are unread", () => {
    expect(unreadCount(chat({ last_seq: 7 }), { general: 4 })).toBe(3);
  });

  test("a chat never opened counts all its messages", () => {
    expect(unreadCount(chat({ last_seq: 2 }), {})).toBe(2);
  });

  test("messages seen beyond the newest known count as none unread", () => {
    expect(unreadCount(chat({ last_seq: 3 }), { general: 5 })).toBe(0);
  });

  test("seen never goes backwards", () => {
    const seen = markSeen({ general: 8 }, "general", 5);
    expect(seen).toEqual({ general: 8 });
    expect(markSeen(seen, "general", 9)).toEqual({ general: 9 });
  });

  test("kept per user across page loads", () => {
    const storage = new MemoryStorage() as unknown as Storage;
    saveLastSeen("alice", { general: 3 }, storage);
    expect(loadLastSeen("alice", storage)).toEqual({ general: 3 });
    expect(loadLastSeen("bob", storage)).toEqual({});
  });

  test("a damaged entry reads as nothing seen", () => {
    const storage = new MemoryStorage() as unknown as Storage;
    storage.setItem("chatbus.lastSeen.alice", "{not json");
    expect(loadLastSeen("alice", storage)).toEqual({});
    storage.setItem("chatbus.lastSeen.alice", JSON.stringify({ general: "x", b: 2 }));
    expect(loadLastSeen("alice", storage)).toEqual({ b: 2 });
  });
});
