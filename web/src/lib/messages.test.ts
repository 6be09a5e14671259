import { describe, expect, test } from "vitest";

import { inMainList, lastEditable, mergeMessages, missingAfter, newestSeq } from "./messages";
import { message } from "./testing";

describe("mergeMessages", () => {
  test("keeps messages ascending by seq whatever order they arrive in", () => {
    const held = mergeMessages([message(2)], [message(5), message(1), message(3)]);
    expect(held.map((m) => m.seq)).toEqual([1, 2, 3, 5]);
  });

  test("a message received twice (event and ack, or a catch-up page) is held once", () => {
    const held = mergeMessages([message(1), message(2)], [message(2), message(3), message(3)]);
    expect(held.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  test("a message with an id already held is not added again", () => {
    const held = mergeMessages([message(1, { id: "x" })], [message(2, { id: "x" })]);
    expect(held).toHaveLength(1);
  });

  test("returns the same array when nothing is new, so nothing re-renders", () => {
    const held = [message(1), message(2)];
    expect(mergeMessages(held, [message(1)])).toBe(held);
    expect(mergeMessages(held, [])).toBe(held);
  });

  test("a held message takes the state of a newer copy: edited, deleted, reacted to, replied to", () => {
    const held = [message(1), message(2)];
    const edited = message(2, { text: "fixed", edited_at: "2026-11-25T12:01:00Z" });
    expect(mergeMessages(held, [edited])[1]).toBe(edited);
    const reacted = message(1, { reactions: [{ emoji: "👍", count: 1, users: ["bob"] }] });
    expect(mergeMessages(held, [reacted])[0]).toBe(reacted);
    const deleted = message(2, { text: "", deleted: true });
    expect(mergeMessages(held, [deleted])[1]?.deleted).toBe(true);
    const root = message(1, { thread: { count: 1, last_at: "2026-11-25T12:02:00Z" } });
    expect(mergeMessages(held, [root])[0]?.thread?.count).toBe(1);
  });

  test("older pages go in front", () => {
    const held = mergeMessages([message(51), message(52)], [message(49), message(50)]);
    expect(held.map((m) => m.seq)).toEqual([49, 50, 51, 52]);
  });
});

describe("missingAfter", () => {
  test("nothing is missing when the held messages are contiguous up to the chat's newest", () => {
    expect(missingAfter([message(3), message(4)], 4)).toBeNull();
  });

  test("a hole is fetched from the message before it", () => {
    expect(missingAfter([message(1), message(2), message(5)], 5)).toBe(2);
  });

  test("messages newer than the held ones are fetched from the newest held", () => {
    expect(missingAfter([message(1), message(2)], 7)).toBe(2);
  });

  test("an empty chat that has messages now is fetched from the start", () => {
    expect(missingAfter([], 3)).toBe(0);
    expect(newestSeq([])).toBe(0);
  });
});

describe("the main list and the Up arrow", () => {
  test("thread replies are held but shown in their thread only", () => {
    const held = [message(1), message(2, { reply_to: 1 }), message(3)];
    expect(inMainList(held).map((m) => m.seq)).toEqual([1, 3]);
    const plain = [message(1)];
    expect(inMainList(plain)).toBe(plain);
  });

  test("the Up arrow edits the user's newest message that is not deleted", () => {
    const held = [message(1), message(2, { sender: "bob" }), message(3, { deleted: true }), message(4, { sender: "bob" })];
    expect(lastEditable(held, "alice")?.seq).toBe(1);
    expect(lastEditable(held, "carol")).toBeNull();
  });
});
