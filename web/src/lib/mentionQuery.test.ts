import { describe, expect, test } from "vitest";

import type { User } from "../protocol";
import { candidates, complete, mentionAt } from "./mentionQuery";

function user(username: string, display_name = ""): User {
  return { username, display_name, about: "", role: "member", deactivated: false, created_at: "2026-11-01T00:00:00Z" };
}

describe("the @ autocomplete", () => {
  test("opens on an @ at the start or after a space, and follows what is typed", () => {
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("hi @Bo", 6)).toEqual({ start: 3, query: "bo" });
    expect(mentionAt("(@al", 4)).toEqual({ start: 1, query: "al" });
  });

  test("stays closed inside an e-mail address, after a space, or before the @", () => {
    expect(mentionAt("mail a@b", 8)).toBeNull();
    expect(mentionAt("@bob ", 5)).toBeNull();
    expect(mentionAt("x @bob", 1)).toBeNull();
  });

  test("completing puts the username and one space, replacing what was typed of it", () => {
    const text = "hi @bo and more";
    const at = mentionAt(text, 6);
    expect(at).not.toBeNull();
    expect(complete(text, at!, 6, "bob")).toEqual({ text: "hi @bob and more", caret: 8 });
    expect(complete("@b", mentionAt("@b", 2)!, 2, "bob")).toEqual({ text: "@bob ", caret: 5 });
  });

  test("offers the chat's members first, then others found, each once, never oneself", () => {
    const profiles = { bob: user("bob", "Robert Smith"), carol: user("carol") };
    expect(candidates("", ["alice", "bob", "carol"], [user("dave")], profiles, "alice")).toEqual(["bob", "carol", "dave"]);
    expect(candidates("smi", ["bob", "carol"], [], profiles, "alice")).toEqual(["bob"]);
    expect(candidates("b", ["bob"], [user("bob"), user("bea")], profiles, "alice")).toEqual(["bob", "bea"]);
    expect(candidates("", ["a1", "a2", "a3"], [], {}, "me", 2)).toEqual(["a1", "a2"]);
  });
});
