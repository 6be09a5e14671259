import { describe, expect, test } from "vitest";

import { RequestError, describeError } from "./errors";

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
