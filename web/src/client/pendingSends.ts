/**
 * Messages the user sent that the server has not stored yet: kept across reloads, sent
 * oldest first, each with its own client_id, and sent again with the same client_id after
 * a reconnect or a failure worth retrying, so that each is stored once.
 */

import type { Message } from "../protocol";
import { RequestError, describeError } from "../lib/errors";
import { markRefused, newClientId, settle, toSend, type PendingMessage } from "../lib/pending";
import type { Requester } from "./connection";
import type { SessionStore } from "./store";

const RESEND_DELAY_MS = 2_000;
const MAX_TEXT = 4000;

/** Failures worth trying again by ourselves: the message itself is fine. */
const RETRYABLE = new Set(["timeout", "offline", "unavailable", "rate_limited", "internal"]);

/** What pending sends need of the session. */
export interface SendingHost {
  request: Requester;
  isConnected: () => boolean;
  /** The server stored a pending message: here it is, as stored. */
  stored: (message: Message) => void;
}

export class PendingSends {
  /** client_id -> the attempt on its way; an answer to an older attempt is ignored. */
  private readonly inFlight = new Map<string, number>();
  private attempt = 0;
  private resendTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: SessionStore,
    private readonly host: SendingHost,
  ) {}

  send(chatId: string, text: string): boolean {
    if (!text.trim()) return false;
    if (text.length > MAX_TEXT) {
      this.store.notify(`Messages can have at most ${MAX_TEXT} characters; this one has ${text.length}.`);
      return false;
    }
    const pending: PendingMessage = {
      clientId: newClientId(),
      chatId,
      text,
      afterSeq: this.store.getState().chats[chatId]?.last_seq ?? 0,
      error: null,
    };
    this.store.update((s) => ({ ...s, pending: [...s.pending, pending] }));
    this.flush();
    return true;
  }

  retry(clientId: string): void {
    this.store.update((s) => ({ ...s, pending: markRefused(s.pending, clientId, null) }));
    this.flush();
  }

  discard(clientId: string): void {
    this.store.update((s) => ({ ...s, pending: settle(s.pending, clientId) }));
  }

  /** A new connection: answers asked on the old one never come, so every pending message goes again. */
  reconnected(): void {
    this.inFlight.clear();
    this.flush();
  }

  close(): void {
    clearTimeout(this.resendTimer);
  }

  /** Send every pending message not already on its way, oldest first, each with its own client_id. */
  private flush(): void {
    if (!this.host.isConnected()) return;
    for (const pending of toSend(this.store.getState().pending, new Set(this.inFlight.keys()))) {
      this.attempt += 1;
      const attempt = this.attempt;
      this.inFlight.set(pending.clientId, attempt);
      this.host
        .request("messages:send", { chat_id: pending.chatId, text: pending.text, client_id: pending.clientId })
        .then((message) => {
          if (this.inFlight.get(pending.clientId) === attempt) this.inFlight.delete(pending.clientId);
          this.store.update((s) => ({ ...s, pending: settle(s.pending, pending.clientId) }));
          this.host.stored(message);
        })
        .catch((error: unknown) => {
          if (this.inFlight.get(pending.clientId) !== attempt) return; // a newer attempt is on its way
          this.inFlight.delete(pending.clientId);
          const failure = error instanceof RequestError ? error : new RequestError("internal", "");
          if (RETRYABLE.has(failure.code)) {
            this.scheduleResend();
          } else {
            this.store.update((s) => ({
              ...s,
              pending: markRefused(s.pending, pending.clientId, describeError(failure)),
            }));
          }
        });
    }
  }

  private scheduleResend(): void {
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => this.flush(), RESEND_DELAY_MS);
  }
}
