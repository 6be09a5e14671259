import { describe, expect, test } from "vitest";

import {
  loadPending,
  markRefused,
  newClientId,
  savePending,
  settle,
  toSend,
  visiblePending,
  type PendingMessage,
} from "./pending";
import { message } from "./testing";

function pending(clientId: string, text: string, overrides: Partial<PendingMessage> = {}): PendingMessage {
  return { clientId, chatId: "general", text, afterSeq: 10, error: null, ...overrides };
}

describe("pending messages", () => {
  test("client ids are unique", () => {
    expect(newClientId()).not.toBe(newClientId());
  });

  test("everything unacknowledged is sent again after a reconnect, oldest first, same client_id", () => {
    const queue = [pending("a", "one"), pending("b", "two"), pending("c", "three")];
    expect(toSend(queue, new Set()).map((p) => p.clientId)).toEqual(["a", "b", "c"]);
  });

  test("a message on its way is not sent twice at once", () => {
    const queue = [pending("a", "one"), pending("b", "two")];
    expect(toSend(queue, new Set(["a"])).map((p) => p.clientId)).toEqual(["b"]);
  });

  test("a refused message waits for the user; a retry makes it go again", () => {
    let queue = markRefused([pending("a", "one")], "a", "You are not a member of this chat.");
    expect(toSend(queue, new Set())).toEqual([]);
    queue = markRefused(queue, "a", null);
    expect(toSend(queue, new Set()).map((p) => p.clientId)).toEqual(["a"]);
  });

  test("the acknowledgement removes exactly that message", () => {
    const queue = settle([pending("a", "one"), pending("b", "two")], "a");
    expect(queue.map((p) => p.clientId)).toEqual(["b"]);
  });
});

describe("visiblePending", () => {
  test("a pending message is drawn until its stored copy is held", () => {
    const queue = [pending("a", "hi")];
    expect(visiblePending(queue, "general", [message(10)], "alice")).toHaveLength(1);
    const stored = message(11, { sender: "alice", text: "hi" });
    expect(visiblePending(queue, "general", [message(10), stored], "alice")).toHaveLength(0);
  });

  test("two pending messages with the same text need two stored copies", () => {
    const queue = [pending("a", "ok"), pending("b", "ok")];
    const held = [message(11, { sender: "alice", text: "ok" })];
    expect(visiblePending(queue, "general", held, "alice").map((p) => p.clientId)).toEqual(["b"]);
  });

  test("an older message with the same text, or someone else's, does not hide it", () => {
    const queue = [pending("a", "ok")];
    const held = [message(9, { sender: "alice", text: "ok" }), message(12, { sender: "bob", text: "ok" })];
    expect(visiblePending(queue, "general", held, "alice")).toHaveLength(1);
  });

  test("only the chat's own pending messages are drawn", () => {
    const queue = [pending("a", "x", { chatId: "other" }), pending("b", "y")];
    expect(visiblePending(queue, "general", [], "alice").map((p) => p.clientId)).toEqual(["b"]);
  });
});

describe("pending messages across a reload", () => {
  function memoryStorage(): Storage {
    const items = new Map<string, string>();
    return {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    } as unknown as Storage;
  }

  test("are kept with their client_id, per user", () => {
    const storage = memoryStorage();
    savePending("alice", [pending("a", "one")], storage);
    expect(loadPending("alice", storage)).toEqual([pending("a", "one")]);
    expect(loadPending("bob", storage)).toEqual([]);
    savePending("alice", [], storage);
    expect(loadPending("alice", storage)).toEqual([]);
  });

  test("a damaged entry is dropped, not sent", () => {
    const storage = memoryStorage();
    storage.setItem("chatbus.pending.alice", JSON.stringify([{ clientId: 1 }, pending("b", "two")]));
    expect(loadPending("alice", storage).map((p) => p.clientId)).toEqual(["b"]);
  });
});
