/** Day separators between messages, in the reader's own time zone. */

import type { Message } from "../protocol";

export type TimelineItem =
  | { kind: "day"; key: string; label: string }
  | { kind: "message"; message: Message };

function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/** "Today", "Yesterday", or the date, e.g. "Monday, 3 November 2025" (the year only when not this one). */
export function dayLabel(date: Date, now: Date, locale?: string): string {
  if (dayKey(date) === dayKey(now)) return "Today";
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  return date.toLocaleDateString(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
  });
}

/** The messages with a separator before the first one of each day. */
export function withDaySeparators(messages: readonly Message[], now: Date, locale?: string): TimelineItem[] {
  const items: TimelineItem[] = [];
  let previous = "";
  for (const message of messages) {
    const date = new Date(message.sent_at);
    const key = dayKey(date);
    if (key !== previous) {
      items.push({ kind: "day", key: `day-${key}`, label: dayLabel(date, now, locale) });
      previous = key;
    }
    items.push({ kind: "message", message });
  }
  return items;
}

/** The time of day a message was sent, e.g. "14:05". */
export function timeOfDay(iso: string, locale?: string): string {
  return new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}
