import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import type { ChatState } from "../client/state";
import type { Chat } from "../protocol";
import { STATUS_LABEL, StatusDot } from "./StatusDot";

interface Props {
  client: ChatClient;
  state: ChatState;
  chat: Chat;
  member: boolean;
  open: boolean;
  onClose: () => void;
}

/** The chat's members with their status, and the invite form. A side column on wide screens, a dialog on narrow ones. */
export function MembersPanel({ client, state, chat, member, open, onClose }: Props) {
  const id = useId();
  const [username, setUsername] = useState("");
  const [busy, setBusy] = useState(false);
  const [invited, setInvited] = useState<string | null>(null);
  const panel = useRef<HTMLElement>(null);

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
    if (await client.invite(chat.id, name)) {
      setUsername("");
      setInvited(name);
    }
    setBusy(false);
  }

  const members = [...chat.members].sort((a, b) => a.localeCompare(b));
  return (
    <aside
      ref={panel}
      className={`members${open ? " open" : ""}`}
      aria-labelledby={`${id}-title`}
      tabIndex={-1}
      data-testid="members-panel"
    >
      <div className="members-head">
        <h2 id={`${id}-title`}>Members</h2>
        <button type="button" className="icon members-close" onClick={onClose} aria-label="Close members">
          ×
        </button>
      </div>
      <ul className="members-list" data-stale={state.presenceStale ? "true" : undefined}>
        {members.map((name) => {
          const status = state.presence[name]?.status ?? "offline";
          return (
            <li key={name} data-testid="member-item" data-username={name} data-status={status}>
              <StatusDot status={status} />
              <span className="person">{name}</span>
              {name === chat.owner && <span className="muted"> · owner</span>}
              <span className="status-text">{state.presenceStale ? "Unknown" : STATUS_LABEL[status]}</span>
            </li>
          );
        })}
      </ul>
      {member && (
        <form className="invite" onSubmit={submit}>
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
      )}
    </aside>
  );
}
