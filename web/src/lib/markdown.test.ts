import { describe, expect, test } from "vitest";

import { plainText, renderMarkdown, type MdNode } from "./markdown";

function hrefs(nodes: readonly MdNode[]): string[] {
  return nodes.flatMap((node) =>
    node.kind === "link" ? [node.href, ...hrefs(node.children)] : node.kind === "element" ? hrefs(node.children) : [],
  );
}

function tags(nodes: readonly MdNode[]): string[] {
  return nodes.flatMap((node) =>
    node.kind === "element" ? [node.tag, ...tags(node.children)] : node.kind === "link" ? ["a", ...tags(node.children)] : [],
  );
}

describe("renderMarkdown", () => {
  test("formats code blocks, inline code, bold, italics, strike, lists and quotes", () => {
    expect(tags(renderMarkdown("**b** _i_ `c` ~~s~~"))).toEqual(["p", "strong", "em", "code", "s"]);
    expect(tags(renderMarkdown("- a\n- b"))).toEqual(["ul", "li", "li"]);
    expect(tags(renderMarkdown("> quoted"))).toEqual(["blockquote", "p"]);
    const code = renderMarkdown("```\n<b>bold?</b>\n```");
    expect(tags(code)).toEqual(["pre", "code"]);
    expect(plainText(code)).toBe("<b>bold?</b>");
  });

  test("keeps an ordered list's start, and only when it is written", () => {
    expect(renderMarkdown("3. c\n4. d")[0]).toMatchObject({ tag: "ol", start: 3 });
    expect(renderMarkdown("1. a")[0]).not.toHaveProperty("start");
  });

  test("shows every HTML tag and entity as typed", () => {
    for (const text of ["<div>hi</div>", "<img src=x onerror=alert(1)>", "&lt;b&gt; &#60;", "<!-- c -->"]) {
      const nodes = renderMarkdown(text);
      expect(plainText(nodes)).toBe(text);
      expect(tags(nodes)).toEqual(["p"]);
    }
  });

  test("links only http(s) and mailto", () => {
    expect(hrefs(renderMarkdown("[x](javascript:alert(1))"))).toEqual([]);
    expect(hrefs(renderMarkdown("[x](JaVaScRiPt:alert(1))"))).toEqual([]);
    expect(hrefs(renderMarkdown("[x](vbscript:msgbox(1))"))).toEqual([]);
    expect(hrefs(renderMarkdown("[x](data:text/html,<script>1</script>)"))).toEqual([]);
    expect(hrefs(renderMarkdown("<javascript:alert(1)>"))).toEqual([]);
    expect(hrefs(renderMarkdown("[r][1]\n\n[1]: javascript:alert(1)"))).toEqual([]);
    expect(hrefs(renderMarkdown("[ok](https://example.com) <mailto:a@b.example>"))).toEqual([
      "https://example.com/",
      "mailto:a@b.example",
    ]);
    expect(hrefs(renderMarkdown("[r][1]\n\n[1]: https://ok.example/x"))).toEqual(["https://ok.example/x"]);
  });

  test("shows images as text and fetches nothing", () => {
    const nodes = renderMarkdown("![x](data:image/png;base64,AAAA) ![y](https://evil.example/t.png)");
    expect(tags(nodes).filter((tag) => tag !== "p" && tag !== "a")).toEqual([]);
    expect(plainText(nodes)).toContain("![x](data:image/png;base64,AAAA)");
    // An http(s) image is a plain link, never an <img> that would load it.
    expect(hrefs(nodes)).toEqual(["https://evil.example/t.png"]);
    expect(plainText(nodes)).toContain("!y");
  });

  test("finds bare URLs as links.ts does, with the host they hide", () => {
    const [paragraph] = renderMarkdown("see https://bank.example@evil.example/login");
    expect(paragraph).toMatchObject({
      children: [{ kind: "text" }, { kind: "link", href: "https://bank.example@evil.example/login", host: "evil.example" }],
    });
    expect(renderMarkdown("[docs](https://example.com/guide)")[0]).toMatchObject({
      children: [{ kind: "link", host: "example.com" }],
    });
    expect(renderMarkdown("<https://example.com/a>")[0]).toMatchObject({ children: [{ kind: "link", host: null }] });
  });

  test("makes no link inside inline code or a link's own text", () => {
    expect(hrefs(renderMarkdown("`https://example.com`"))).toEqual([]);
    expect(hrefs(renderMarkdown("[https://evil.example](https://example.com)"))).toEqual(["https://example.com/"]);
  });

  test("marks the mentions the message names, outside code", () => {
    const [paragraph] = renderMarkdown("hi @bob, not @carol; `@bob`", ["bob"]);
    expect(paragraph).toMatchObject({
      children: [
        { kind: "text", text: "hi " },
        { kind: "mention", username: "bob" },
        { kind: "text", text: ", not @carol; " },
        { kind: "element", tag: "code" },
      ],
    });
  });

  test("keeps line breaks and plain text character for character", () => {
    expect(plainText(renderMarkdown("line one\nline two"))).toBe("line one\nline two");
    for (const text of ["{{7*7}}", "${7*7}", "<%= 7*7 %>", "#{7*7}", "\\u003cscript\\u003e"]) {
      expect(plainText(renderMarkdown(text))).toBe(text);
    }
  });
});
