import { describe, expect, test } from "vitest";

import { hiddenHost, safeHref, splitLinks } from "./links";

const links = (text: string) => splitLinks(text).filter((p) => p.kind === "link");

describe("links in message text", () => {
  test("http and https links are found, the rest stays text", () => {
    expect(splitLinks("see https://example.com/a?b=1 and http://x.org")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1", host: null },
      { kind: "text", text: " and " },
      { kind: "link", text: "http://x.org", href: "http://x.org/", host: null },
    ]);
  });

  test("joined back, the parts are the text exactly", () => {
    const text = "a <b>tag</b>\n(https://example.com/x), javascript:alert(1) https://e.com.";
    expect(
      splitLinks(text)
        .map((p) => p.text)
        .join(""),
    ).toBe(text);
  });

  test("javascript:, data: and other schemes never become links", () => {
    for (const text of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox",
      "file:///etc/passwd",
      "ftp://example.com",
      "mailto:a@b.c",
    ]) {
      expect(links(text)).toEqual([]);
    }
  });

  test("an http link inside another scheme's text links only to itself", () => {
    expect(links("javascript://https://example.com").map((p) => p.kind === "link" && p.href)).toEqual([
      "https://example.com/",
    ]);
  });

  test("sentence punctuation and unmatched brackets stay outside the link", () => {
    expect(links("go to https://example.com/page.")[0]?.text).toBe("https://example.com/page");
    expect(links("(https://example.com/a)")[0]?.text).toBe("https://example.com/a");
    expect(links("https://en.wikipedia.org/wiki/Foo_(bar)")[0]?.text).toBe("https://en.wikipedia.org/wiki/Foo_(bar)");
  });

  test("quotes and angle brackets end a link, so markup cannot ride along", () => {
    expect(links('https://example.com/"onmouseover="x')[0]?.href).toBe("https://example.com/");
    expect(links("<https://example.com/>")[0]?.text).toBe("https://example.com/");
  });

  test("safeHref accepts only absolute http(s) URLs with a host", () => {
    expect(safeHref("https://example.com")).toBe("https://example.com/");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("https://")).toBeNull();
    expect(safeHref("/relative")).toBeNull();
  });

  test("a link whose text hides where it goes carries the real host", () => {
    const hosts = (text: string) => links(text).map((p) => p.kind === "link" && p.host);
    // Userinfo: the reader sees the bank, the browser opens evil.example.
    expect(hosts("https://bank.example@evil.example/login")).toEqual(["evil.example"]);
    expect(hosts("https://bank.example:secret@evil.example")).toEqual(["evil.example"]);
    // A look-alike name (Cyrillic "а"): shown in the form the browser resolves.
    expect(hosts("https://pаypal.com/")).toEqual(["xn--pypal-4ve.com"]);
    // Percent-escapes in the name.
    expect(hosts("https://%65vil.example/")).toEqual(["evil.example"]);
  });

  test("a link whose text shows its host as it is carries none", () => {
    for (const text of [
      "https://example.com",
      "https://EXAMPLE.com/Path?q=1#top",
      "http://example.com:8080/x",
      "https://example.com:443/x",
      "http://[::1]:8000/",
      "https://sub.example.co.uk./a",
    ]) {
      expect(links(text).map((p) => p.kind === "link" && p.host)).toEqual([null]);
    }
    // A backslash is a path separator to the URL parser: the host shown is the host opened.
    expect(links("https://example.com\\@evil.example").map((p) => p.kind === "link" && p.href)).toEqual([
      "https://example.com/@evil.example",
    ]);
    expect(links("https://example.com\\@evil.example").map((p) => p.kind === "link" && p.host)).toEqual([null]);
  });

  test("hiddenHost compares any link text with its target, as Markdown links will need", () => {
    expect(hiddenHost("click here", "https://evil.example/a")).toBe("evil.example");
    expect(hiddenHost("https://bank.example", "https://evil.example/")).toBe("evil.example");
    expect(hiddenHost("https://evil.example/x", "https://evil.example/x")).toBeNull();
  });
});
