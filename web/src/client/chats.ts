/**
 * The chats directory of a session: the user's own chats (the sidebar), the "Browse chats"
 * view and the members panel, with the chats:* requests and the `chat` and `member` events
 * that keep them current. The rules for each are pure functions in ownChats, browse and members.
 */

import type { Chat, ChatView, MemberEvent } from "../protocol";
import { explainFailure, withNotice } from "../lib/errors";
import { relisted, withView } from "../lib/readState";
import { browsedChatChanged, browsing, pageArrived, pageFailed } from "./browse";
import { memberListChanged, memberPageArrived, memberPageFailed, membersOf } from "./members";
import { chatReceived, isMember, joined, left, listed, memberChanged, needsCopy } from "./ownChats";
import type { Requester } from "./connection";
import { withoutChat, type ChatState } from "./state";

export const BROWSE_PAGE = 50;
export const MEMBERS_PAGE = 50;

/** What the directory needs of the session it belongs to. */
export interface DirectoryHost {
  request: Requester;
  getState: () => ChatState;
  update: (change: (state: ChatState) => ChatState) => void;
  /** Tell the user something went wrong, in plain words. */
  notify: (text: string) => void;
  /** Open a chat the user is now a member of. */
  open: (chatId: string) => void;
  /** Copies of the user's chats changed (their newest seqs among them). */
  chatsChanged: () => void;
}

export class ChatsDirectory {
  // Answers to an older browse or members request than the latest are dropped.
  private browseAsked = 0;
  private membersAsked = 0;
  private readonly copiesAsked = new Set<string>();

  constructor(private readonly host: DirectoryHost) {}

  // --- the user's own chats ---

  /** List the user's chats (on every connect), and bring the open views up to date. */
  async refresh(): Promise<void> {
    const askedAt = this.host.getState().learned;
    try {
      const list = await this.host.request("chats:list", {});
      this.host.update((s) => {
        const next = { ...listed(s, list, askedAt), chatsLoaded: true, reads: relisted(s.reads, list) };
        const gone = Object.keys(s.chats).filter((id) => !next.chats[id]);
        const active = s.activeChatId;
        // A chat remembered as open (a reload) that is not the user's any more is not opened.
        if (active && !next.chats[active] && !needsCopy(next, active)) gone.push(active);
        return gone.reduce(withoutChat, next);
      });
      this.askForMissingCopies();
      this.host.chatsChanged();
    } catch {
      return; // offline again; the next connect lists them
    }
    const { browse, memberList } = this.host.getState();
    if (browse) void this.browse(browse.query);
    if (memberList) void this.openMembers(memberList.chatId);
  }

  /** A `chat` event: a copy of one of the user's chats, or a public channel for the browse view. */
  chatChanged(chat: Chat): void {
    this.host.update((s) => {
      const next = chatReceived(s, chat);
      return s.browse ? { ...next, browse: browsedChatChanged(s.browse, chat) } : next;
    });
    this.host.chatsChanged();
  }

  /** A `member` event: the user themself joined or left a chat, or someone else did. */
  memberChanged(event: MemberEvent): void {
    const before = this.host.getState();
    const held = before.chats[event.chat_id];
    this.host.update((s) => {
      let next = memberChanged(s, event, s.me);
      if (held && !next.chats[event.chat_id]) next = withoutChat(next, event.chat_id);
      if (next.memberList && held) {
        next = { ...next, memberList: memberListChanged(next.memberList, event, held.owner) };
      }
      return next;
    });
    if (held && !this.host.getState().chats[event.chat_id] && event.action === "kicked") {
      this.host.notify(`You were removed from ${held.name}.`);
    }
    this.askForMissingCopies();
  }

  /** Ask for a copy of each chat the user is known to be in without one (joined elsewhere). */
  private askForMissingCopies(): void {
    const state = this.host.getState();
    for (const chatId of Object.keys(state.memberships)) {
      if (!needsCopy(state, chatId) || this.copiesAsked.has(chatId)) continue;
      this.copiesAsked.add(chatId);
      this.host
        .request("chats:get", { chat_id: chatId })
        .then((chat) => this.chatChanged(chat))
        .catch(() => undefined) // removed again meanwhile, or offline: the next list has it
        .finally(() => this.copiesAsked.delete(chatId));
    }
  }

  async create(name: string, isPrivate: boolean): Promise<boolean> {
    const chat = await this.act(() => this.host.request("chats:create", { name, private: isPrivate }));
    if (!chat) return false;
    this.enter(chat, "owner");
    return true;
  }

  /** Join a chat and open it. */
  async join(chatId: string): Promise<void> {
    const chat = await this.act(() => this.host.request("chats:join", { chat_id: chatId }));
    if (chat) this.enter(chat, "member");
  }

  /** Open the DM with `username`, made on first use; false when refused. */
  async openDm(username: string): Promise<boolean> {
    const chat = await this.act(() => this.host.request("chats:open_dm", { username }));
    if (!chat) return false;
    this.enter(chat, chat.owner === this.host.getState().me ? "owner" : "member");
    return true;
  }

  /** The user is a member of `chat` now: it is held, counted from its newest message, and opened. */
  private enter(chat: Chat, role: ChatView["role"]): void {
    this.host.update((s) => {
      const next = joined(s, chat);
      return { ...next, reads: withView(next.reads, chat.id, chat.last_seq, role) };
    });
    this.host.open(chat.id);
  }

  async leave(chatId: string): Promise<void> {
    const done = await this.act(() => this.host.request("chats:leave", { chat_id: chatId }));
    if (!done) return;
    this.host.update((s) => {
      const next = left(s, chatId, done.revision);
      return isMember(next, chatId) ? next : withoutChat(next, chatId);
    });
  }

  async invite(chatId: string, username: string): Promise<boolean> {
    const chat = await this.act(() => this.host.request("chats:invite", { chat_id: chatId, username }));
    if (!chat) return false;
    this.chatChanged(chat);
    return true;
  }

  // --- the "Browse chats" view ---

  /** Show the public channels whose names hold `query` (all of them when it is empty). */
  async browse(query: string): Promise<void> {
    const asked = ++this.browseAsked;
    const wanted = query.trim();
    this.host.update((s) => ({ ...s, browse: { ...browsing(wanted), chats: s.browse?.query === wanted ? s.browse.chats : [] } }));
    try {
      const page = await this.host.request("chats:browse", { query: wanted || null, limit: BROWSE_PAGE });
      if (asked !== this.browseAsked) return;
      this.host.update((s) => (s.browse ? { ...s, browse: pageArrived(s.browse, page, true) } : s));
    } catch (error) {
      if (asked !== this.browseAsked) return;
      this.host.update((s) => (s.browse ? { ...s, browse: pageFailed(s.browse, explainFailure(error)) } : s));
    }
  }

  /** The next page of the results shown. */
  async browseMore(): Promise<void> {
    const results = this.host.getState().browse;
    const last = results?.chats[results.chats.length - 1];
    if (!results?.loaded || !results.more || results.loading || !last) return;
    const asked = ++this.browseAsked;
    this.host.update((s) => (s.browse ? { ...s, browse: { ...s.browse, loading: true, error: null } } : s));
    try {
      const page = await this.host.request("chats:browse", {
        query: results.query || null,
        after: last.id,
        limit: BROWSE_PAGE,
      });
      if (asked !== this.browseAsked) return;
      this.host.update((s) => (s.browse ? { ...s, browse: pageArrived(s.browse, page, false) } : s));
    } catch (error) {
      if (asked !== this.browseAsked) return;
      this.host.update((s) => (s.browse ? { ...s, browse: pageFailed(s.browse, explainFailure(error)) } : s));
    }
  }

  closeBrowse(): void {
    this.browseAsked += 1;
    this.host.update((s) => (s.browse ? { ...s, browse: null } : s));
  }

  // --- the members panel ---

  /** Show a chat's members from the first page. */
  async openMembers(chatId: string): Promise<void> {
    const asked = ++this.membersAsked;
    this.host.update((s) => ({ ...s, memberList: membersOf(chatId) }));
    await this.loadMembers(asked, chatId, null);
  }

  /** The next page of the members shown. */
  async moreMembers(): Promise<void> {
    const list = this.host.getState().memberList;
    const last = list?.members[list.members.length - 1];
    if (!list?.loaded || !list.more || list.loading || !last) return;
    const asked = ++this.membersAsked;
    this.host.update((s) => (s.memberList ? { ...s, memberList: { ...s.memberList, loading: true, error: null } } : s));
    await this.loadMembers(asked, list.chatId, last.username);
  }

  closeMembers(): void {
    this.membersAsked += 1;
    this.host.update((s) => (s.memberList ? { ...s, memberList: null } : s));
  }

  private async loadMembers(asked: number, chatId: string, after: string | null): Promise<void> {
    const current = (s: ChatState): boolean => asked === this.membersAsked && s.memberList?.chatId === chatId;
    try {
      const page = await this.host.request("chats:members", { chat_id: chatId, after, limit: MEMBERS_PAGE });
      this.host.update((s) => {
        if (!current(s) || !s.memberList) return s;
        const owner = s.chats[chatId]?.owner ?? "";
        // The page may say the user's own role changed (made an admin) since the last list.
        const mine = page.members.find((m) => m.username === s.me);
        const view = s.reads[chatId];
        const reads = mine && view && view.role !== mine.role ? { ...s.reads, [chatId]: { ...view, role: mine.role } } : s.reads;
        return { ...s, reads, memberList: memberPageArrived(s.memberList, page, owner) };
      });
    } catch (error) {
      this.host.update((s) =>
        current(s) && s.memberList ? { ...s, memberList: memberPageFailed(s.memberList, explainFailure(error)) } : s,
      );
    }
  }

  /** Runs a user's action; a failure becomes a notice in plain words. Returns null on failure. */
  private act<T>(action: () => Promise<T>): Promise<T | null> {
    return withNotice(action, (text) => this.host.notify(text));
  }
}
