import { useEffect, useState } from "react";

import type { ChatClient } from "../client/ChatClient";
import { EMPTY_MESSAGES, type ChatState } from "../client/state";
import type { Chat } from "../protocol";
import { visiblePending } from "../lib/pending";
import { activeTypers, typingLabel } from "../lib/typing";
import { Composer } from "./Composer";
import { MembersPanel } from "./MembersPanel";
import { MessageList } from "./MessageList";
import { ChatIcon } from "./Sidebar";

interface Props {
  client: ChatClient;
  state: ChatState;
  chat: Chat | undefined;
}

export function Conversation({ client, state, chat }: Props) {
  const [membersOpen, setMembersOpen] = useState(false);

  if (!chat) {
    return (
      <main className="conversation empty-state">
        <div>
          <h2>Welcome, {state.me}</h2>
          <p>Pick a chat from the list, join a public one, or start a new chat.</p>
        </div>
      </main>
    );
  }

  const member = chat.members.includes(state.me);
  const held = state.messages[chat.id] ?? EMPTY_MESSAGES;
  const pending = visiblePending(state.pending, chat.id, held.items, state.me);

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
          <h2 id="conversation-title" data-testid="chat-title">
            <ChatIcon isPrivate={chat.private} />
            <span className="title-text">{chat.name}</span>
          </h2>
          <p className="muted">
            {chat.private ? "Private" : "Public"} · {chat.members.length}{" "}
            {chat.members.length === 1 ? "member" : "members"}
          </p>
        </div>
        <button
          type="button"
          className="quiet members-toggle"
          data-testid="members-toggle"
          aria-expanded={membersOpen}
          onClick={() => setMembersOpen((open) => !open)}
        >
          Members
        </button>
        {member ? (
          <button type="button" className="quiet" data-testid="leave-chat" onClick={() => void client.leaveChat(chat.id)}>
            Leave
          </button>
        ) : (
          <button type="button" className="primary small" data-testid="join-chat-header" onClick={() => void client.joinChat(chat.id)}>
            Join
          </button>
        )}
      </header>
      <div className="conversation-body">
        {/* Keyed by chat: switching chats starts a fresh list, scroll position and draft. */}
        <div className="conversation-main" key={chat.id}>
          <MessageList
            client={client}
            chatId={chat.id}
            me={state.me}
            held={held}
            pending={pending}
          />
          <TypingLine typers={state.typing[chat.id]} />
          {member ? (
            <Composer client={client} chat={chat} />
          ) : (
            <div className="join-bar">
              <p>You are reading a public chat you have not joined.</p>
              <button type="button" className="primary" onClick={() => void client.joinChat(chat.id)}>
                Join {chat.name}
              </button>
            </div>
          )}
        </div>
        <MembersPanel
          client={client}
          state={state}
          chat={chat}
          member={member}
          open={membersOpen}
          onClose={() => setMembersOpen(false)}
        />
      </div>
    </main>
  );
}

function TypingLine({ typers }: { typers: Readonly<Record<string, number>> | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  const names = activeTypers(typers, now);
  const anyone = typers !== undefined && Object.values(typers).some((expiry) => expiry > Date.now());

  useEffect(() => {
    setNow(Date.now());
    if (!anyone) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [typers, anyone]);

  return (
    <div className="typing-line" aria-live="polite">
      {names.length > 0 && <span data-testid="typing">{typingLabel(names)}</span>}
    </div>
  );
}
