import { useEffect, useRef, useState, type KeyboardEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import { isWorkspaceAdmin, moderates, type ChatState } from "../client/state";
import type { Message } from "../protocol";
import { timeOfDay } from "../lib/days";
import { reactionEmoji } from "../lib/emoji";
import { Confirm } from "./Dialog";
import { EmojiPicker } from "./EmojiPicker";
import { MessageText } from "./MessageText";
import { Name } from "./People";

interface Props {
  client: ChatClient;
  state: ChatState;
  message: Message;
  /** Shown under the message before it: no header. */
  grouped: boolean;
  editing: boolean;
  onEditing: (editing: boolean) => void;
  /** Open this message's thread; absent inside the thread panel. */
  onOpenThread?: () => void;
}

/**
 * One stored message: header, text as Markdown, "(edited)", reactions, the thread's replies,
 * and the actions (on hover, on focus, or a long press on a phone): reply in thread, react,
 * edit own, delete (with a confirmation), pin.
 */
export function MessageItem({ client, state, message, grouped, editing, onEditing, onOpenThread }: Props) {
  const me = state.me;
  const mine = message.sender === me;
  const chat = state.chats[message.chat_id];
  const pinned = chat?.pinned.includes(message.seq) ?? false;
  const [picking, setPicking] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [pressed, setPressed] = useState(false);
  const pressTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const canDelete = mine || moderates(state, message.chat_id) || isWorkspaceAdmin(state);

  const react = (emoji: string) => {
    const held = message.reactions.find((r) => r.emoji === emoji);
    void client.actions.react(message.chat_id, message.seq, emoji, !held?.users.includes(me));
  };

  return (
    <li
      className={`message${mine ? " mine" : ""}${grouped ? " grouped" : ""}${message.deleted ? " deleted" : ""}${pressed ? " pressed" : ""}`}
      data-testid="message"
      data-seq={message.seq}
      data-sender={message.sender}
      data-deleted={message.deleted ? "true" : undefined}
      data-pinned={pinned ? "true" : undefined}
      onTouchStart={() => {
        pressTimer.current = setTimeout(() => setPressed(true), 500);
      }}
      onTouchEnd={() => clearTimeout(pressTimer.current)}
      onTouchMove={() => clearTimeout(pressTimer.current)}
    >
      {!grouped && (
        <div className="meta">
          <span className="sender">
            <Name client={client} state={state} username={message.sender} />
          </span>
          {message.via !== "web" && <span className="via">{message.via === "webhook" ? "webhook" : "bot"}</span>}
          <time dateTime={message.sent_at}>{timeOfDay(message.sent_at)}</time>
          {pinned && (
            <span className="pin-mark" data-testid="pinned-mark" title="Pinned">
              📌
            </span>
          )}
        </div>
      )}
      {message.deleted ? (
        <div className="text deleted-text" data-testid="message-text">
          message deleted
        </div>
      ) : editing ? (
        <EditBox
          text={message.text}
          onCancel={() => onEditing(false)}
          onSave={async (text) => {
            if (text === message.text || (await client.actions.edit(message.chat_id, message.seq, text))) onEditing(false);
          }}
        />
      ) : (
        <div className="text" data-testid="message-text">
          <MessageText text={message.text} mentions={message.mentions} />
          {message.edited_at && (
            <span className="edited" data-testid="edited" title={`Edited ${timeOfDay(message.edited_at)}`}>
              {" "}
              (edited)
            </span>
          )}
        </div>
      )}
      {!message.deleted && message.reactions.length > 0 && (
        <ul className="reactions" aria-label="Reactions" data-testid="reactions">
          {message.reactions.map((reaction) => {
            const own = reaction.users.includes(me);
            return (
              <li key={reaction.emoji}>
                <button
                  type="button"
                  className={`reaction${own ? " own" : ""}`}
                  data-testid="reaction"
                  data-emoji={reaction.emoji}
                  data-count={reaction.count}
                  aria-pressed={own}
                  title={reaction.users.join(", ")}
                  onClick={() => react(reaction.emoji)}
                >
                  <span className="reaction-emoji">{reaction.emoji}</span> {reaction.count}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {message.thread && message.thread.count > 0 && onOpenThread && (
        <button type="button" className="thread-summary" data-testid="thread-summary" onClick={onOpenThread}>
          {message.thread.count === 1 ? "1 reply" : `${message.thread.count} replies`}
        </button>
      )}
      {!message.deleted && !editing && (
        <div className="message-actions" role="toolbar" aria-label="Message actions">
          <button type="button" className="small" data-testid="action-react" aria-label="React" onClick={() => setPicking(true)}>
            ☺
          </button>
          {onOpenThread && (
            <button type="button" className="small" data-testid="action-reply" onClick={onOpenThread}>
              Reply
            </button>
          )}
          {mine && (
            <button type="button" className="small" data-testid="action-edit" onClick={() => onEditing(true)}>
              Edit
            </button>
          )}
          <button
            type="button"
            className="small"
            data-testid="action-pin"
            onClick={() => void client.actions.pin(message.chat_id, message.seq, !pinned)}
          >
            {pinned ? "Unpin" : "Pin"}
          </button>
          {canDelete && (
            <button type="button" className="small danger-text" data-testid="action-delete" onClick={() => setConfirming(true)}>
              Delete
            </button>
          )}
        </div>
      )}
      {picking && (
        <EmojiPicker
          onClose={() => setPicking(false)}
          onPick={(emoji) => {
            setPicking(false);
            react(reactionEmoji(emoji));
          }}
        />
      )}
      {confirming && (
        <Confirm
          title="Delete message"
          text="Delete this message for everyone? Its text, files and reactions are removed for good."
          action="Delete"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void client.actions.delete(message.chat_id, message.seq);
          }}
        />
      )}
    </li>
  );
}

/** Edit in place: Enter saves, Shift+Enter is a new line, Escape cancels. */
function EditBox({ text, onSave, onCancel }: { text: string; onSave: (text: string) => Promise<void>; onCancel: () => void }) {
  const [value, setValue] = useState(text);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    } else if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (value.trim()) void onSave(value);
    }
  }

  return (
    <div className="edit-box">
      <textarea
        ref={input}
        data-testid="edit-input"
        aria-label="Edit message"
        value={value}
        rows={Math.min(8, value.split("\n").length)}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="row">
        <button type="button" className="small primary" data-testid="edit-save" disabled={!value.trim()} onClick={() => void onSave(value)}>
          Save
        </button>
        <button type="button" className="small quiet" onClick={onCancel}>
          Cancel
        </button>
        <span className="muted small-print">Enter saves, Escape cancels</span>
      </div>
    </div>
  );
}
