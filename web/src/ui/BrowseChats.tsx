import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";

import type { ChatClient } from "../client/ChatClient";
import type { BrowseResults } from "../client/browse";
import type { ChatState } from "../client/state";
import type { Chat } from "../protocol";
import { ChatIcon } from "./Sidebar";

/** How long typing rests before the search is asked. */
const SEARCH_DELAY_MS = 250;

interface Props {
  client: ChatClient;
  state: ChatState;
  results: BrowseResults;
}

/** Public channels by name: search, page on, join one (which opens it), or open one already joined. */
export function BrowseChats({ client, state, results }: Props) {
  const id = useId();
  const [query, setQuery] = useState(results.query);
  const asked = useRef(results.query);
  const search = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  // The rows shown when "Load more" was pressed: the first new one takes the focus.
  const shownBefore = useRef<number | null>(null);

  useEffect(() => search.current?.focus(), []);

  useEffect(() => {
    const before = shownBefore.current;
    if (before === null || results.loading) return;
    shownBefore.current = null;
    const first = list.current?.children[before]?.querySelector("button");
    first?.focus();
  }, [results.chats, results.loading]);

  useEffect(() => {
    if (query.trim() === asked.current) return;
    const timer = setTimeout(() => {
      asked.current = query.trim();
      void client.chats.browse(query);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, client]);

  // Escape closes the view; in a search box with text, Escape first clears it (the browser's own).
  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (event.key !== "Escape") return;
    if (event.target === search.current && search.current.value) return;
    client.chats.closeBrowse();
  }

  const shown = results.chats;
  return (
    <main className="conversation browse" aria-labelledby={`${id}-title`} data-testid="browse-view" onKeyDown={onKeyDown}>
      <header className="conversation-header">
        <button
          type="button"
          className="back icon"
          onClick={() => client.chats.closeBrowse()}
          aria-label="Back to chats"
        >
          ‹
        </button>
        <div className="title">
          <h2 id={`${id}-title`}>Browse chats</h2>
          <p className="muted">Public chats anyone can join</p>
        </div>
        <button type="button" className="quiet browse-close" data-testid="browse-close" onClick={() => client.chats.closeBrowse()}>
          Close
        </button>
      </header>
      <div className="browse-body">
        <form className="browse-search" role="search" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor={`${id}-query`}>Search by name</label>
          <input
            id={`${id}-query`}
            ref={search}
            type="search"
            data-testid="browse-search"
            placeholder="Chat name"
            maxLength={80}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${id}-status`}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </form>
        <p id={`${id}-status`} className="browse-status muted" role="status" data-testid="browse-status">
          {describe(results)}
        </p>
        {results.error && (
          <div className="failure" role="alert">
            <span>{results.error}</span>
            <button
              type="button"
              className="small"
              onClick={() => void (results.loaded ? client.chats.browseMore() : client.chats.browse(results.query))}
            >
              Try again
            </button>
          </div>
        )}
        <ul
          ref={list}
          className="browse-list"
          data-testid="browse-list"
          data-query={results.query}
          data-loaded={results.loaded && !results.loading}
          aria-label="Public chats"
        >
          {shown.map((chat) => (
            <BrowseItem key={chat.id} client={client} chat={state.chats[chat.id] ?? chat} member={chat.id in state.chats} />
          ))}
        </ul>
        {results.loaded && results.more && (
          <button
            type="button"
            className="browse-more"
            data-testid="browse-more"
            disabled={results.loading}
            onClick={() => {
              shownBefore.current = shown.length;
              void client.chats.browseMore();
            }}
          >
            {results.loading ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
    </main>
  );
}

function BrowseItem({ client, chat, member }: { client: ChatClient; chat: Chat; member: boolean }) {
  const [joining, setJoining] = useState(false);
  const id = useId();

  async function join() {
    setJoining(true);
    await client.chats.join(chat.id);
    setJoining(false);
  }

  return (
    <li className="browse-item" data-testid="browse-item" data-chat-id={chat.id} aria-labelledby={`${id}-name`}>
      <div className="browse-about">
        <h3 id={`${id}-name`} className="browse-name">
          <ChatIcon isPrivate={chat.private} />
          <span className="title-text">{chat.name}</span>
        </h3>
        {chat.topic && <p className="browse-topic">{chat.topic}</p>}
        <p className="muted browse-count" data-testid="browse-member-count">
          {memberCount(chat.member_count)}
        </p>
      </div>
      {member ? (
        <div className="browse-actions">
          <span className="joined" data-testid="browse-joined">
            Joined
          </span>
          <button type="button" className="small" data-testid="browse-open" onClick={() => client.openChat(chat.id)}>
            Open<span className="sr-only"> {chat.name}</span>
          </button>
        </div>
      ) : (
        <div className="browse-actions">
          <button type="button" className="primary small" data-testid="browse-join" disabled={joining} onClick={() => void join()}>
            {joining ? "Joining…" : "Join"}
            <span className="sr-only"> {chat.name}</span>
          </button>
        </div>
      )}
    </li>
  );
}

export function memberCount(count: number): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? "member" : "members"}`;
}

function describe(results: BrowseResults): string {
  if (!results.loaded) return results.loading ? "Searching…" : "";
  const count = results.chats.length;
  if (count === 0) {
    return results.query ? `No public chats match “${results.query}”.` : "There are no public chats yet. Create one!";
  }
  const found = `${count} ${count === 1 ? "chat" : "chats"}${results.query ? ` matching “${results.query}”` : ""}`;
  return results.more ? `${found} shown; more below.` : `${found}.`;
}
