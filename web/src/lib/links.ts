/** Finds http(s) links in message text; every other scheme stays plain text. */

export type TextPart = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

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
    parts.push({ kind: "link", text: link, href });
    rest = start + link.length;
  }
  if (rest < text.length) parts.push({ kind: "text", text: text.slice(rest) });
  return parts;
}
