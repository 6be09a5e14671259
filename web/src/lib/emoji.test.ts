import { describe, expect, test } from "vitest";

import { reactionEmoji } from "./emoji";

describe("reactionEmoji", () => {
  test("drops a presentation selector the emoji does not need", () => {
    expect(reactionEmoji("\u{1F44D}\uFE0F")).toBe("\u{1F44D}");
  });

  test("keeps one that makes the emoji, and every other sequence as it is", () => {
    expect(reactionEmoji("\u2764\uFE0F")).toBe("\u2764\uFE0F");
    expect(reactionEmoji("\u{1F469}\u200D\u{1F4BB}")).toBe("\u{1F469}\u200D\u{1F4BB}");
    expect(reactionEmoji("\u{1F44D}\u{1F3FD}")).toBe("\u{1F44D}\u{1F3FD}");
  });
});
