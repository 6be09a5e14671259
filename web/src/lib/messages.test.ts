import { describe, expect, test } from "vitest";

import { mergeMessages, missingAfter, newestSeq } from "./messages";
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
