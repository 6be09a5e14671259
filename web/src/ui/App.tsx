import { useCallback, useState } from "react";

import { clearSession, loadSession, saveSession, type Session } from "../lib/session";
import { AuthScreen } from "./AuthScreen";
import { ChatScreen } from "./ChatScreen";

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [farewell, setFarewell] = useState<string | null>(null);

  const loggedIn = useCallback((next: Session) => {
    saveSession(next);
    setFarewell(null);
    setSession(next);
  }, []);

  const loggedOut = useCallback((reason?: string) => {
    clearSession();
    setFarewell(reason ?? null);
    setSession(null);
  }, []);

  if (!session) return <AuthScreen onLoggedIn={loggedIn} notice={farewell} />;
  return <ChatScreen key={session.token} session={session} onLoggedOut={loggedOut} />;
}
