import { useEffect, useState } from "react";

import type { ChatClient } from "../client/ChatClient";
import { displayName, type ChatState } from "../client/state";
import type { Chat, Message } from "../protocol";
import { Dialog } from "./Dialog";
import { MessageText } from "./MessageText";

/** The chat's pinned messages, oldest pin first; those not held are read from history. */
export function PinnedList({ client, state, chat, onClose }: { client: ChatClient; state: ChatState; chat: Chat; onClose: () => void }) {
  const held = state.messages[chat.id]?.items ?? [];
  const [fetched, setFetched] = useState<Record<number, Message>>({});

  useEffect(() => {
    const have = new Set((state.messages[chat.id]?.items ?? []).map((m) => m.seq));
    for (const seq of chat.pinned) {
      if (have.has(seq)) continue;
      client
        .request("messages:history", { chat_id: chat.id, after: seq - 1, limit: 1 })
        .then((page) => {
          const message = page.messages.find((m) => m.seq === seq);
          if (message) setFetched((f) => ({ ...f, [seq]: message }));
        })
        .catch(() => undefined);
    }
  }, [client, chat.id, chat.pinned, state.messages]);

  return (
    <Dialog title={`Pinned in ${chat.name}`} onClose={onClose} testId="pinned-list">
      {chat.pinned.length === 0 && <p className="muted">Nothing is pinned yet. Pin a message from its actions.</p>}
      <ul className="pinned">
        {chat.pinned.map((seq) => {
          const message = held.find((m) => m.seq === seq) ?? fetched[seq];
          return (
            <li key={seq} data-testid="pinned-item" data-seq={seq}>
              {message ? (
                <>
                  <strong>{displayName(state, message.sender)}</strong>
                  <div className="text">{message.deleted ? "message deleted" : <MessageText text={message.text} mentions={message.mentions} />}</div>
                  <button type="button" className="small quiet" onClick={() => void client.actions.pin(chat.id, seq, false)}>
                    Unpin
                  </button>
                </>
              ) : (
                <span className="muted">Loading…</span>
              )}
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
