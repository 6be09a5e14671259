import { describe, expect, test } from "vitest";

import { activeTypers, shouldAnnounceTyping, typingExpiry, typingLabel } from "./typing";

describe("typing", () => {
  test("announced at most every 2 s while typing", () => {
    expect(shouldAnnounceTyping(undefined, 1000)).toBe(true);
    expect(shouldAnnounceTyping(1000, 2500)).toBe(false);
    expect(shouldAnnounceTyping(1000, 3000)).toBe(true);
  });

  test("shown until the event's expires_at", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    expect(typingExpiry("2026-11-25T12:00:04Z", now)).toBe(now + 4000);
  });

  test("a skewed clock still shows the notice for a few seconds, never forever", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    expect(typingExpiry("2026-11-25T11:59:00Z", now)).toBe(now + 5000);
    expect(typingExpiry("2026-11-25T13:00:00Z", now)).toBe(now + 5000);
    expect(typingExpiry("garbage", now)).toBe(now + 5000);
  });

  test("only unexpired typers are shown", () => {
    expect(activeTypers({ bob: 2000, carol: 500, al: 3000 }, 1000)).toEqual(["al", "bob"]);
    expect(activeTypers(undefined, 1000)).toEqual([]);
  });

  test("labels", () => {
    expect(typingLabel([])).toBe("");
    expect(typingLabel(["bob"])).toBe("bob is typing…");
    expect(typingLabel(["bob", "carol"])).toBe("bob and carol are typing…");
    expect(typingLabel(["a", "b", "c"])).toBe("3 people are typing…");
  });
});
