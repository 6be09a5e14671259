import { useId, useState, type FormEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import { moderates, type ChatState } from "../client/state";
import type { Chat } from "../protocol";
import { Dialog } from "./Dialog";

/** Rename and topic for the chat's owner and admins; mute for everyone, for themself. */
export function ChatSettings({ client, state, chat, onClose }: { client: ChatClient; state: ChatState; chat: Chat; onClose: () => void }) {
  const id = useId();
  const [name, setName] = useState(chat.name);
  const [topic, setTopic] = useState(chat.topic);
  const [busy, setBusy] = useState(false);
  // Shown at once, as the user set it; put back if the server refuses.
  const [muted, setMuted] = useState(state.reads[chat.id]?.muted ?? false);
  const mayEdit = moderates(state, chat.id) && chat.kind !== "dm";

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    const saved = await client.moderation.update(chat.id, name.trim(), topic);
    setBusy(false);
    if (saved) onClose();
  }

  return (
    <Dialog title="Chat settings" onClose={onClose} testId="chat-settings">
      {mayEdit && (
        <form className="stack" onSubmit={(event) => void submit(event)}>
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} data-testid="settings-name" maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
          <label htmlFor={`${id}-topic`}>Topic</label>
          <input id={`${id}-topic`} data-testid="settings-topic" maxLength={250} value={topic} onChange={(e) => setTopic(e.target.value)} />
          <div className="row end">
            <button type="submit" className="primary" data-testid="settings-save" disabled={busy || !name.trim()}>
              Save
            </button>
          </div>
        </form>
      )}
      <label className="check">
        <input
          type="checkbox"
          data-testid="settings-mute"
          checked={muted}
          onChange={(e) => {
            const wanted = e.target.checked;
            setMuted(wanted);
            void client.moderation.mute(chat.id, wanted).then((done) => done || setMuted(!wanted));
          }}
        />
        Mute this chat (no notifications; unread counts go on)
      </label>
    </Dialog>
  );
}
