/**
 * Message text as Markdown, parsed by markdown-it into a small tree of allowed elements that
 * the page builds with React: no HTML string is ever put into the page.
 *
 * markdown-it runs with HTML off (every tag is text), no images (`![x](…)` stays text, so no
 * request leaves for a URL a sender chose), no entity decoding (`&lt;` shows as typed), no
 * headings or tables (a chat line is not a document). Links are http(s) and mailto only; an
 * http(s) link whose text does not show where it goes carries the host it really opens.
 */

import MarkdownIt, { type Token } from "markdown-it";

type Parser = ReturnType<typeof MarkdownIt>;

import { hiddenHost, safeHref, splitLinks } from "./links";

/** The elements a message may contain; anything else markdown-it makes is not shown as one. */
export type BlockTag = "p" | "ul" | "ol" | "li" | "blockquote" | "pre" | "hr";
export type InlineTag = "strong" | "em" | "s" | "code" | "br";
export type Tag = BlockTag | InlineTag | "a";

export type MdNode =
  | { kind: "text"; text: string }
  | { kind: "mention"; text: string; username: string }
  | { kind: "element"; tag: Exclude<Tag, "a">; children: MdNode[]; start?: number }
  | { kind: "link"; href: string; host: string | null; children: MdNode[] };

const ALLOWED: ReadonlySet<string> = new Set(["p", "ul", "ol", "li", "blockquote", "pre", "hr", "strong", "em", "s", "code", "br"]);
const SAFE_SCHEME = /^(https?:|mailto:)/i;
const MENTION = /@([a-z0-9][a-z0-9_-]{1,31})\b/g;

function parser(): Parser {
  // Bare URLs are found by splitLinks (links.ts) rather than linkify-it, which stops a URL at
  // its userinfo `@`: the host badge has to see the whole URL the browser would open.
  const md = new MarkdownIt("default", { html: false, linkify: false, typographer: false, breaks: true });
  md.disable(["image", "entity", "heading", "lheading", "table", "html_block", "html_inline"]);
  md.validateLink = (url: string) => SAFE_SCHEME.test(url.trim());
  return md;
}

let shared: Parser | null = null;

/**
 * `text` as a tree of allowed nodes. `mentions`: usernames the message names, shown marked
 * where they appear as `@username` outside code.
 */
export function renderMarkdown(text: string, mentions: readonly string[] = []): MdNode[] {
  shared ??= parser();
  const named = new Set(mentions);
  return build(shared.parse(text, {}), named);
}

interface Frame {
  token: Token | null;
  children: MdNode[];
}

function build(tokens: readonly Token[], mentions: ReadonlySet<string>): MdNode[] {
  const stack: Frame[] = [{ token: null, children: [] }];
  const top = (): Frame => stack[stack.length - 1] as Frame;
  const inLink = (): boolean => stack.some((frame) => frame.token?.tag === "a");
  for (const token of tokens) {
    if (token.type === "text" && !inLink()) {
      top().children.push(...withLinks(token.content, mentions));
      continue;
    }
    if (token.nesting === 1) {
      stack.push({ token, children: [] });
      continue;
    }
    if (token.nesting === -1) {
      const frame = stack.length > 1 ? (stack.pop() as Frame) : top();
      const node = closed(frame);
      top().children.push(...node);
      continue;
    }
    top().children.push(...leaf(token, mentions));
  }
  while (stack.length > 1) {
    const frame = stack.pop() as Frame;
    top().children.push(...closed(frame));
  }
  return top().children;
}

/** The node(s) for an element whose closing token has come. */
function closed(frame: Frame): MdNode[] {
  const token = frame.token;
  if (!token) return frame.children;
  const tag = token.tag;
  if (tag === "a") {
    const raw = String(token.attrGet("href") ?? "");
    if (!SAFE_SCHEME.test(raw)) return frame.children;
    const href = /^https?:/i.test(raw) ? safeHref(raw) : raw;
    if (!href) return frame.children;
    const host = /^https?:/i.test(href) ? hiddenHost(plainText(frame.children), href) : null;
    return [{ kind: "link", href, host, children: frame.children }];
  }
  // A tight list's paragraphs are hidden by markdown-it: their content stands alone.
  if (tag === "p" && token.hidden) return frame.children;
  if (!ALLOWED.has(tag)) return frame.children;
  const node: MdNode = { kind: "element", tag: tag as Exclude<Tag, "a">, children: frame.children };
  const start = token.attrGet("start");
  if (tag === "ol" && start !== null && Number.isInteger(Number(start))) node.start = Number(start);
  return [node];
}

function leaf(token: Token, mentions: ReadonlySet<string>): MdNode[] {
  switch (token.type) {
    case "inline":
      return build(token.children ?? [], mentions);
    case "text":
      return token.content ? withMentions(token.content, mentions) : [];
    case "softbreak":
      return [{ kind: "text", text: "\n" }];
    case "hardbreak":
      return [{ kind: "element", tag: "br", children: [] }];
    case "code_inline":
      return [{ kind: "element", tag: "code", children: [{ kind: "text", text: token.content }] }];
    case "code_block":
    case "fence":
      return [
        {
          kind: "element",
          tag: "pre",
          children: [{ kind: "element", tag: "code", children: [{ kind: "text", text: token.content.replace(/\n$/, "") }] }],
        },
      ];
    case "hr":
      return [{ kind: "element", tag: "hr", children: [] }];
    default:
      return token.content ? [{ kind: "text", text: token.content }] : [];
  }
}

/** Plain text outside any link: its bare http(s) URLs become links. */
function withLinks(text: string, mentions: ReadonlySet<string>): MdNode[] {
  if (!text) return [];
  return splitLinks(text).flatMap((part): MdNode[] =>
    part.kind === "link"
      ? [{ kind: "link", href: part.href, host: part.host, children: [{ kind: "text", text: part.text }] }]
      : withMentions(part.text, mentions),
  );
}

/** `text` with each `@username` the message names as a mention node. */
function withMentions(text: string, mentions: ReadonlySet<string>): MdNode[] {
  if (mentions.size === 0 || !text.includes("@")) return [{ kind: "text", text }];
  const nodes: MdNode[] = [];
  let rest = 0;
  for (const match of text.matchAll(MENTION)) {
    const username = match[1] as string;
    if (!mentions.has(username) && username !== "here") continue;
    if (match.index > rest) nodes.push({ kind: "text", text: text.slice(rest, match.index) });
    nodes.push({ kind: "mention", text: match[0], username });
    rest = match.index + match[0].length;
  }
  if (rest < text.length) nodes.push({ kind: "text", text: text.slice(rest) });
  return nodes;
}

/** The text a reader sees in `nodes`, without markup. */
export function plainText(nodes: readonly MdNode[]): string {
  return nodes.map((node) => (node.kind === "text" || node.kind === "mention" ? node.text : plainText(node.children))).join("");
}
