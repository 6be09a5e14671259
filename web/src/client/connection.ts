/**
 * A session's socket.io connection: requests answered through their acknowledgement,
 * and connecting again where socket.io does not do it by itself.
 */

import { io, type Socket } from "socket.io-client";

import type { ClientEvents, Envelope, ServerEvents } from "../protocol";
import { RequestError } from "../lib/errors";

const REQUEST_TIMEOUT_MS = 10_000;
const RECONNECT_AFTER_SERVER_DISCONNECT_MS = 1000;
const RECONNECT_AFTER_REFUSAL_MS = 2000;

type EventName = keyof ClientEvents;
type Request<E extends EventName> = ClientEvents[E]["request"];
type Reply<E extends EventName> = ClientEvents[E]["reply"];

/** One client -> server event, answered through its acknowledgement. */
export type Requester = <E extends EventName>(event: E, payload: Request<E>) => Promise<Reply<E>>;

export interface ConnectionOptions {
  token: string;
  /** Where socket.io lives; the page's own origin by default. */
  url?: string;
  /** A ready socket instead of a new one (tests). */
  socket?: Socket;
}

/** What the session hears of the connection. */
export interface ConnectionEvents {
  /** Connected, the first time or again: answers asked on an older connection never come. */
  connected: () => void;
  /** Cut off, or refused for a reason other than the token; it comes back by itself. */
  offline: () => void;
  /** The server no longer accepts the token; nothing tries again. */
  unauthorized: () => void;
}

export class Connection {
  private readonly socket: Socket;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(options: ConnectionOptions, private readonly events: ConnectionEvents) {
    const socketOptions = { path: "/socket.io/", auth: { token: options.token }, autoConnect: false };
    this.socket = options.socket ?? (options.url ? io(options.url, socketOptions) : io(socketOptions));
    this.listen();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  start(): void {
    this.socket.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  /** Hear a server -> client event. */
  on<K extends keyof ServerEvents>(event: K, handler: (payload: ServerEvents[K]) => void): void {
    // As a plain string the name cannot be one of the socket's own events (connect, ...),
    // whose listeners are typed apart; a server event's listener takes its one payload.
    const name: string = event;
    this.socket.on(name, handler);
  }

  request = <E extends EventName>(event: E, payload: Request<E>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Reply<E>> =>
    new Promise((resolve, reject) => {
      if (!this.socket.connected) {
        reject(new RequestError("offline", "not connected"));
        return;
      }
      this.socket.timeout(timeoutMs).emit(event, payload, (error: Error | null, envelope: Envelope<Reply<E>>) => {
        if (error) reject(new RequestError("timeout", error.message));
        else if (envelope.ok) resolve(envelope.data);
        else reject(new RequestError(envelope.error.code, envelope.error.message));
      });
    });

  private listen(): void {
    const socket = this.socket;
    socket.on("connect", () => this.events.connected());
    socket.on("disconnect", (reason) => {
      this.events.offline();
      // The server ended the connection (a restart, an expired token): socket.io
      // does not come back by itself then, so ask again; a bad token is refused.
      if (reason === "io server disconnect" && !this.closed) {
        this.reconnectTimer = setTimeout(() => this.socket.connect(), RECONNECT_AFTER_SERVER_DISCONNECT_MS);
      }
    });
    socket.on("connect_error", (error: Error & { data?: { code?: string } }) => {
      if (error.data?.code === "unauthorized") {
        this.events.unauthorized();
        return;
      }
      this.events.offline();
      if (!socket.active && !this.closed) {
        // Refused for another reason (e.g. the service is unavailable): try again soon.
        this.reconnectTimer = setTimeout(() => this.socket.connect(), RECONNECT_AFTER_REFUSAL_MS);
      }
    });
  }
}
