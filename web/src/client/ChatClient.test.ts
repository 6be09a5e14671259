import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { Socket } from "socket.io-client";

import type { Envelope, Message } from "../protocol";
import { chat, memberEvent, message } from "../lib/testing";
import { ChatClient } from "./ChatClient";

type Handler = (...args: unknown[]) => void;
type Ack = (error: Error | null, envelope?: Envelope<unknown>) => void;
interface Emitted {
  event: string;
  payload: Record<string, unknown>;
  ack: Ack;
}

/** A socket.io client stand-in: records what is emitted; the test plays the server. */
class FakeSocket {
  connected = false;
  active = true;
  emitted: Emitted[] = [];
  private handlers = new Map<string, Handler[]>();
  /** How the server answers; undefined: the answer is lost. */
  server: (event: string, payload: Record<string, unknown>) => Envelope<unknown> | undefined = () => ({
    ok: true,
    data: {},
  });

  on(event: string, handler: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  connect(): this {
    return this;
  }
  disconnect(): this {
    this.connected = false;
    return this;
  }
  removeAllListeners(): this {
    this.handlers.clear();
    return this;
  }
  timeout(): { emit: (event: string, payload: Record<string, unknown>, ack: Ack) => void } {
    return {
      emit: (event, payload, ack) => {
        this.emitted.push({ event, payload, ack });
        const envelope = this.server(event, payload);
        if (envelope) queueMicrotask(() => ack(null, envelope));
      },
    };
  }
  fire(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
  up(): void {
    this.connected = true;
    this.fire("connect");
  }
  down(): void {
    this.connected = false;
    this.fire("disconnect", "transport close");
  }
  sent(event: string): Record<string, unknown>[] {
    return this.emitted.filter((e) => e.event === event).map((e) => e.payload);
  }
}

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  } as unknown as Storage;
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** A server holding `stored` messages of chat "general", where alice is a member. */
function serverWith(stored: Message[], pageSize = 2, oldestKept = 1) {
  return (event: string, payload: Record<string, unknown>): Envelope<unknown> | undefined => {
    switch (event) {
      case "chats:list":
        return {
          ok: true,
          data: [{ ...chat({ last_seq: stored.length }), role: "member", read_seq: 0, unread: stored.length, mentions: 0, muted: false }],
        };
      case "reads:mark":
        return { ok: true, data: { chat_id: payload.chat_id, read_seq: payload.seq } };
      case "presence:list":
        return { ok: true, data: [] };
      case "chats:browse":
        return { ok: true, data: { chats: [], more: false } };
      case "messages:history": {
        const after = (payload.after as number | undefined) ?? null;
        const before = (payload.before as number | undefined) ?? null;
        const kept = stored.filter((m) => m.seq >= oldestKept);
        if (before !== null) {
          const older = kept.filter((m) => m.seq < before);
          const page = older.slice(-pageSize);
          const more = older.length > pageSize;
          return { ok: true, data: { messages: page, more, truncated: oldestKept > 1 && before - pageSize < oldestKept } };
        }
        const matching = after === null ? kept.slice(-pageSize) : kept.filter((m) => m.seq > after);
        const page = after === null ? matching : matching.slice(0, pageSize);
        const more = after === null ? kept.length > pageSize : matching.length > pageSize;
        const truncated = after === null ? !more && stored.length > kept.length : false;
        return { ok: true, data: { messages: page, more, truncated } };
      }
      case "messages:send": {
        const existing = stored.find((m) => m.id === payload.client_id);
        const sent =
          existing ?? message(stored.length + 1, { id: payload.client_id as string, text: payload.text as string });
        if (!existing) stored.push(sent);
        return { ok: true, data: sent };
      }
      default:
        return { ok: true, data: {} };
    }
  };
}

describe("ChatClient", () => {
  let socket: FakeSocket;
  let client: ChatClient;

  beforeEach(() => {
    vi.stubGlobal("sessionStorage", memoryStorage());
    vi.stubGlobal("localStorage", memoryStorage());
    vi.stubGlobal("document", { visibilityState: "visible" });
    socket = new FakeSocket();
    client = new ChatClient({
      token: "t",
      username: "alice",
      onSessionEnded: () => undefined,
      socket: socket as unknown as Socket,
      notifications: null,
    });
    client.start();
  });

  afterEach(() => {
    client.close();
    vi.unstubAllGlobals();
  });

  test("a message sent while offline is pending, then sent once connected with its client_id", async () => {
    const stored: Message[] = [];
    socket.server = serverWith(stored);
    client.send("general", "hello");
    expect(client.getState().pending).toHaveLength(1);
    expect(socket.sent("messages:send")).toHaveLength(0);

    socket.up();
    await settle();
    expect(client.getState().pending).toHaveLength(0);
    expect(socket.sent("messages:send")).toEqual([{ chat_id: "general", text: "hello", client_id: stored[0]?.id }]);
    expect(stored).toHaveLength(1);
  });

  test("an unacknowledged send is re-sent with the same client_id after a reconnect and held once", async () => {
    const stored: Message[] = [];
    const server = serverWith(stored);
    socket.server = server;
    socket.up();
    await settle();
    client.openChat("general");
    await settle();

    // The server stores the message and announces it, but the ack is lost with the connection.
    socket.server = (event, payload) => {
      const envelope = server(event, payload);
      if (event === "messages:send") {
        socket.fire("message", (envelope as { data: Message }).data);
        return undefined;
      }
      return envelope;
    };
    client.send("general", "are you there?");
    await settle();
    expect(client.getState().pending).toHaveLength(1);

    socket.down();
    socket.server = server;
    socket.up();
    await settle();

    const sends = socket.sent("messages:send");
    expect(sends).toHaveLength(2);
    expect(sends[1]?.client_id).toBe(sends[0]?.client_id);
    expect(stored).toHaveLength(1);
    expect(client.getState().pending).toHaveLength(0);
    expect(client.getState().messages.general?.items.map((m) => m.text)).toEqual(["are you there?"]);
  });

  test("after a reconnect every loaded chat is caught up page by page, each message once, in order", async () => {
    const stored = [1, 2, 3].map((seq) => message(seq));
    socket.server = serverWith(stored);
    socket.up();
    await settle();
    client.openChat("general");
    await settle();
    expect(client.getState().messages.general?.items.map((m) => m.seq)).toEqual([2, 3]);

    socket.down();
    stored.push(...[4, 5, 6, 7, 8].map((seq) => message(seq)));
    socket.up();
    await settle();

    expect(client.getState().messages.general?.items.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    // The open chat's newest page again (it carries edits made while away), then the hole
    // before it from the newest held on, until the server says there is no more.
    const asked = socket.sent("messages:history").slice(-4);
    expect(asked.map((p) => p.after ?? null)).toEqual([null, 3, 5, 8]);
  });

  test("scrolling back to where retention cut the history says older messages are gone", async () => {
    const stored = [1, 2, 3, 4, 5].map((seq) => message(seq));
    socket.server = serverWith(stored, 2, 3); // 1 and 2 are no longer kept
    socket.up();
    await settle();
    client.openChat("general");
    await settle();
    expect(client.getState().messages.general).toMatchObject({ hasOlder: true, olderGone: false });

    await client.loadOlder("general");
    expect(client.getState().messages.general?.items.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(client.getState().messages.general).toMatchObject({ hasOlder: false, olderGone: true });
  });

  test("a chat whose whole history is kept never says older messages are gone", async () => {
    socket.server = serverWith([1, 2, 3].map((seq) => message(seq)));
    socket.up();
    await settle();
    client.openChat("general");
    await settle();
    await client.loadOlder("general");
    expect(client.getState().messages.general).toMatchObject({ hasOlder: false, olderGone: false });
  });

  test("a message after a gap fetches the missing ones", async () => {
    const stored = [1, 2].map((seq) => message(seq));
    socket.server = serverWith(stored);
    socket.up();
    await settle();
    client.openChat("general");
    await settle();

    stored.push(message(3), message(4), message(5));
    socket.fire("message", message(5));
    await settle();

    expect(client.getState().messages.general?.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    // From the hole on, until the server says there is no more.
    expect(socket.sent("messages:history").map((p) => p.after).slice(-2)).toEqual([2, 5]);
  });

  test("unread counts start from the server's and follow message events in chats that are not open", async () => {
    socket.server = serverWith([message(1, { sender: "bob" })]);
    socket.up();
    await settle();
    expect(client.getState().reads.general?.unread).toBe(1);
    socket.fire("message", message(2, { sender: "bob" }));
    socket.fire("message", message(3, { sender: "bob", mentions: ["alice"] }));
    expect(client.getState().reads.general).toMatchObject({ unread: 3, mentions: 1 });
    expect(socket.sent("reads:mark")).toEqual([]);
  });

  test("opening a chat marks its newest message read on the server", async () => {
    const stored = [message(1, { sender: "bob" }), message(2, { sender: "bob" })];
    socket.server = serverWith(stored);
    socket.up();
    await settle();
    client.openChat("general");
    await settle();
    expect(socket.sent("reads:mark")).toEqual([{ chat_id: "general", seq: 2 }]);
    expect(client.getState().reads.general).toMatchObject({ readSeq: 2, unread: 0 });
  });

  test("a hidden tab marks nothing, and marks once it is seen", async () => {
    vi.stubGlobal("document", { visibilityState: "hidden" });
    socket.server = serverWith([message(1, { sender: "bob" })]);
    socket.up();
    await settle();
    client.openChat("general");
    await settle();
    expect(socket.sent("reads:mark")).toEqual([]);
    expect(client.getState().reads.general?.unread).toBe(1);
    vi.stubGlobal("document", { visibilityState: "visible" });
    client.markActiveSeen();
    await settle();
    expect(socket.sent("reads:mark")).toEqual([{ chat_id: "general", seq: 1 }]);
  });

  test("a read event from the user's other socket clears the chat's count", async () => {
    socket.server = serverWith([message(1, { sender: "bob" }), message(2, { sender: "bob" })]);
    socket.up();
    await settle();
    expect(client.getState().reads.general?.unread).toBe(2);
    socket.fire("read", { chat_id: "general", read_seq: 2 });
    expect(client.getState().reads.general?.unread).toBe(0);
  });

  test("message_changed replaces the held message; a thread reply shows in its open thread only", async () => {
    const stored = [message(1), message(2)];
    socket.server = (event, payload) =>
      event === "messages:thread" ? { ok: true, data: { messages: [], more: false } } : serverWith(stored)(event, payload);
    socket.up();
    await settle();
    client.openChat("general");
    await settle();
    socket.fire("message_changed", message(2, { text: "fixed", edited_at: "2026-11-25T12:01:00Z" }));
    expect(client.getState().messages.general?.items[1]?.text).toBe("fixed");
    void client.threads.open("general", 1);
    await settle();
    const reply = message(3, { reply_to: 1, sender: "bob" });
    stored.push(reply);
    socket.fire("message", reply);
    socket.fire("message_changed", message(1, { thread: { count: 1, last_at: reply.sent_at } }));
    expect(client.getState().thread?.replies.map((m) => m.seq)).toEqual([3]);
    expect(client.getState().messages.general?.items.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(client.getState().messages.general?.items[0]?.thread?.count).toBe(1);
  });

  test("a refused send is kept, marked in plain words, and not sent again by itself", async () => {
    socket.server = (event) =>
      event === "messages:send"
        ? { ok: false, error: { code: "forbidden", message: "join the chat before posting in it" } }
        : serverWith([])(event, {});
    socket.up();
    await settle();
    client.send("general", "hi");
    await settle();
    expect(client.getState().pending[0]?.error).toBe("You are not a member of this chat. Join it to post.");
    socket.down();
    socket.up();
    await settle();
    expect(socket.sent("messages:send")).toHaveLength(1);
  });

  test("a public channel created by someone else stays out of the sidebar and shows in browse", async () => {
    socket.server = serverWith([]);
    socket.up();
    await settle();
    void client.chats.browse("");
    await settle();
    socket.fire("chat", chat({ id: "lunch", name: "lunch", owner: "bob", member_count: 1 }));
    expect(Object.keys(client.getState().chats)).toEqual(["general"]);
    expect(client.getState().browse?.chats.map((c) => c.id)).toEqual(["lunch"]);
  });

  test("joined in another tab: the chat is asked for and appears; left there: it goes", async () => {
    const secret = chat({ id: "secret", name: "secret", private: true, revision: 4 });
    const server = serverWith([]);
    socket.server = (event, payload) =>
      event === "chats:get" && payload.chat_id === "secret" ? { ok: true, data: secret } : server(event, payload);
    socket.up();
    await settle();

    socket.fire("member", memberEvent({ chat_id: "secret", username: "alice", revision: 4 }));
    await settle();
    expect(socket.sent("chats:get")).toEqual([{ chat_id: "secret" }]);
    expect(client.getState().chats.secret?.name).toBe("secret");

    client.openChat("secret");
    socket.fire("member", memberEvent({ chat_id: "secret", username: "alice", action: "left", revision: 5 }));
    socket.fire("chat", { ...secret, revision: 5 }); // sent to the leaver too
    expect(client.getState().chats.secret).toBeUndefined();
    expect(client.getState().activeChatId).toBeNull();
    expect(sessionStorage.getItem("chatbus.activeChat")).toBeNull();
  });

  test("kicked from the open chat: it closes with a notice and its pending sends go", async () => {
    socket.server = serverWith([]);
    socket.up();
    await settle();
    client.openChat("general");
    socket.down();
    client.send("general", "never sent");
    socket.fire("member", memberEvent({ username: "alice", action: "kicked", revision: 9 }));
    expect(client.getState()).toMatchObject({ activeChatId: null, pending: [] });
    expect(client.getState().notice?.text).toBe("You were removed from general.");
  });

  test("someone else joining updates the count in the sidebar and in the open members panel", async () => {
    socket.server = (event, payload) =>
      event === "chats:members"
        ? { ok: true, data: { members: [{ username: "alice", role: "owner", joined_at: "2026-11-01T00:00:00Z" }], more: false } }
        : serverWith([])(event, payload);
    socket.up();
    await settle();
    void client.chats.openMembers("general");
    await settle();
    socket.fire("member", memberEvent({ username: "bob", member_count: 2, revision: 3 }));
    expect(client.getState().chats.general?.member_count).toBe(2);
    expect(client.getState().memberList?.members.map((m) => m.username)).toEqual(["alice", "bob"]);
  });

  test("a reconnect lists the chats again: one left meanwhile is gone", async () => {
    let listed = [chat(), chat({ id: "lunch", name: "lunch" })];
    const server = serverWith([]);
    socket.server = (event, payload) => (event === "chats:list" ? { ok: true, data: listed } : server(event, payload));
    socket.up();
    await settle();
    client.openChat("lunch");
    expect(Object.keys(client.getState().chats).sort()).toEqual(["general", "lunch"]);

    socket.down();
    listed = [chat()];
    socket.up();
    await settle();
    expect(Object.keys(client.getState().chats)).toEqual(["general"]);
    expect(client.getState().activeChatId).toBeNull();
  });

  test("the answer to an older search is dropped for the newer one", async () => {
    const answers: Array<() => void> = [];
    socket.server = (event, payload) => {
      if (event !== "chats:browse") return serverWith([])(event, payload);
      const last = socket.emitted[socket.emitted.length - 1]!;
      const found = { chats: [chat({ id: String(payload.query), name: String(payload.query) })], more: false };
      answers.push(() => last.ack(null, { ok: true, data: found }));
      return undefined;
    };
    socket.up();
    await settle();
    void client.chats.browse("lu");
    void client.chats.browse("lunch");
    answers[1]!();
    answers[0]!();
    await settle();
    expect(client.getState().browse).toMatchObject({ query: "lunch", loaded: true });
    expect(client.getState().browse?.chats.map((c) => c.id)).toEqual(["lunch"]);
  });

  test("load more asks after the last chat shown", async () => {
    socket.server = (event, payload) =>
      event === "chats:browse"
        ? { ok: true, data: { chats: [chat({ id: payload.after ? "c2" : "c1" })], more: !payload.after } }
        : serverWith([])(event, payload);
    socket.up();
    await settle();
    await client.chats.browse("");
    await client.chats.browseMore();
    expect(socket.sent("chats:browse")).toEqual([
      { query: null, limit: 50 },
      { query: null, after: "c1", limit: 50 },
    ]);
    expect(client.getState().browse).toMatchObject({ more: false });
    expect(client.getState().browse?.chats.map((c) => c.id)).toEqual(["c1", "c2"]);
  });
});
