/**
 * The "Browse chats" view's results: public channels whose names hold the query, in the
 * server's order (by name ignoring case, then id), a page at a time.
 */

import type { Chat, ChatPage } from "../protocol";

export interface BrowseResults {
  /** The query these results answer (trimmed; empty: every public channel). */
  query: string;
  chats: readonly Chat[];
  /** Further chats after the last one: ask with `after` = its id. */
  more: boolean;
  /** The first page has arrived. */
  loaded: boolean;
  loading: boolean;
  error: string | null;
}

/** Results about to be asked for `query`. */
export function browsing(query: string): BrowseResults {
  return { query, chats: [], more: false, loaded: false, loading: true, error: null };
}

/** A page arrived: the first one replaces, a later one adds after what is shown. */
export function pageArrived(results: BrowseResults, page: ChatPage, first: boolean): BrowseResults {
  const shown = first ? [] : results.chats;
  const ids = new Set(shown.map((chat) => chat.id));
  const added = page.chats.filter((chat) => !ids.has(chat.id));
  return { ...results, chats: [...shown, ...added], more: page.more, loaded: true, loading: false, error: null };
}

export function pageFailed(results: BrowseResults, error: string): BrowseResults {
  return { ...results, loading: false, error };
}

/** Name order as the server pages it: the name ignoring case, then the id. */
export function byName(a: Chat, b: Chat): number {
  const left = fold(a.name);
  const right = fold(b.name);
  if (left !== right) return left < right ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether a chat belongs in results for `query`: a public channel whose name holds it. */
export function matches(chat: Chat, query: string): boolean {
  return !chat.private && chat.kind === "channel" && fold(chat.name).includes(fold(query));
}

/**
 * A chat changed, or a public channel was created: a row shown takes the newer copy; a new
 * channel that matches is placed by name, if it falls within the pages shown (after the last
 * one, the next page brings it).
 */
export function browsedChatChanged(results: BrowseResults, chat: Chat): BrowseResults {
  if (!results.loaded) return results;
  const index = results.chats.findIndex((shown) => shown.id === chat.id);
  if (index >= 0) {
    const shown = results.chats[index]!;
    if (shown.revision >= chat.revision) return results;
    const chats = [...results.chats];
    if (matches(chat, results.query)) chats[index] = chat;
    else chats.splice(index, 1); // renamed away from the query, or made private
    return { ...results, chats: chats.sort(byName) };
  }
  if (!matches(chat, results.query)) return results;
  const last = results.chats[results.chats.length - 1];
  if (results.more && last !== undefined && byName(chat, last) > 0) return results;
  const chats = [...results.chats, chat].sort(byName);
  return { ...results, chats };
}

function fold(text: string): string {
  return text.toLocaleLowerCase("en-US");
}
