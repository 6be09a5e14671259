import { useEffect, useId, useState, type FormEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import { displayName, type ChatState } from "../client/state";
import type { User } from "../protocol";
import { Dialog } from "./Dialog";
import { STATUS_LABEL, StatusDot } from "./StatusDot";

/** The user's profile, asked for the first time it is shown. */
export function useProfile(client: ChatClient, state: ChatState, username: string): User | undefined {
  useEffect(() => client.people.want(username), [client, username]);
  return state.users[username];
}

/** A user's display name (their username on hover); a click opens their profile card. */
export function Name({ client, state, username }: { client: ChatClient; state: ChatState; username: string }) {
  const [open, setOpen] = useState(false);
  useProfile(client, state, username);
  return (
    <>
      <button
        type="button"
        className="name-button"
        data-testid="user-name"
        data-username={username}
        title={`@${username}`}
        onClick={() => setOpen(true)}
      >
        {displayName(state, username)}
      </button>
      {open && <ProfileCard client={client} state={state} username={username} onClose={() => setOpen(false)} />}
    </>
  );
}

/** Display name, username, about and presence; "Message" opens the DM with them. */
export function ProfileCard({
  client,
  state,
  username,
  onClose,
}: {
  client: ChatClient;
  state: ChatState;
  username: string;
  onClose: () => void;
}) {
  const user = useProfile(client, state, username);
  const status = state.presence[username]?.status ?? "offline";
  const [editing, setEditing] = useState(false);
  const mine = username === state.me;
  return (
    <Dialog title={displayName(state, username)} onClose={onClose} testId="profile-card" className="profile-card">
      <p className="muted" data-testid="profile-username">
        @{username}
        {user?.role === "admin" && " · workspace admin"}
        {user?.deactivated && " · deactivated"}
      </p>
      <p>
        <StatusDot status={status} /> {STATUS_LABEL[status]}
      </p>
      {user?.about && (
        <p className="about" data-testid="profile-about">
          {user.about}
        </p>
      )}
      {editing && user ? (
        <ProfileEditor client={client} user={user} onDone={() => setEditing(false)} />
      ) : (
        <div className="row end">
          {mine ? (
            <button type="button" data-testid="profile-edit" onClick={() => setEditing(true)} disabled={!user}>
              Edit profile
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              data-testid="profile-message"
              disabled={user?.deactivated}
              onClick={() => void client.chats.openDm(username).then((opened) => opened && onClose())}
            >
              Message
            </button>
          )}
        </div>
      )}
    </Dialog>
  );
}

function ProfileEditor({ client, user, onDone }: { client: ChatClient; user: User; onDone: () => void }) {
  const id = useId();
  const [name, setName] = useState(user.display_name);
  const [about, setAbout] = useState(user.about);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const saved = await client.people.updateOwn(name.trim(), about);
    setBusy(false);
    if (saved) onDone();
  }

  return (
    <form className="stack" onSubmit={(event) => void submit(event)}>
      <label htmlFor={`${id}-name`}>Display name</label>
      <input id={`${id}-name`} data-testid="profile-display-name" maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor={`${id}-about`}>About</label>
      <textarea id={`${id}-about`} data-testid="profile-about-input" maxLength={500} rows={3} value={about} onChange={(e) => setAbout(e.target.value)} />
      <div className="row end">
        <button type="button" className="quiet" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="profile-save" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}

/** Find a user by username or display name; `onPick` gets the one chosen. */
export function UserSearch({
  client,
  state,
  label,
  action,
  onPick,
  testId,
}: {
  client: ChatClient;
  state: ChatState;
  label: string;
  action: (user: User) => string;
  onPick: (user: User) => void;
  testId: string;
}) {
  const id = useId();
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<{ query: string; users: User[] } | null>(null);

  useEffect(() => {
    const wanted = query.trim();
    if (!wanted) return;
    let current = true;
    const timer = setTimeout(() => {
      void client.people.search(wanted, 20).then((users) => current && setFound({ query: wanted, users }));
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, query]);

  const users = query.trim() && found?.query === query.trim() ? found.users : [];
  return (
    <div className="user-search" data-testid={testId}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={`${testId}-input`}
        autoFocus
        autoCapitalize="none"
        spellCheck={false}
        placeholder="name or username"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <ul className="user-results" data-testid={`${testId}-results`} data-query={found?.query ?? ""}>
        {users.map((user) => (
          <li key={user.username} data-testid="user-result" data-username={user.username}>
            <StatusDot status={state.presence[user.username]?.status ?? "offline"} />
            <span className="person">{user.display_name || user.username}</span>
            <span className="muted"> @{user.username}</span>
            {user.deactivated && <span className="muted"> · deactivated</span>}
            <button type="button" className="small" data-testid="user-result-action" onClick={() => onPick(user)}>
              {action(user)}
            </button>
          </li>
        ))}
        {found?.query === query.trim() && query.trim() && users.length === 0 && <li className="muted">No one found.</li>}
      </ul>
    </div>
  );
}
