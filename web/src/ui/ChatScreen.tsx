import { useEffect, useState, useSyncExternalStore } from "react";

import { ChatClient } from "../client/ChatClient";
import { faviconFor, titleFor, totalUnread } from "../lib/readState";
import type { Session } from "../lib/session";
import { AdminView } from "./AdminView";
import { BrowseChats } from "./BrowseChats";
import { ConnectionBanner } from "./ConnectionBanner";
import { Conversation } from "./Conversation";
import { Notice } from "./Notice";
import { Sidebar } from "./Sidebar";

interface Props {
  session: Session;
  onLoggedOut: (reason?: string) => void;
}

/** Owns the chat client for one login: made on mount, closed on logout. */
export function ChatScreen({ session, onLoggedOut }: Props) {
  const [client, setClient] = useState<ChatClient | null>(null);

  useEffect(() => {
    const next = new ChatClient({
      token: session.token,
      username: session.username,
      onSessionEnded: (reason) => onLoggedOut(reason),
    });
    // The client is a connection this effect owns (StrictMode runs the effect twice, each
    // time with a client of its own); the screen learns of the live one through its state.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setClient(next);
    next.start();
    return () => next.close();
  }, [session.token, session.username, onLoggedOut]);

  if (!client) return null;
  return <ChatLayout client={client} onLogout={() => onLoggedOut()} />;
}

function ChatLayout({ client, onLogout }: { client: ChatClient; onLogout: () => void }) {
  const state = useSyncExternalStore(client.subscribe, client.getState);
  const [admin, setAdmin] = useState(false);

  useEffect(() => {
    const seen = () => client.markActiveSeen();
    document.addEventListener("visibilitychange", seen);
    window.addEventListener("focus", seen);
    return () => {
      document.removeEventListener("visibilitychange", seen);
      window.removeEventListener("focus", seen);
    };
  }, [client]);

  const unread = totalUnread(state.reads);
  useEffect(() => {
    document.title = titleFor(unread);
    const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    const plain = icon?.getAttribute("href") ?? null;
    if (icon && unread > 0) icon.href = faviconFor(unread);
    return () => {
      document.title = titleFor(0);
      if (icon && plain !== null) icon.setAttribute("href", plain);
    };
  }, [unread]);

  const active = state.activeChatId ? state.chats[state.activeChatId] : undefined;
  return (
    <div className="app" data-view={active || state.browse ? "chat" : "list"}>
      <ConnectionBanner connection={state.connection} everConnected={state.everConnected} />
      <div className="panes">
        <Sidebar client={client} state={state} onLogout={onLogout} onAdmin={() => setAdmin(true)} />
        {state.browse ? (
          <BrowseChats client={client} state={state} results={state.browse} />
        ) : (
          <Conversation client={client} state={state} chat={active} />
        )}
      </div>
      <Notice notice={state.notice} onDismiss={client.dismissNotice} />
      {admin && <AdminView client={client} state={state} onClose={() => setAdmin(false)} />}
    </div>
  );
}
