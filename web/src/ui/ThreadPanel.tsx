import { useState } from "react";

import type { ChatClient } from "../client/ChatClient";
import type { ChatState, ThreadView } from "../client/state";
import type { Chat } from "../protocol";
import { Composer } from "./Composer";
import { MessageItem } from "./MessageItem";

/** A thread beside the chat: its root, its replies (live), and a composer of its own. */
export function ThreadPanel({ client, state, chat, thread }: { client: ChatClient; state: ChatState; chat: Chat; thread: ThreadView }) {
  const [editing, setEditing] = useState<number | null>(null);
  const root = state.messages[chat.id]?.items.find((m) => m.seq === thread.root);
  return (
    <aside className="thread-panel" aria-label="Thread" data-testid="thread-panel" data-root={thread.root}>
      <div className="members-head">
        <h2>Thread</h2>
        <button type="button" className="icon" data-testid="thread-close" onClick={() => client.threads.close()} aria-label="Close thread">
          ×
        </button>
      </div>
      <ol className="messages thread-messages" aria-label="Replies" role="log">
        {root && (
          <MessageItem
            client={client}
            state={state}
            message={root}
            grouped={false}
            editing={editing === root.seq}
            onEditing={(on) => setEditing(on ? root.seq : null)}
          />
        )}
        <li className="day" aria-hidden="true">
          <span>{thread.replies.length === 1 ? "1 reply" : `${thread.replies.length} replies`}</span>
        </li>
        {thread.replies.map((reply) => (
          <MessageItem
            key={reply.id}
            client={client}
            state={state}
            message={reply}
            grouped={false}
            editing={editing === reply.seq}
            onEditing={(on) => setEditing(on ? reply.seq : null)}
          />
        ))}
      </ol>
      {!thread.loaded && !thread.error && <p className="muted">Loading replies…</p>}
      {thread.error && (
        <p className="error" role="alert">
          {thread.error}
        </p>
      )}
      {thread.more && (
        <button type="button" className="small" onClick={() => void client.threads.more()}>
          Show more replies
        </button>
      )}
      <Composer
        key={`${chat.id}:${thread.root}`}
        client={client}
        state={state}
        chat={chat}
        placeholder="Reply in thread"
        testId="thread-composer"
        onSend={(text) => client.threads.reply(text)}
      />
    </aside>
  );
}
