import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import { displayName, type ChatState } from "../client/state";
import type { Chat, User } from "../protocol";
import { candidates, complete, mentionAt, type MentionQuery } from "../lib/mentionQuery";

interface Props {
  client: ChatClient;
  state: ChatState;
  chat: Chat;
  /** Send `text`; true (or a promise of it) once it is on its way and the box may empty. */
  onSend: (text: string) => boolean | Promise<boolean>;
  /** The Up arrow in an empty box: edit the user's last message; false when there is none. */
  onEditLast?: () => boolean;
  placeholder?: string;
  testId?: string;
}

/**
 * Enter sends, Shift+Enter starts a new line; typing is announced at most every 2 s. `@`
 * opens the member autocomplete (the chat's members held, then `users:search`): the arrows
 * move, Enter or Tab completes, Escape closes.
 */
export function Composer({ client, state, chat, onSend, onEditLast, placeholder, testId = "composer" }: Props) {
  const id = useId();
  const [text, setText] = useState("");
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [found, setFound] = useState<{ query: string; users: User[] }>({ query: "", users: [] });
  const [selected, setSelected] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);

  const members = state.memberList?.chatId === chat.id ? state.memberList.members.map((m) => m.username) : [];
  const query = mention?.query ?? null;
  const offered = query === null ? [] : candidates(query, members, found.query === query ? found.users : [], state.users, state.me);

  useEffect(() => {
    if (query === null || query === "") return;
    let current = true;
    const timer = setTimeout(() => {
      void client.people.search(query).then((users) => current && setFound({ query, users }));
    }, 120);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, query]);

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const sent = await onSend(text);
    if (sent) {
      setText("");
      setMention(null);
    }
    input.current?.focus();
  }

  function follow(value: string, caret: number) {
    setText(value);
    const next = mentionAt(value, caret);
    if (next?.query !== mention?.query || next?.start !== mention?.start) setSelected(0);
    setMention(next);
  }

  function choose(username: string) {
    const el = input.current;
    if (!el || !mention) return;
    const done = complete(text, mention, el.selectionStart, username);
    setText(done.text);
    setMention(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(done.caret, done.caret);
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.nativeEvent.isComposing) return;
    if (offered.length > 0) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setSelected((i) => (i + step + offered.length) % offered.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(offered[Math.min(selected, offered.length - 1)] as string);
        return;
      }
    }
    if (event.key === "Escape" && mention) {
      event.preventDefault();
      setMention(null);
      return;
    }
    if (event.key === "ArrowUp" && text === "" && onEditLast?.()) {
      event.preventDefault();
      return;
    }
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  }

  const listId = `${id}-mentions`;
  const open = offered.length > 0;
  return (
    <form className="composer" onSubmit={(event) => void send(event)}>
      <label className="sr-only" htmlFor={id}>
        {placeholder ?? `Message ${chat.name}`}
      </label>
      {open && (
        <ul className="mention-menu" id={listId} role="listbox" data-testid="mention-menu" aria-label="People to mention">
          {offered.map((username, i) => (
            <li
              key={username}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === selected}
              data-testid="mention-option"
              data-username={username}
              className={i === selected ? "selected" : undefined}
              onMouseDown={(event) => {
                event.preventDefault(); // keep the focus in the box
                choose(username);
              }}
            >
              <strong>{displayName(state, username)}</strong> <span className="muted">@{username}</span>
            </li>
          ))}
        </ul>
      )}
      <textarea
        id={id}
        ref={input}
        data-testid={testId}
        rows={1}
        placeholder={placeholder ?? `Message ${chat.name}`}
        value={text}
        autoFocus
        role="combobox"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        aria-autocomplete="list"
        aria-activedescendant={open ? `${listId}-${selected}` : undefined}
        onChange={(e) => {
          follow(e.target.value, e.target.selectionStart);
          if (e.target.value.trim()) client.typing(chat.id);
        }}
        onSelect={(e) => {
          const el = e.currentTarget;
          const next = mentionAt(el.value, el.selectionStart);
          if (next?.start !== mention?.start || next?.query !== mention?.query) setMention(next);
        }}
        onBlur={() => setMention(null)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="primary" data-testid={testId === "composer" ? "send" : `${testId}-send`} disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
