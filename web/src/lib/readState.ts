/**
 * Read state is the server's: `chats:list` gives each chat's `read_seq`, `unread` and
 * `mentions`; `read` events and the user's own marks move `read_seq` forward. Between two
 * lists the client counts the messages it receives from others on top of the listed figures.
 */

import type { ChatView, Message } from "../protocol";

/** The user's read state in one chat, and their place in it. */
export interface ReadView {
  readSeq: number;
  unread: number;
  mentions: number;
  muted: boolean;
  role: ChatView["role"];
  /** The newest seq already counted in `unread` (the chat's last_seq when listed). */
  countedSeq: number;
}

export type ReadViews = Readonly<Record<string, ReadView>>;

/** The read state of every chat in a `chats:list` answer. */
export function listedViews(list: readonly ChatView[]): ReadViews {
  const views: Record<string, ReadView> = {};
  for (const chat of list) {
    views[chat.id] = {
      readSeq: chat.read_seq,
      unread: chat.unread,
      mentions: chat.mentions,
      muted: chat.muted,
      role: chat.role,
      countedSeq: Math.max(chat.last_seq, chat.read_seq),
    };
  }
  return views;
}

/**
 * A new list's views, keeping a marker that moved further while it was on its way (a `read`
 * event, a mark of this tab): the marker never moves back.
 */
export function relisted(held: ReadViews, list: readonly ChatView[]): ReadViews {
  let views = listedViews(list);
  for (const [chatId, view] of Object.entries(held)) {
    if (views[chatId]) views = markerMoved(views, chatId, view.readSeq);
  }
  return views;
}

/** `views` with a view for a chat that has none yet (joined here or elsewhere since the list). */
export function withView(views: ReadViews, chatId: string, lastSeq: number, role: ChatView["role"] = "member"): ReadViews {
  return views[chatId] ? views : { ...views, [chatId]: freshView(lastSeq, role) };
}

/** A view for a chat the user just joined or opened (a DM), with nothing read yet counted. */
export function freshView(lastSeq: number, role: ChatView["role"] = "member"): ReadView {
  return { readSeq: lastSeq, unread: 0, mentions: 0, muted: false, role, countedSeq: lastSeq };
}

/** A message arrived: one more unread if someone else sent it after what was read and counted. */
export function messageCounted(views: ReadViews, message: Message, me: string): ReadViews {
  const view = views[message.chat_id];
  if (!view || message.seq <= view.countedSeq) return views;
  if (message.sender === me || message.seq <= view.readSeq) {
    return { ...views, [message.chat_id]: { ...view, countedSeq: message.seq } };
  }
  const mentioned = message.mentions.includes(me);
  return {
    ...views,
    [message.chat_id]: {
      ...view,
      countedSeq: message.seq,
      unread: view.unread + 1,
      mentions: view.mentions + (mentioned ? 1 : 0),
    },
  };
}

/**
 * The marker moved to `readSeq` (a `read` event, the answer to a mark): never back. Read up
 * to what was counted, nothing is unread; read part of it, at most the messages after it are.
 */
export function markerMoved(views: ReadViews, chatId: string, readSeq: number): ReadViews {
  const view = views[chatId];
  if (!view || readSeq <= view.readSeq) return views;
  const left = Math.max(0, view.countedSeq - readSeq);
  const unread = Math.min(view.unread, left);
  const next = { ...view, readSeq, unread, mentions: Math.min(view.mentions, unread) };
  return { ...views, [chatId]: next };
}

/** The chat's mute and role as the server has them now (the answer to chats:mute). */
export function viewChanged(views: ReadViews, chat: ChatView): ReadViews {
  const view = views[chat.id];
  const next = view ? { ...view, muted: chat.muted, role: chat.role } : listedViews([chat])[chat.id];
  return next ? { ...views, [chat.id]: next } : views;
}

/** The seq to mark read in an open chat whose newest message is `newest`, or null: nothing new. */
export function toMark(view: ReadView | undefined, newest: number): number | null {
  if (!view || newest <= view.readSeq) return null;
  return newest;
}

/** The unread messages over every chat, the muted ones' too (they keep their counts). */
export function totalUnread(views: ReadViews): number {
  return Object.values(views).reduce((sum, view) => sum + view.unread, 0);
}

/** What the page's title says: the unread count first, when there is one. */
export function titleFor(unread: number): string {
  return unread > 0 ? `(${unread}) chatbus` : "chatbus";
}

/** public/favicon.svg with the unread count drawn on it, as an SVG data URL (the CSP allows data: images). */
export function faviconFor(unread: number): string {
  const label = unread > 99 ? "99+" : String(unread);
  const badge =
    unread > 0
      ? `<circle cx="22" cy="10" r="10" fill="#c62828"/><text x="22" y="14" font-size="${label.length > 2 ? 8 : 12}" ` +
        `font-family="sans-serif" font-weight="700" text-anchor="middle" fill="#fff">${label}</text>`
      : "";
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
    `<rect width="32" height="32" rx="8" fill="#2f6bd8"/><path d="M8 10h16v10H14l-4 4v-4H8z" fill="#fff"/>${badge}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
