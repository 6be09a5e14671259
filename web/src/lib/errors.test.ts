import { describe, expect, test } from "vitest";

import { RequestError, describeError, explainFailure, withNotice } from "./errors";

describe("errors in plain words", () => {
  test("known server messages are reworded", () => {
    expect(describeError({ code: "forbidden", message: "join the chat before posting in it" })).toBe(
      "You are not a member of this chat. Join it to post.",
    );
    expect(describeError({ code: "not_found", message: "no user named zed" })).toBe("There is no user named zed.");
  });

  test("other messages of a readable kind become a sentence", () => {
    expect(describeError({ code: "forbidden", message: "owners only" })).toBe("Owners only.");
  });

  test("codes without a readable message get a plain sentence", () => {
    expect(describeError({ code: "invalid", message: "name: String should have at least 1 character" })).toBe(
      "That didn't look right. Please check and try again.",
    );
    expect(describeError(new RequestError("offline", "not connected"))).toMatch(/offline/);
    expect(describeError({ code: "something-new" })).toBe("Something went wrong on our side. Please try again.");
  });
});

describe("failures of a user's action", () => {
  test("a request's failure is explained by its code, anything else as ours", () => {
    expect(explainFailure(new RequestError("rate_limited", "slow down"))).toBe(
      "Slow down a little and try again in a moment.",
    );
    expect(explainFailure(new TypeError("x is undefined"))).toBe("Something went wrong on our side. Please try again.");
  });

  test("a failed action is told once and gives null; one that succeeds tells nothing", async () => {
    const told: string[] = [];
    const failed = await withNotice(() => Promise.reject(new RequestError("offline", "")), (t) => told.push(t));
    const done = await withNotice(() => Promise.resolve(7), (t) => told.push(t));
    expect([failed, done, told]).toEqual([null, 7, ["You are offline. Try again once the connection is back."]]);
  });
});
