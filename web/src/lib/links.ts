/** Finds http(s) links in message text; every other scheme stays plain text. */

/**
 * A run of plain text, or a link. `host` is set when the link's text does not show where it
 * goes (`https://bank.example@evil.example/`, a look-alike Unicode name): the page shows it.
 */
export type TextPart =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string; host: string | null };

const CANDIDATE = /\bhttps?:\/\/[^\s<>"]+/gi;
// Punctuation that usually ends the sentence around a link rather than the link itself.
const TRAILING = /[.,;:!?'*_~]+$/;

function trimLink(raw: string): string {
  let link = raw.replace(TRAILING, "");
  // Drop closing brackets that have no opening partner inside the link: "(see https://x.y/a)".
  for (const [open, close] of [["(", ")"], ["[", "]"], ["{", "}"]] as const) {
    while (link.endsWith(close) && link.split(open).length < link.split(close).length) {
      link = link.slice(0, -1).replace(TRAILING, "");
    }
  }
  return link;
}

/** A safe href for `text`, or null: only absolute http and https URLs with a host. */
export function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.hostname) return url.href;
  } catch {
    // Not a URL at all.
  }
  return null;
}

// The host a link's text appears to name: what follows "scheme://" up to the path. A
// backslash ends it too, as the URL parser reads one as "/" in http(s) URLs.
const SHOWN_HOST = /^https?:\/\/([^/?#\\]*)/i;
const DEFAULT_PORT: Record<string, string> = { "http:": ":80", "https:": ":443" };

/**
 * The host of `href` when `text` does not show it as it is, or null when it does.
 *
 * Compared as written, not as parsed: a reader sees `bank.example@evil.example` or a name with
 * a Cyrillic "а" and believes the part they recognise. `url.host` is the name the browser will
 * really connect to, with look-alike Unicode names in their `xn--` form.
 */
export function hiddenHost(text: string, href: string): string | null {
  const url = new URL(href);
  let shown = SHOWN_HOST.exec(text)?.[1]?.toLowerCase();
  if (shown !== undefined) {
    const defaultPort = DEFAULT_PORT[url.protocol];
    if (defaultPort && shown.endsWith(defaultPort)) shown = shown.slice(0, -defaultPort.length);
    if (shown === url.host) return null;
  }
  return url.host;
}

/** `text` split into plain runs and links, in order; joined back they give `text` exactly. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let rest = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const link = trimLink(match[0]);
    const href = safeHref(link);
    if (!href) continue;
    if (start > rest) parts.push({ kind: "text", text: text.slice(rest, start) });
    parts.push({ kind: "link", text: link, href, host: hiddenHost(link, href) });
    rest = start + link.length;
  }
  if (rest < text.length) parts.push({ kind: "text", text: text.slice(rest) });
  return parts;
}
