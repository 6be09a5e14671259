import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import type { Chat } from "../protocol";

/** Enter sends, Shift+Enter starts a new line; typing is announced at most every 2 s. */
export function Composer({ client, chat }: { client: ChatClient; chat: Chat }) {
  const id = useId();
  const [text, setText] = useState("");
  const input = useRef<HTMLTextAreaElement>(null);

  function send(event?: FormEvent) {
    event?.preventDefault();
    if (client.send(chat.id, text)) setText("");
    input.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  return (
    <form className="composer" onSubmit={send}>
      <label className="sr-only" htmlFor={id}>
        Message {chat.name}
      </label>
      <textarea
        id={id}
        ref={input}
        data-testid="composer"
        rows={1}
        placeholder={`Message ${chat.name}`}
        value={text}
        autoFocus
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim()) client.typing(chat.id);
        }}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="primary" data-testid="send" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
