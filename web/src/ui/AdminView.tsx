import { useState } from "react";

import type { ChatClient } from "../client/ChatClient";
import type { ChatState } from "../client/state";
import type { User } from "../protocol";
import { Confirm, Dialog } from "./Dialog";
import { UserSearch } from "./People";

/** For workspace admins: find a user and deactivate them (with a confirmation) or reactivate them. */
export function AdminView({ client, state, onClose }: { client: ChatClient; state: ChatState; onClose: () => void }) {
  const [confirming, setConfirming] = useState<User | null>(null);
  const [done, setDone] = useState<User | null>(null);

  async function set(user: User, deactivated: boolean) {
    const changed = await client.people.setDeactivated(user.username, deactivated);
    if (changed) setDone(changed);
  }

  return (
    <Dialog title="Workspace admin" onClose={onClose} testId="admin-view" className="admin-view">
      <UserSearch
        client={client}
        state={state}
        label="Find a user"
        testId="admin-search"
        action={(user) => (state.users[user.username] ?? user).deactivated ? "Reactivate" : "Deactivate"}
        onPick={(user) => {
          if ((state.users[user.username] ?? user).deactivated) void set(user, false);
          else setConfirming(user);
        }}
      />
      {done && (
        <p className="success" role="status" data-testid="admin-status">
          {done.username} is {done.deactivated ? "deactivated" : "active again"}.
        </p>
      )}
      {confirming && (
        <Confirm
          title="Deactivate user"
          text={`Deactivate @${confirming.username}? They are logged out everywhere at once and cannot log in; their messages stay.`}
          action="Deactivate"
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const user = confirming;
            setConfirming(null);
            void set(user, true);
          }}
        />
      )}
    </Dialog>
  );
}
