import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import { chat, message } from "../lib/testing";
import type { Mention } from "../protocol";
import { Notifier, type NotificationApi } from "./notifications";
import { initialState, type ChatState } from "./state";

/** The Notification API as a test sees it: what was asked and shown. */
function fakeApi(permission: NotificationPermission) {
  const shown: { title: string; body: string | undefined }[] = [];
  let asked = 0;
  class Fake {
    static permission = permission;
    static requestPermission = () => {
      asked += 1;
      return Promise.resolve(Fake.permission);
    };
    onclick: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body });
    }
    close(): void {}
  }
  return { api: Fake as unknown as NotificationApi, shown, asked: () => asked };
}

function stateWith(overrides: Partial<ChatState> = {}): ChatState {
  const dm = chat({ id: "dm1", name: "alice,bob", kind: "dm", private: true });
  const room = chat({ id: "general", name: "general" });
  return { ...initialState("alice", null), chats: { dm1: dm, general: room }, ...overrides };
}

const noLookUp = () => Promise.resolve(null);

const mention: Mention = { id: "1", chat_id: "general", seq: 4, sender: "bob", excerpt: "hey @alice", sent_at: "2026-11-25T12:00:00Z" };

describe("Notifier", () => {
  beforeEach(() => vi.stubGlobal("document", { visibilityState: "hidden" }));
  afterEach(() => vi.unstubAllGlobals());

  test("a mention in a hidden tab shows one notification, with who and where", () => {
    const fake = fakeApi("granted");
    const notifier = new Notifier(() => stateWith(), () => undefined, noLookUp, fake.api);
    notifier.mentioned(mention);
    notifier.mentioned(mention);
    expect(fake.shown).toEqual([{ title: "bob in general", body: "hey @alice" }]);
  });

  test("a DM from the other person notifies; one's own, a channel's, a muted DM's do not", () => {
    const fake = fakeApi("granted");
    let state = stateWith();
    const notifier = new Notifier(() => state, () => undefined, noLookUp, fake.api);
    notifier.received(message(1, { chat_id: "dm1", sender: "alice" }));
    notifier.received(message(2, { chat_id: "general", sender: "bob" }));
    notifier.received(message(3, { chat_id: "dm1", sender: "bob", text: "psst" }));
    state = stateWith({ reads: { dm1: { readSeq: 0, unread: 0, mentions: 0, muted: true, role: "member", countedSeq: 0 } } });
    notifier.received(message(4, { chat_id: "dm1", sender: "bob" }));
    expect(fake.shown).toEqual([{ title: "bob", body: "psst" }]);
  });

  test("a DM's first message, before its chat is held, notifies once the chat is looked up", async () => {
    const fake = fakeApi("granted");
    const dm = chat({ id: "dm2", name: "alice,carol", kind: "dm", private: true });
    const notifier = new Notifier(() => stateWith(), () => undefined, () => Promise.resolve(dm), fake.api);
    notifier.received(message(1, { chat_id: "dm2", sender: "carol", text: "hi" }));
    await Promise.resolve();
    await Promise.resolve();
    expect(fake.shown).toEqual([{ title: "carol", body: "hi" }]);
  });

  test("nothing shows while the tab is visible", () => {
    vi.stubGlobal("document", { visibilityState: "visible" });
    const fake = fakeApi("granted");
    new Notifier(() => stateWith(), () => undefined, noLookUp, fake.api).mentioned(mention);
    expect(fake.shown).toEqual([]);
  });

  test("permission is asked for after the first mention, once, never before", () => {
    const fake = fakeApi("default");
    const notifier = new Notifier(() => stateWith(), () => undefined, noLookUp, fake.api);
    expect(fake.asked()).toBe(0);
    notifier.mentioned(mention);
    notifier.mentioned({ ...mention, id: "2", seq: 5 });
    expect(fake.asked()).toBe(1);
    expect(fake.shown).toEqual([]);
  });
});
