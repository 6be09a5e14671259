import { useEffect, useId, useRef, useState, useSyncExternalStore, type FormEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import { displayName, moderates, type ChatState } from "../client/state";
import type { Chat, Member } from "../protocol";
import { memberCount } from "./BrowseChats";
import { Confirm } from "./Dialog";
import { Name } from "./People";
import { STATUS_LABEL, StatusDot } from "./StatusDot";

/** Where the panel is a column of its own (styles.css shows it as a dialog below this width). */
const WIDE_SCREEN = "(min-width: 1100px)";

const ROLE_LABEL: Record<Member["role"], string | null> = { owner: "owner", admin: "admin", member: null };

interface Props {
  client: ChatClient;
  state: ChatState;
  chat: Chat;
  open: boolean;
  onClose: () => void;
}

/**
 * The chat's members, a page at a time, with their role and status, and the invite form.
 * A side column on wide screens, a dialog on narrow ones; members are asked for while it shows.
 */
export function MembersPanel({ client, state, chat, open, onClose }: Props) {
  const id = useId();
  const [username, setUsername] = useState("");
  const [busy, setBusy] = useState(false);
  const [invited, setInvited] = useState<string | null>(null);
  const [kicking, setKicking] = useState<string | null>(null);
  const owner = state.reads[chat.id]?.role === "owner" || chat.owner === state.me;
  const moderator = moderates(state, chat.id) && chat.kind !== "dm";
  const panel = useRef<HTMLElement>(null);
  const membersList = useRef<HTMLUListElement>(null);
  // "Show more" was pressed: once it is gone (every member shown), the list takes the focus.
  const showingMore = useRef(false);
  const wide = useMediaQuery(WIDE_SCREEN);
  const shown = open || wide;

  useEffect(() => {
    if (!shown) return;
    void client.chats.openMembers(chat.id);
    return () => client.chats.closeMembers();
  }, [shown, chat.id, client]);

  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open, onClose]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const name = username.trim().toLowerCase();
    if (!name || busy) return;
    setBusy(true);
    setInvited(null);
    if (await client.chats.invite(chat.id, name)) {
      setUsername("");
      setInvited(name);
    }
    setBusy(false);
  }

  const list = state.memberList?.chatId === chat.id ? state.memberList : null;
  const more = list?.loaded === true && list.more;

  useEffect(() => {
    if (!showingMore.current || list?.loading) return;
    showingMore.current = false;
    if (!more) membersList.current?.focus();
  }, [more, list?.loading]);

  return (
    <aside
      ref={panel}
      className={`members${open ? " open" : ""}`}
      aria-labelledby={`${id}-title`}
      tabIndex={-1}
      data-testid="members-panel"
    >
      <div className="members-head">
        <h2 id={`${id}-title`}>
          Members <span className="members-total">({memberCount(chat.member_count)})</span>
        </h2>
        <button type="button" className="icon members-close" onClick={onClose} aria-label="Close members">
          ×
        </button>
      </div>
      <ul
        ref={membersList}
        className="members-list"
        tabIndex={-1}
        aria-label={`Members of ${chat.name}`}
        data-stale={state.presenceStale ? "true" : undefined} aria-busy={list?.loading}>
        {list?.members.map((member) => {
          const status = state.presence[member.username]?.status ?? "offline";
          const role = ROLE_LABEL[member.role];
          return (
            <li
              key={member.username}
              data-testid="member-item"
              data-username={member.username}
              data-role={member.role}
              data-status={status}
            >
              <StatusDot status={status} />
              <span className="person">
                <Name client={client} state={state} username={member.username} />
              </span>
              {role && <span className="muted"> · {role}</span>}
              <span className="status-text">{state.presenceStale ? "Unknown" : STATUS_LABEL[status]}</span>
              {member.role !== "owner" && member.username !== state.me && (owner || moderator) && (
                <span className="member-actions">
                  {owner && (
                    <button
                      type="button"
                      className="small quiet"
                      data-testid="member-role"
                      onClick={() =>
                        void client.moderation.setRole(chat.id, member.username, member.role === "admin" ? "member" : "admin")
                      }
                    >
                      {member.role === "admin" ? "Remove admin" : "Make admin"}
                    </button>
                  )}
                  {moderator && (
                    <button type="button" className="small quiet danger-text" data-testid="member-kick" onClick={() => setKicking(member.username)}>
                      Remove
                    </button>
                  )}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {list?.loading && (
        <p className="muted members-note" role="status">
          Loading members…
        </p>
      )}
      {list?.error && (
        <div className="failure" role="alert">
          <span>{list.error}</span>
          <button
            type="button"
            className="small"
            onClick={() => void (list.loaded ? client.chats.moreMembers() : client.chats.openMembers(chat.id))}
          >
            Try again
          </button>
        </div>
      )}
      {more && (
        <button
          type="button"
          className="small members-more"
          data-testid="members-more"
          disabled={list.loading}
          onClick={() => {
            showingMore.current = true;
            void client.chats.moreMembers();
          }}
        >
          Show more
        </button>
      )}
      <form className="invite" onSubmit={(event) => void submit(event)}>
        <label htmlFor={`${id}-invite`}>Invite someone</label>
        <div className="row">
          <input
            id={`${id}-invite`}
            data-testid="invite-username"
            placeholder="username"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
          <button type="submit" className="small" data-testid="invite-submit" disabled={busy || !username.trim()}>
            Invite
          </button>
        </div>
        {invited && (
          <p className="success" role="status">
            {invited} was added.
          </p>
        )}
      </form>
      {kicking && (
        <Confirm
          title="Remove from chat"
          text={`Remove ${displayName(state, kicking)} (@${kicking}) from ${chat.name}? They can be invited again.`}
          action="Remove"
          onCancel={() => setKicking(null)}
          onConfirm={() => {
            const username = kicking;
            setKicking(null);
            void client.moderation.kick(chat.id, username);
          }}
        />
      )}
    </aside>
  );
}

/** Whether the media query matches, following changes (a window resized, a phone turned). */
function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (changed) => {
      const media = window.matchMedia(query);
      media.addEventListener("change", changed);
      return () => media.removeEventListener("change", changed);
    },
    () => window.matchMedia(query).matches,
  );
}
