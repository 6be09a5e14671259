import { describe, expect, test } from "vitest";

import { chat } from "../lib/testing";
import { browsedChatChanged, browsing, byName, matches, pageArrived } from "./browse";

const names = (results: { chats: readonly { name: string }[] }): string[] => results.chats.map((c) => c.name);
const channel = (name: string, revision = 1) => chat({ id: `id-${name}`, name, revision });

describe("browse results", () => {
  test("pages add after what is shown, once each; a first page replaces", () => {
    let results = pageArrived(browsing("a"), { chats: [channel("alpha"), channel("beta")], more: true }, true);
    results = pageArrived(results, { chats: [channel("beta"), channel("gamma")], more: false }, false);
    expect(names(results)).toEqual(["alpha", "beta", "gamma"]);
    expect(results).toMatchObject({ more: false, loaded: true, loading: false });
    results = pageArrived(results, { chats: [channel("delta")], more: false }, true);
    expect(names(results)).toEqual(["delta"]);
  });

  test("a new public channel that matches is placed by name", () => {
    const results = pageArrived(browsing("a"), { chats: [channel("alpha"), channel("gamma")], more: false }, true);
    expect(names(browsedChatChanged(results, channel("Beta")))).toEqual(["alpha", "Beta", "gamma"]);
  });

  test("a new channel after the last one shown waits for the next page", () => {
    const results = pageArrived(browsing(""), { chats: [channel("alpha"), channel("beta")], more: true }, true);
    expect(browsedChatChanged(results, channel("zeta"))).toBe(results);
    expect(names(browsedChatChanged(results, channel("able")))).toEqual(["able", "alpha", "beta"]);
  });

  test("private chats, DMs and names without the query never show", () => {
    const results = pageArrived(browsing("gen"), { chats: [], more: false }, true);
    expect(browsedChatChanged(results, chat({ id: "p", name: "general-secret", private: true }))).toBe(results);
    expect(browsedChatChanged(results, chat({ id: "d", name: "gen,bob", kind: "dm", private: true }))).toBe(results);
    expect(browsedChatChanged(results, channel("random"))).toBe(results);
    expect(matches(channel("General"), "GEN")).toBe(true);
  });

  test("a row takes a newer copy of its chat, never an older one", () => {
    const results = pageArrived(browsing(""), { chats: [chat({ member_count: 5, revision: 4 })], more: false }, true);
    expect(browsedChatChanged(results, chat({ member_count: 2, revision: 3 }))).toBe(results);
    expect(browsedChatChanged(results, chat({ member_count: 6, revision: 5 })).chats[0]?.member_count).toBe(6);
  });

  test("nothing is placed before the first page has arrived", () => {
    const results = browsing("");
    expect(browsedChatChanged(results, channel("alpha"))).toBe(results);
  });

  test("order is the name ignoring case, then the id", () => {
    const sorted = [chat({ id: "b", name: "Lunch" }), chat({ id: "a", name: "lunch" }), channel("apple")].sort(byName);
    expect(sorted.map((c) => c.id)).toEqual(["id-apple", "a", "b"]);
  });
});
