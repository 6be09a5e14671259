import { describe, expect, test } from "vitest";

import { dayLabel, withDaySeparators } from "./days";
import { message } from "./testing";

// Local times, so the tests hold in any time zone.
const at = (y: number, mo: number, d: number, h = 12) => new Date(y, mo - 1, d, h).toISOString();
const now = new Date(2026, 10, 25, 15);

describe("day separators", () => {
  test("one before the first message of each day", () => {
    const items = withDaySeparators(
      [
        message(1, { sent_at: at(2026, 11, 24, 9) }),
        message(2, { sent_at: at(2026, 11, 24, 18) }),
        message(3, { sent_at: at(2026, 11, 25, 8) }),
      ],
      now,
      "en-GB",
    );
    expect(items.map((i) => (i.kind === "day" ? i.label : i.message.seq))).toEqual(["Yesterday", 1, 2, "Today", 3]);
  });

  test("no messages, no separators", () => {
    expect(withDaySeparators([], now)).toEqual([]);
  });

  test("older days by date; the year only when it is not this one", () => {
    const thisYear = dayLabel(new Date(2026, 10, 3), now, "en-GB");
    expect(thisYear).toMatch(/^Tuesday,? 3 November$/);
    expect(dayLabel(new Date(2025, 10, 3), now, "en-GB")).toMatch(/^Monday,? 3 November 2025$/);
  });

  test("midnight belongs to the new day", () => {
    expect(dayLabel(new Date(2026, 10, 25, 0, 0), now)).toBe("Today");
    expect(dayLabel(new Date(2026, 10, 24, 23, 59), now)).toBe("Yesterday");
  });
});
