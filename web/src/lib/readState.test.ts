import { describe, expect, test } from "vitest";

import type { ChatView } from "../protocol";
import { faviconFor, freshView, listedViews, markerMoved, messageCounted, relisted, titleFor, toMark, totalUnread, withView } from "./readState";
import { chat, message } from "./testing";

function view(overrides: Partial<ChatView> = {}): ChatView {
  return { ...chat({ last_seq: 10 }), role: "member", read_seq: 7, unread: 3, mentions: 1, muted: false, ...overrides };
}

describe("read state", () => {
  test("a list gives each chat's marker and counts as the server computed them", () => {
    const views = listedViews([view(), view({ id: "random", unread: 0, read_seq: 10 })]);
    expect(views.general).toMatchObject({ readSeq: 7, unread: 3, mentions: 1, countedSeq: 10 });
    expect(totalUnread(views)).toBe(3);
  });

  test("a message from someone else after what was counted is one more unread", () => {
    let views = listedViews([view()]);
    views = messageCounted(views, message(11, { sender: "bob" }), "alice");
    expect(views.general).toMatchObject({ unread: 4, mentions: 1, countedSeq: 11 });
    views = messageCounted(views, message(12, { sender: "bob", mentions: ["alice"] }), "alice");
    expect(views.general).toMatchObject({ unread: 5, mentions: 2 });
  });

  test("the same message twice, an old one, or one's own counts nothing", () => {
    let views = listedViews([view()]);
    views = messageCounted(views, message(11, { sender: "bob" }), "alice");
    expect(messageCounted(views, message(11, { sender: "bob" }), "alice")).toBe(views);
    expect(messageCounted(views, message(9, { sender: "bob" }), "alice")).toBe(views);
    expect(messageCounted(views, message(12, { sender: "alice" }), "alice").general).toMatchObject({ unread: 4, countedSeq: 12 });
  });

  test("a marker at the newest counted clears the counts; it never moves back", () => {
    let views = listedViews([view()]);
    views = markerMoved(views, "general", 10);
    expect(views.general).toMatchObject({ readSeq: 10, unread: 0, mentions: 0 });
    expect(markerMoved(views, "general", 8)).toBe(views);
  });

  test("a marker part of the way leaves at most the messages after it unread", () => {
    const views = markerMoved(listedViews([view({ unread: 3, mentions: 3 })]), "general", 9);
    expect(views.general).toMatchObject({ readSeq: 9, unread: 1, mentions: 1 });
  });

  test("a new list keeps a marker that moved further meanwhile", () => {
    const held = markerMoved(listedViews([view()]), "general", 10);
    expect(relisted(held, [view({ read_seq: 8, unread: 2 })]).general).toMatchObject({ readSeq: 10, unread: 0 });
    expect(relisted(held, [view({ read_seq: 12, unread: 0, last_seq: 12 })]).general?.readSeq).toBe(12);
  });

  test("a chat joined since the list counts from its newest message", () => {
    const views = withView({}, "random", 4, "owner");
    expect(views.random).toMatchObject({ readSeq: 4, unread: 0, role: "owner" });
    expect(withView(views, "random", 9)).toBe(views);
    expect(messageCounted(views, { ...message(5, { sender: "bob" }), chat_id: "random" }, "alice").random?.unread).toBe(1);
  });

  test("muted chats keep their counts", () => {
    const views = messageCounted(listedViews([view({ muted: true })]), message(11, { sender: "bob" }), "alice");
    expect(views.general?.unread).toBe(4);
  });

  test("only a newer message than the marker is marked", () => {
    expect(toMark(freshView(5), 5)).toBeNull();
    expect(toMark(freshView(5), 6)).toBe(6);
    expect(toMark(undefined, 6)).toBeNull();
  });

  test("the title and the favicon carry the count", () => {
    expect(titleFor(0)).toBe("chatbus");
    expect(titleFor(4)).toBe("(4) chatbus");
    expect(decodeURIComponent(faviconFor(4))).toContain(">4</text>");
    expect(decodeURIComponent(faviconFor(120))).toContain(">99+</text>");
    expect(decodeURIComponent(faviconFor(0))).not.toContain("<text");
  });
});
