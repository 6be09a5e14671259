import { useId, useState, type FormEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import { displayName, dmPartner, isWorkspaceAdmin, sortedChats, sortedDms, type ChatState } from "../client/state";
import type { Chat, SetStatus } from "../protocol";
import { Dialog } from "./Dialog";
import { ProfileCard, useProfile, UserSearch } from "./People";
import { STATUS_LABEL, StatusDot } from "./StatusDot";

interface Props {
  client: ChatClient;
  state: ChatState;
  onLogout: () => void;
  /** Open the workspace admin view (shown to workspace admins only). */
  onAdmin: () => void;
}

/** The user, their own chats (and the way to find others), a new chat, who is online. */
export function Sidebar({ client, state, onLogout, onAdmin }: Props) {
  const chats = sortedChats(state);
  const dms = sortedDms(state);
  const browsing = state.browse !== null;
  const myStatus = state.presence[state.me]?.status ?? "online";
  const statusId = useId();
  const [dialog, setDialog] = useState<"profile" | "new-dm" | null>(null);

  return (
    <aside className="sidebar" aria-label="Chats and people">
      <header className="me">
        <span className="logo" aria-hidden="true" />
        <div className="me-name">
          <button
            type="button"
            className="name-button"
            data-testid="current-user"
            title={`@${state.me}: your profile`}
            onClick={() => setDialog("profile")}
          >
            <strong>{displayName(state, state.me)}</strong>
          </button>
          <label className="status-picker" htmlFor={statusId}>
            <StatusDot status={myStatus} />
            <span className="sr-only">Your status</span>
            <select
              id={statusId}
              data-testid="status-select"
              value={myStatus === "offline" ? "online" : myStatus}
              onChange={(e) => void client.setStatus(e.target.value as SetStatus["status"])}
            >
              <option value="online">Online</option>
              <option value="away">Away</option>
              <option value="busy">Busy</option>
            </select>
          </label>
        </div>
        {isWorkspaceAdmin(state) && (
          <button type="button" className="quiet" data-testid="admin-open" onClick={onAdmin}>
            Admin
          </button>
        )}
        <button type="button" className="quiet" data-testid="logout" onClick={onLogout}>
          Log out
        </button>
      </header>

      <nav className="chats" aria-labelledby={`${statusId}-chats`}>
        <div className="chats-head">
          <h2 id={`${statusId}-chats`}>Your chats</h2>
          <button
            type="button"
            className="small"
            data-testid="browse-chats"
            aria-pressed={browsing}
            onClick={() => (browsing ? client.chats.closeBrowse() : void client.chats.browse(""))}
          >
            Browse chats
          </button>
        </div>
        <ul data-testid="chat-list">
          {chats.map((chat) => (
            <ChatItem key={chat.id} chat={chat} state={state} client={client} current={!browsing && state.activeChatId === chat.id} />
          ))}
          {state.chatsLoaded && chats.length === 0 && (
            <li className="empty" data-testid="no-chats">
              You are not in any chats yet. Browse the public ones, or create one below.
            </li>
          )}
        </ul>
      </nav>

      <nav className="chats dms" aria-labelledby={`${statusId}-dms`}>
        <div className="chats-head">
          <h2 id={`${statusId}-dms`}>Direct messages</h2>
          <button type="button" className="small" data-testid="new-dm" onClick={() => setDialog("new-dm")}>
            New message
          </button>
        </div>
        <ul data-testid="dm-list">
          {dms.map((chat) => (
            <ChatItem key={chat.id} chat={chat} state={state} client={client} current={!browsing && state.activeChatId === chat.id} />
          ))}
        </ul>
      </nav>

      <NewChatForm client={client} />
      {dialog === "profile" && <ProfileCard client={client} state={state} username={state.me} onClose={() => setDialog(null)} />}
      {dialog === "new-dm" && (
        <Dialog title="New message" onClose={() => setDialog(null)} testId="new-dm-dialog">
          <UserSearch
            client={client}
            state={state}
            label="To"
            testId="dm-search"
            action={() => "Message"}
            onPick={(user) => void client.chats.openDm(user.username).then((opened) => opened && setDialog(null))}
          />
        </Dialog>
      )}

      <section className="people" aria-labelledby={`${statusId}-people`}>
        <h2 id={`${statusId}-people`}>Online</h2>
        <ul
          data-testid="presence-list"
          data-stale={state.presenceStale ? "true" : undefined}
          className={state.presenceStale ? "stale" : undefined}
          title={state.presenceStale ? "Status unknown while disconnected" : undefined}
        >
          {Object.values(state.presence)
            .sort((a, b) => (a.username === state.me ? -1 : b.username === state.me ? 1 : a.username.localeCompare(b.username)))
            .map((p) => (
              <li key={p.username} data-testid="presence-item" data-username={p.username} data-status={p.status}>
                <StatusDot status={p.status} />
                <span className="person" title={`@${p.username}`}>
                  {displayName(state, p.username)}
                </span>
                {p.username === state.me && <span className="muted"> (you)</span>}
                <span className="status-text">{state.presenceStale ? "Unknown" : STATUS_LABEL[p.status]}</span>
              </li>
            ))}
        </ul>
      </section>
    </aside>
  );
}

function ChatItem({ chat, state, client, current }: { chat: Chat; state: ChatState; client: ChatClient; current: boolean }) {
  const view = state.reads[chat.id];
  const unread = view?.unread ?? 0;
  const mentions = view?.mentions ?? 0;
  const partner = chat.kind === "dm" ? dmPartner(chat, state.me) : null;
  return (
    <li
      className={`chat-item${current ? " current" : ""}${unread ? " unread" : ""}${view?.muted ? " muted-chat" : ""}`}
      data-testid="chat-item"
      data-chat-id={chat.id}
      data-unread={unread}
      data-mentions={mentions}
      data-kind={chat.kind}
    >
      <button
        type="button"
        className="chat-open"
        aria-current={current ? "page" : undefined}
        onClick={() => client.openChat(chat.id)}
      >
        {partner ? (
          <DmLabel client={client} state={state} partner={partner} />
        ) : (
          <>
            <ChatIcon isPrivate={chat.private} />
            <span className="chat-name">{chat.name}</span>
          </>
        )}
        {mentions > 0 && (
          <span className="badge mention-badge" data-testid="mention-badge" aria-label={`${mentions} mentioning you`}>
            @{mentions > 99 ? "99+" : mentions}
          </span>
        )}
        {unread > 0 && (
          <span className="badge" data-testid="unread-badge" aria-label={`${unread} unread`}>
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
    </li>
  );
}

/** A DM in the list: the other person's name and presence. */
function DmLabel({ client, state, partner }: { client: ChatClient; state: ChatState; partner: string }) {
  useProfile(client, state, partner);
  return (
    <>
      <StatusDot status={state.presence[partner]?.status ?? "offline"} />
      <span className="chat-name" title={`@${partner}`}>
        {displayName(state, partner)}
      </span>
    </>
  );
}

export function ChatIcon({ isPrivate }: { isPrivate: boolean }) {
  if (!isPrivate) {
    return (
      <span className="chat-icon" aria-hidden="true">
        #
      </span>
    );
  }
  return (
    <svg className="chat-icon" viewBox="0 0 16 16" width="14" height="14" aria-label="private" role="img">
      <path
        fill="currentColor"
        d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z"
      />
    </svg>
  );
}

function NewChatForm({ client }: { client: ChatClient }) {
  const id = useId();
  const [name, setName] = useState("");
  const [isPrivate, setPrivate] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed || busy) return;
    setBusy(true);
    if (await client.chats.create(trimmed, isPrivate)) {
      setName("");
      setPrivate(false);
    }
    setBusy(false);
  }

  return (
    <form className="new-chat" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>New chat</h2>
      <div className="row">
        <label className="sr-only" htmlFor={`${id}-name`}>
          Chat name
        </label>
        <input
          id={`${id}-name`}
          data-testid="new-chat-name"
          placeholder="Chat name"
          maxLength={80}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" className="primary small" data-testid="new-chat-submit" disabled={busy || !name.trim()}>
          Create
        </button>
      </div>
      <label className="check">
        <input
          type="checkbox"
          data-testid="new-chat-private"
          checked={isPrivate}
          onChange={(e) => setPrivate(e.target.checked)}
        />
        Private (members only)
      </label>
    </form>
  );
}
