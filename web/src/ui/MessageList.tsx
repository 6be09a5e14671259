import { useLayoutEffect, useMemo, useRef, useState, useEffect } from "react";

import type { ChatClient } from "../client/ChatClient";
import type { ChatMessages, ChatState } from "../client/state";
import type { Message } from "../protocol";
import { withDaySeparators, type TimelineItem } from "../lib/days";
import { inMainList } from "../lib/messages";
import type { PendingMessage } from "../lib/pending";
import { MessageItem } from "./MessageItem";
import { MessageText } from "./MessageText";

interface Props {
  client: ChatClient;
  state: ChatState;
  chatId: string;
  held: ChatMessages;
  pending: readonly PendingMessage[];
  /** The seq of the message being edited in place, or null. */
  editing: number | null;
  onEditing: (seq: number | null) => void;
}

const NEAR_TOP_PX = 200;
const NEAR_BOTTOM_PX = 60;
// Consecutive messages from one sender within this time share one header.
const GROUP_MS = 5 * 60 * 1000;

/** Newest at the bottom; scrolling near the top loads older messages without moving what is on screen. */
export function MessageList({ client, state, chatId, held, pending, editing, onEditing }: Props) {
  const me = state.me;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef<{ first: number | undefined; height: number; pending: number }>({
    first: undefined,
    height: 0,
    pending: 0,
  });
  const [today, setToday] = useState(() => new Date());
  const shown = useMemo(() => inMainList(held.items), [held.items]);
  const timeline = useMemo(() => withDaySeparators(shown, today), [shown, today]);
  const grouped = useMemo(() => groupedUnderPrevious(timeline), [timeline]);

  useEffect(() => {
    const timer = setInterval(() => setToday(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = held.items[0]?.seq;
    const before = previous.current;
    if (pending.length > before.pending) atBottom.current = true; // the user just sent: show it
    if (before.first !== undefined && first !== undefined && first < before.first && !atBottom.current) {
      el.scrollTop += el.scrollHeight - before.height; // older messages above: keep the view still
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    previous.current = { first, height: el.scrollHeight, pending: pending.length };
    if (held.hasOlder && el.scrollHeight <= el.clientHeight + NEAR_TOP_PX) void client.loadOlder(chatId);
  }, [held.items, held.hasOlder, pending.length, client, chatId]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (el.scrollTop < NEAR_TOP_PX) void client.loadOlder(chatId);
  }

  return (
    <div className="message-scroller" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label="Conversation">
      {held.loaded && !held.hasOlder && shown.length > 0 && !held.olderGone && (
        <p className="history-start">This is the beginning of the chat.</p>
      )}
      {held.loaded && !held.hasOlder && held.olderGone && (
        <p className="history-start" data-testid="history-truncated">
          Older messages are no longer kept.
        </p>
      )}
      {held.loadingOlder && <p className="history-start">Loading older messages…</p>}
      {held.error && (
        <p className="error" role="alert">
          {held.error}
        </p>
      )}
      {held.loaded && shown.length === 0 && pending.length === 0 && (
        <p className="history-start">No messages yet. Say hello!</p>
      )}
      {!held.loaded && !held.error && <p className="history-start">Loading messages…</p>}
      <ol className="messages" data-testid="message-list" aria-label="Messages" role="log">
        {timeline.map((item) => {
          if (item.kind === "day") {
            return (
              <li key={item.key} className="day" data-testid="day-separator">
                <span>{item.label}</span>
              </li>
            );
          }
          const message = item.message;
          return (
            <MessageItem
              key={message.id}
              client={client}
              state={state}
              message={message}
              grouped={grouped.has(message.id)}
              editing={editing === message.seq}
              onEditing={(on) => onEditing(on ? message.seq : null)}
              onOpenThread={() => void client.threads.open(chatId, message.seq)}
            />
          );
        })}
        {pending.map((p) => (
          <li
            key={p.clientId}
            className={`message mine pending${p.error ? " failed" : ""}`}
            data-testid="message"
            data-pending="true"
            data-client-id={p.clientId}
            data-sender={me}
          >
            <div className="meta">
              <span className="sender">{me}</span>
              <span className="state">{p.error ? "Not sent" : "Sending…"}</span>
            </div>
            <div className="text" data-testid="message-text">
              <MessageText text={p.text} />
            </div>
            {p.error && (
              <div className="failure" role="alert">
                <span>{p.error}</span>
                <button type="button" className="small" onClick={() => client.retry(p.clientId)}>
                  Retry
                </button>
                <button type="button" className="small quiet" onClick={() => client.discard(p.clientId)}>
                  Discard
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The ids of the messages shown under the one before them: same sender, same day, within GROUP_MS. */
function groupedUnderPrevious(timeline: readonly TimelineItem[]): ReadonlySet<string> {
  const grouped = new Set<string>();
  let last: Message | undefined;
  for (const item of timeline) {
    if (item.kind === "day") {
      last = undefined;
      continue;
    }
    const message = item.message;
    if (
      last !== undefined &&
      last.sender === message.sender &&
      !last.thread &&
      Date.parse(message.sent_at) - Date.parse(last.sent_at) < GROUP_MS
    ) {
      grouped.add(message.id);
    }
    last = message;
  }
  return grouped;
}
