import { useEffect, useState } from "react";

import type { ChatClient } from "../client/ChatClient";
import { displayName, dmPartner, EMPTY_MESSAGES, type ChatState } from "../client/state";
import type { Chat } from "../protocol";
import { lastEditable } from "../lib/messages";
import { visiblePending } from "../lib/pending";
import { activeTypers, typingLabel } from "../lib/typing";
import { ChatSettings } from "./ChatSettings";
import { Composer } from "./Composer";
import { memberCount } from "./BrowseChats";
import { MembersPanel } from "./MembersPanel";
import { MessageList } from "./MessageList";
import { Name } from "./People";
import { PinnedList } from "./PinnedList";
import { ChatIcon } from "./Sidebar";
import { StatusDot } from "./StatusDot";
import { ThreadPanel } from "./ThreadPanel";

interface Props {
  client: ChatClient;
  state: ChatState;
  chat: Chat | undefined;
}

export function Conversation({ client, state, chat }: Props) {
  const [membersOpen, setMembersOpen] = useState(false);
  const [panel, setPanel] = useState<"pinned" | "settings" | null>(null);
  const [editing, setEditing] = useState<{ chatId: string; seq: number } | null>(null);

  if (!chat) return <Welcome client={client} state={state} />;

  const held = state.messages[chat.id] ?? EMPTY_MESSAGES;
  const pending = visiblePending(state.pending, chat.id, held.items, state.me);
  const partner = chat.kind === "dm" ? dmPartner(chat, state.me) : null;
  const thread = state.thread?.chatId === chat.id ? state.thread : null;
  const editingSeq = editing?.chatId === chat.id ? editing.seq : null;

  return (
    <main className="conversation" aria-labelledby="conversation-title">
      <header className="conversation-header">
        <button
          type="button"
          className="back icon"
          data-testid="back-to-chats"
          onClick={() => client.openChat(null)}
          aria-label="Back to chats"
        >
          ‹
        </button>
        <div className="title">
          <h2 id="conversation-title" data-testid="chat-title" data-chat-name={chat.name}>
            {partner ? <StatusDot status={state.presence[partner]?.status ?? "offline"} /> : <ChatIcon isPrivate={chat.private} />}
            <span className="title-text">{partner ? displayName(state, partner) : chat.name}</span>
          </h2>
          <p className="muted" data-testid="chat-member-count">
            {partner ? (
              <>
                Direct message with <Name client={client} state={state} username={partner} />
              </>
            ) : (
              <>
                {chat.private ? "Private" : "Public"} · {memberCount(chat.member_count)}
              </>
            )}
          </p>
          {chat.topic && (
            <p className="muted topic" data-testid="chat-topic" title={chat.topic}>
              {chat.topic}
            </p>
          )}
        </div>
        <button
          type="button"
          className="quiet header-icon"
          data-testid="pinned-toggle"
          data-count={chat.pinned.length}
          aria-label={`Pinned messages (${chat.pinned.length})`}
          title="Pinned messages"
          onClick={() => setPanel("pinned")}
        >
          <span aria-hidden="true">📌</span>
          {chat.pinned.length > 0 && <span className="header-count">{chat.pinned.length}</span>}
        </button>
        <button
          type="button"
          className="quiet header-icon"
          data-testid="settings-toggle"
          aria-label="Chat settings"
          title="Chat settings"
          onClick={() => setPanel("settings")}
        >
          <span aria-hidden="true">⚙</span>
        </button>
        <button
          type="button"
          className="quiet members-toggle"
          data-testid="members-toggle"
          aria-expanded={membersOpen}
          onClick={() => setMembersOpen((open) => !open)}
        >
          Members
        </button>
        {!partner && (
          <button type="button" className="quiet" data-testid="leave-chat" onClick={() => void client.chats.leave(chat.id)}>
            Leave
          </button>
        )}
      </header>
      <div className="conversation-body">
        {/* Keyed by chat: switching chats starts a fresh list, scroll position and draft. */}
        <div className="conversation-main" key={chat.id}>
          <MessageList
            client={client}
            state={state}
            chatId={chat.id}
            held={held}
            pending={pending}
            editing={editingSeq}
            onEditing={(seq) => setEditing(seq === null ? null : { chatId: chat.id, seq })}
          />
          <TypingLine typers={state.typing[chat.id]} name={(username) => displayName(state, username)} />
          <Composer
            client={client}
            state={state}
            chat={chat}
            onSend={(text) => client.send(chat.id, text)}
            onEditLast={() => {
              const last = lastEditable(held.items, state.me);
              if (last) setEditing({ chatId: chat.id, seq: last.seq });
              return last !== null;
            }}
          />
        </div>
        {thread && <ThreadPanel client={client} state={state} chat={chat} thread={thread} />}
        <MembersPanel
          client={client}
          state={state}
          chat={chat}
          open={membersOpen}
          onClose={() => setMembersOpen(false)}
        />
      </div>
      {panel === "pinned" && <PinnedList client={client} state={state} chat={chat} onClose={() => setPanel(null)} />}
      {panel === "settings" && <ChatSettings client={client} state={state} chat={chat} onClose={() => setPanel(null)} />}
    </main>
  );
}

function TypingLine({
  typers,
  name,
}: {
  typers: Readonly<Record<string, number>> | undefined;
  name: (username: string) => string;
}) {
  const [now, setNow] = useState(() => Date.now());
  const names = activeTypers(typers, now).map(name);

  useEffect(() => {
    // Look at the clock again when the next notice shown expires: at once for one already past.
    const next = Math.min(...Object.values(typers ?? {}).filter((expiry) => expiry > now));
    if (next === Infinity) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, next - Date.now()));
    return () => clearTimeout(timer);
  }, [typers, now]);

  return (
    <div className="typing-line" aria-live="polite">
      {names.length > 0 && <span data-testid="typing">{typingLabel(names)}</span>}
    </div>
  );
}

/** No chat open: a welcome, and for a user in no chats yet, the way to find one. */
function Welcome({ client, state }: { client: ChatClient; state: ChatState }) {
  const none = state.chatsLoaded && Object.keys(state.chats).length === 0;
  return (
    <main className="conversation empty-state" aria-labelledby="welcome-title">
      <div>
        <h2 id="welcome-title">Welcome, {state.me}</h2>
        <p>
          {none
            ? "You are not in any chats yet. Find a public chat to join (general is a good start), or create your own."
            : "Pick a chat from the list, find a public one to join, or create a new chat."}
        </p>
        <button
          type="button"
          className={none ? "primary" : undefined}
          data-testid="welcome-browse"
          onClick={() => void client.chats.browse("")}
        >
          Browse chats
        </button>
      </div>
    </main>
  );
}
