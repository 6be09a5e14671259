import { describe, expect, test } from "vitest";

import { chat, memberEvent } from "../lib/testing";
import { NO_CHATS, chatReceived, isMember, joined, left, listed, memberChanged, needsCopy, type OwnChats } from "./ownChats";

const ME = "alice";
const ids = (own: OwnChats): string[] => Object.keys(own.chats).sort();

/** alice's list at the start: general (revision 3) and lunch (revision 5). */
function start(): OwnChats {
  return listed(NO_CHATS, [chat({ revision: 3 }), chat({ id: "lunch", name: "lunch", revision: 5 })], NO_CHATS.learned);
}

describe("the user's own chats", () => {
  test("the list is the sidebar", () => {
    expect(ids(start())).toEqual(["general", "lunch"]);
    expect(isMember(start(), "lunch")).toBe(true);
  });

  test("a chat event for a chat the user is not in stays out of the sidebar", () => {
    // A public channel created by someone else reaches everyone.
    const own = chatReceived(start(), chat({ id: "new", name: "new", revision: 1 }));
    expect(ids(own)).toEqual(["general", "lunch"]);
  });

  test("the chat event sent after leaving does not bring the chat back", () => {
    let own = memberChanged(start(), memberEvent({ chat_id: "lunch", username: ME, action: "left", revision: 6 }), ME);
    expect(ids(own)).toEqual(["general"]);
    own = chatReceived(own, chat({ id: "lunch", name: "lunch", revision: 6, member_count: 1 }));
    expect(ids(own)).toEqual(["general"]);
  });

  test("copies of a chat keep the highest revision, and the newest seq of any", () => {
    let own = chatReceived(start(), chat({ name: "renamed", revision: 7, last_seq: 2 }));
    own = chatReceived(own, chat({ name: "general", revision: 4, last_seq: 9 }));
    expect(own.chats.general).toMatchObject({ name: "renamed", revision: 7, last_seq: 9 });
  });

  test("joined elsewhere (another tab, an invite): a member without a copy until one arrives", () => {
    let own = memberChanged(start(), memberEvent({ chat_id: "secret", username: ME, revision: 4 }), ME);
    expect(needsCopy(own, "secret")).toBe(true);
    expect(ids(own)).toEqual(["general", "lunch"]);
    own = chatReceived(own, chat({ id: "secret", name: "secret", private: true, revision: 4 }));
    expect(needsCopy(own, "secret")).toBe(false);
    expect(ids(own)).toEqual(["general", "lunch", "secret"]);
  });

  test("membership facts that arrive out of order keep the newest", () => {
    // Left at 8, then re-invited at 9; the events arrive the other way round.
    let own = memberChanged(start(), memberEvent({ chat_id: "lunch", username: ME, revision: 9 }), ME);
    own = memberChanged(own, memberEvent({ chat_id: "lunch", username: ME, action: "left", revision: 8 }), ME);
    expect(isMember(own, "lunch")).toBe(true);
    expect(ids(own)).toEqual(["general", "lunch"]);
    // The ack of a leave answered late, with a revision older than what is known, changes nothing.
    expect(left(own, "lunch", 8)).toBe(own);
  });

  test("kicked: the chat leaves the sidebar", () => {
    const own = memberChanged(start(), memberEvent({ username: ME, action: "kicked", revision: 4 }), ME);
    expect(ids(own)).toEqual(["lunch"]);
    expect(isMember(own, "general")).toBe(false);
  });

  test("someone else's join or leave changes the member count, by revision", () => {
    let own = memberChanged(start(), memberEvent({ username: "bob", member_count: 3, revision: 4 }), ME);
    expect(own.chats.general?.member_count).toBe(3);
    own = memberChanged(own, memberEvent({ username: "carol", action: "left", member_count: 2, revision: 6 }), ME);
    expect(own.chats.general?.member_count).toBe(2);
    // Late: older than the count held.
    own = memberChanged(own, memberEvent({ username: "dave", member_count: 4, revision: 5 }), ME);
    expect(own.chats.general?.member_count).toBe(2);
    // Older than the chat's copy.
    expect(memberChanged(start(), memberEvent({ username: "bob", member_count: 9, revision: 2 }), ME)).toEqual(start());
  });

  test("a chat copy older than a member event keeps the event's count and takes the rest", () => {
    let own = memberChanged(start(), memberEvent({ username: "bob", member_count: 3, revision: 6 }), ME);
    own = chatReceived(own, chat({ name: "renamed", member_count: 2, revision: 5 }));
    expect(own.chats.general).toMatchObject({ name: "renamed", member_count: 3, revision: 5 });
    own = chatReceived(own, chat({ name: "renamed", member_count: 4, revision: 7 }));
    expect(own.chats.general).toMatchObject({ member_count: 4, revision: 7 });
    expect(own.memberCountRevisions).toEqual({});
  });

  test("the user's own join and leave acks", () => {
    let own = joined(start(), chat({ id: "open", name: "open", revision: 2 }));
    expect(ids(own)).toEqual(["general", "lunch", "open"]);
    own = left(own, "open", 3);
    expect(ids(own)).toEqual(["general", "lunch"]);
  });

  test("a list replaces what was known before it was asked", () => {
    const own = start();
    // Left lunch in another tab while this one was offline.
    const relisted = listed(own, [chat({ revision: 3 })], own.learned);
    expect(ids(relisted)).toEqual(["general"]);
    expect(relisted.memberships.lunch).toBeUndefined();
  });

  test("a list keeps what was learned while it was on its way", () => {
    const asked = start();
    const askedAt = asked.learned;
    // Joined `secret` (with its copy) and left lunch at 6 while chats:list was answered.
    let own = joined(asked, chat({ id: "secret", name: "secret", private: true, revision: 2 }));
    own = memberChanged(own, memberEvent({ chat_id: "lunch", username: ME, action: "left", revision: 6 }), ME);
    const relisted = listed(own, [chat({ revision: 3 }), chat({ id: "lunch", name: "lunch", revision: 5 })], askedAt);
    expect(ids(relisted)).toEqual(["general", "secret"]);
  });

  test("a list newer than the user's leave brings the chat back (re-invited meanwhile)", () => {
    const own = left(start(), "lunch", 6);
    const relisted = listed(own, [chat({ revision: 3 }), chat({ id: "lunch", name: "lunch", revision: 8 })], own.learned);
    expect(ids(relisted)).toEqual(["general", "lunch"]);
  });
});
