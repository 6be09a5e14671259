/**
 * Who is online and who is typing: the presence list (listed on every connect, then
 * kept by `presence` events), the user's own status, and typing notices both ways.
 */

import type { Message, Presence, SetStatus, TypingEvent } from "../protocol";
import { withNotice } from "../lib/errors";
import { shouldAnnounceTyping, typingExpiry } from "../lib/typing";
import type { Requester } from "./connection";
import type { SessionStore } from "./store";

/** What presence and typing need of the session. */
export interface PresenceHost {
  request: Requester;
  isConnected: () => boolean;
}

export class PresenceAndTyping {
  /** chat id -> when the user's typing was last announced there (ms). */
  private readonly typingAnnounced = new Map<string, number>();

  constructor(
    private readonly store: SessionStore,
    private readonly host: PresenceHost,
  ) {}

  /** The user is typing in a chat: tell its members, at most as often as a notice lasts. */
  typing(chatId: string): void {
    const now = Date.now();
    if (!this.host.isConnected() || !shouldAnnounceTyping(this.typingAnnounced.get(chatId), now)) return;
    this.typingAnnounced.set(chatId, now);
    this.host.request("typing", { chat_id: chatId }).catch(() => undefined);
  }

  /** A `typing` event: someone else is typing until its notice expires. */
  someoneTyping(event: TypingEvent): void {
    if (event.username === this.store.getState().me) return;
    const expiry = typingExpiry(event.expires_at, Date.now());
    this.store.update((s) => ({
      ...s,
      typing: { ...s.typing, [event.chat_id]: { ...s.typing[event.chat_id], [event.username]: expiry } },
    }));
  }

  /** A message ends its sender's typing notice in its chat. */
  messageArrived(message: Message): void {
    this.store.update((s) => {
      const typers = s.typing[message.chat_id];
      if (!typers || !(message.sender in typers)) return s;
      const { [message.sender]: _done, ...rest } = typers;
      return { ...s, typing: { ...s.typing, [message.chat_id]: rest } };
    });
  }

  /** List who is not offline (on every connect). */
  async refresh(): Promise<void> {
    try {
      const everyone = await this.host.request("presence:list", {});
      // Listed by a socket that has since dropped: still stale; the next connect lists again.
      const live = this.host.isConnected();
      this.store.update((s) => ({
        ...s,
        presence: Object.fromEntries(everyone.map((p) => [p.username, p])),
        presenceStale: !live,
      }));
    } catch {
      // Offline again; the next connect lists them.
    }
  }

  /** A `presence` event, or the answer to the user's own status change. */
  changed(presence: Presence): void {
    this.store.update((s) => {
      const { [presence.username]: _old, ...others } = s.presence;
      return { ...s, presence: presence.status === "offline" ? others : { ...others, [presence.username]: presence } };
    });
  }

  async setStatus(status: SetStatus["status"]): Promise<void> {
    const presence = await withNotice(() => this.host.request("status:set", { status }), (text) => this.store.notify(text));
    if (presence) this.changed(presence);
  }
}
