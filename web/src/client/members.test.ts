import { describe, expect, test } from "vitest";

import { memberEvent } from "../lib/testing";
import type { Member } from "../protocol";
import { MAX_REMEMBERED_CHANGES, memberListChanged, memberPageArrived, membersOf, type MemberList } from "./members";

const OWNER = "alice";
const member = (username: string, role: Member["role"] = "member"): Member => ({
  username,
  role,
  joined_at: "2026-11-01T00:00:00Z",
});
const names = (list: MemberList): string[] => list.members.map((m) => m.username);
const page = (usernames: string[], more: boolean) => ({ members: usernames.map((u) => member(u)), more });

describe("the members panel's list", () => {
  test("pages add after the members shown", () => {
    let list = memberPageArrived(membersOf("general"), page(["alice", "bob"], true), OWNER);
    expect(list).toMatchObject({ loaded: true, loading: false, more: true });
    list = memberPageArrived(list, page(["carol"], false), OWNER);
    expect(names(list)).toEqual(["alice", "bob", "carol"]);
    expect(list.more).toBe(false);
  });

  test("a joiner is placed by name within the pages shown; beyond them the next page brings them", () => {
    const list = memberPageArrived(membersOf("general"), page(["alice", "carol"], true), OWNER);
    expect(names(memberListChanged(list, memberEvent({ username: "bob", revision: 5 }), OWNER))).toEqual([
      "alice",
      "bob",
      "carol",
    ]);
    expect(names(memberListChanged(list, memberEvent({ username: "zed", revision: 5 }), OWNER))).toEqual([
      "alice",
      "carol",
    ]);
  });

  test("with every page shown, any joiner is placed", () => {
    const list = memberPageArrived(membersOf("general"), page(["alice", "carol"], false), OWNER);
    expect(names(memberListChanged(list, memberEvent({ username: "zed", revision: 5 }), OWNER))).toEqual([
      "alice",
      "carol",
      "zed",
    ]);
  });

  test("a leaver or someone kicked goes", () => {
    let list = memberPageArrived(membersOf("general"), page(["alice", "bob", "carol"], false), OWNER);
    list = memberListChanged(list, memberEvent({ username: "bob", action: "left", revision: 5 }), OWNER);
    list = memberListChanged(list, memberEvent({ username: "carol", action: "kicked", revision: 6 }), OWNER);
    expect(names(list)).toEqual(["alice"]);
  });

  test("an older event for someone than one seen changes nothing", () => {
    let list = memberPageArrived(membersOf("general"), page(["alice"], false), OWNER);
    list = memberListChanged(list, memberEvent({ username: "bob", revision: 7 }), OWNER);
    list = memberListChanged(list, memberEvent({ username: "bob", action: "left", revision: 6 }), OWNER);
    expect(names(list)).toEqual(["alice", "bob"]);
  });

  test("changes seen while a page was on its way are laid over it", () => {
    // The page was read before bob left and before dave joined.
    let list = membersOf("general");
    list = memberListChanged(list, memberEvent({ username: "bob", action: "left", revision: 5 }), OWNER);
    list = memberListChanged(list, memberEvent({ username: "dave", revision: 6 }), OWNER);
    list = memberPageArrived(list, page(["alice", "bob", "carol"], false), OWNER);
    expect(names(list)).toEqual(["alice", "carol", "dave"]);
  });

  test("the owner rejoining is shown as owner", () => {
    const list = memberPageArrived(membersOf("general"), page(["bob"], false), OWNER);
    const changed = memberListChanged(list, memberEvent({ username: OWNER, revision: 5 }), OWNER);
    expect(changed.members[0]).toMatchObject({ username: OWNER, role: "owner" });
  });

  test("events about another chat are not this list's", () => {
    const list = memberPageArrived(membersOf("general"), page(["alice"], false), OWNER);
    expect(memberListChanged(list, memberEvent({ chat_id: "lunch", username: "bob" }), OWNER)).toBe(list);
  });

  test("the changes remembered are bounded", () => {
    let list = memberPageArrived(membersOf("general"), page([], false), OWNER);
    for (let n = 0; n < MAX_REMEMBERED_CHANGES + 20; n++) {
      list = memberListChanged(list, memberEvent({ username: `user${n}`, action: "left", revision: n + 1 }), OWNER);
    }
    expect(Object.keys(list.changes)).toHaveLength(MAX_REMEMBERED_CHANGES);
    expect(list.changes[`user${MAX_REMEMBERED_CHANGES + 19}`]).toBeDefined();
    expect(list.changes.user0).toBeUndefined();
  });
});
