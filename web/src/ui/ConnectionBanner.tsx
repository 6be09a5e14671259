import type { Connection } from "../client/state";

export function ConnectionBanner({ connection, everConnected }: { connection: Connection; everConnected: boolean }) {
  if (connection === "online") return null;
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner" data-state={connection}>
      <span className="spinner" aria-hidden="true" />
      {everConnected
        ? "You are offline. Reconnecting… Messages you send now will go out once the connection is back."
        : "Connecting…"}
    </div>
  );
}
