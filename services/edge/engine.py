"""Engine.IO sockets that cost less memory while idle (issue 6: at most 32 KiB per idle client).

python-engineio 4 keeps, for each websocket, a writer task waiting in
``asyncio.wait_for`` (a second task), a reader task in another ``wait_for``
(a third), a task sleeping until the next ping (a fourth) and an
``asyncio.Queue``; its ASGI driver also defines a class per request. Here the
same protocol, with the same timeouts, waits under ``asyncio.timeout`` (a timer,
no task), pings in batches (``pings``), sweeps its clients a share a second
(``sweep``), queues in a ``PacketQueue`` and builds the request's environ with
one shared class. Everything else is python-engineio's.

The overridden methods follow python-engineio 4.x (``async_socket.py``,
``async_server.py``, ``async_drivers/asgi.py``); tests/test_engine.py pins the
behaviour they must keep.
"""

import asyncio
import sys
import time
from typing import Any

import engineio
import socketio
from engineio import async_socket, exceptions, packet

from .packet_queue import PacketQueue
from .pings import PingBatches
from .sweep import sweep_clients
from .websocket import LeanWebSocketProtocol, text_frame

__all__ = ["MAX_UNSENT_EVENTS", "LeanSocketServer"]

# A client this many broadcasts behind (not reading, or on a link slower than its rooms)
# is disconnected rather than buffered for without limit: one such client could grow the
# edge's memory for as long as it stays connected. It catches up from history by seq on
# reconnecting, as after any lost connection.
MAX_UNSENT_EVENTS = 1_000

_PING_FRAME = text_frame(packet.Packet(packet.PING).encode())


class LeanEngineSocket(async_socket.AsyncSocket):
    """One Engine.IO connection, waiting without extra tasks."""

    # Set by python-engineio's BaseSocket; declared for the type checker.
    last_ping: float | None
    connected: bool
    upgrading: bool
    upgraded: bool

    async def poll(self) -> list[packet.Packet]:
        """Wait for packets to send to the client (all that are waiting).

        python-engineio's writer gives up (and closes the connection) after a ping
        interval and timeout with nothing to send, as a ping is queued every interval.
        Here answers and broadcasts are mostly written straight to the websocket, and
        the next ping waits for the pong of the last, which may be read late (see
        ``check_ping_timeout``): the writer waits on while the client is still there.
        """
        while True:
            try:
                async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
                    packets = [await self.queue.get()]
                break
            except TimeoutError:
                if self.closed or not await self.check_ping_timeout():
                    raise exceptions.QueueEmpty() from None
            except asyncio.CancelledError:
                raise exceptions.QueueEmpty() from None
        self.queue.task_done()
        if packets == [None]:
            return []
        while True:
            try:
                pkt = self.queue.get_nowait()
                self.queue.task_done()
            except asyncio.QueueEmpty:
                break
            if pkt is None:
                self.queue.put_nowait(None)
                break
            packets.append(pkt)
        return packets

    # Whether a client message (a command) is being handled, and when (monotonic) the
    # client was last heard from: see check_ping_timeout.
    handling_message = False
    last_heard = 0.0
    # The websocket broadcasts may be written to directly (see write_now), and whether
    # the writer task is sending packets it has taken from the queue.
    _direct: LeanWebSocketProtocol | None = None
    _writing = False
    # The close of a client cut off for being too far behind (kept so it is not collected).
    _cut_off_task: "asyncio.Future[None] | None" = None

    def queue_event(self, pkt: packet.Packet) -> bool:
        """Queue a broadcast for the writer; a client too far behind is disconnected instead.

        Returns whether it was queued.
        """
        if self.closing or self.closed:
            return False
        if self.queue.qsize() < MAX_UNSENT_EVENTS:
            self.queue.put_nowait(pkt)
            return True
        self._cut_off()
        return False

    def _cut_off(self) -> None:
        self.server.logger.warning(
            "%s: disconnecting a client %d events behind", self.sid, self.queue.qsize()
        )
        while not self.queue.empty():  # the backlog goes now, not when the socket is collected
            self.queue.get_nowait()
            self.queue.task_done()
        if self._direct is not None:
            # Its reader and writer see the connection lost at once and end.
            self._direct.transport.abort()
        self._cut_off_task = asyncio.ensure_future(self.close(wait=False, abort=True))

    def write_now(self, frame: bytes) -> bool:
        """Write a websocket frame, without the writer task, when nothing queued or being
        written is before it (a second one in the same pass goes with the pass's others:
        see ``websocket._FrameBatches``).

        False: the caller queues the packet instead (polling, upgrading, a backlog,
        or a client reading slowly).
        """
        direct = self._direct
        return (
            direct is not None
            and not self.closing
            and not self._writing
            and self.queue.empty()
            and direct.write_now(frame)
        )

    async def send(self, pkt: packet.Packet) -> None:
        """Send a packet to this client (a command's answer, say) as python-engineio does,
        but written at once, as broadcasts are, when nothing is queued before it.

        That saves waking the writer task, and framing through the ASGI send, per answer.
        """
        if not await self.check_ping_timeout():
            return
        if pkt.binary or not self.write_now(text_frame(pkt.encode())):
            await self.queue.put(pkt)

    async def receive(self, pkt: packet.Packet) -> None:
        """Handle one packet from the client; a command's handling is noted while it runs."""
        self.last_heard = time.monotonic()
        if pkt.packet_type != packet.MESSAGE:
            await super().receive(pkt)
            return
        self.handling_message = True
        try:
            await super().receive(pkt)
        finally:
            self.handling_message = False

    async def check_ping_timeout(self) -> bool:
        """Whether the client is still there (python-engineio closes the socket when not).

        A socket's commands are handled one after another, and its pongs are read
        after them: while the edge is still working on one of its commands, or has
        read one within the ping timeout, a pong it has not read yet is no sign the
        client left. Under load, busy senders were disconnected for it: a sender
        far ahead of its answers has its pong behind hundreds of its commands,
        and between two of them nothing is being handled.
        """
        if not self.closed and (
            self.handling_message or time.monotonic() - self.last_heard < self.server.ping_timeout
        ):
            return True
        return bool(await super().check_ping_timeout())

    def schedule_ping(self) -> None:
        # Only once the previous ping was answered, as python-engineio does.
        if self.last_ping:
            self.last_ping = None
            self.server.ping_batches.schedule(self.server.ping_interval, self.sid)

    def ping(self) -> None:
        """Send the next ping, unless the socket is closing."""
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            # Written at once, as broadcasts are: waking the writer task costs more than the
            # write, and every socket is pinged every 25 s (400 a second with 10,000 sockets).
            if not self.write_now(_PING_FRAME):
                self.queue.put_nowait(packet.Packet(packet.PING))

    async def _websocket_handler(self, ws: Any) -> None:
        """Engine.IO over a websocket: a writer task, and reads in this one."""

        async def websocket_wait() -> Any:
            data = await ws.wait()
            if data and len(data) > self.server.max_http_buffer_size:
                raise ValueError("packet is too large")
            return data

        if self.connected:
            # An upgrade from polling: the probe, then the upgrade packet.
            self.upgrading = True  # hold packet sends during the upgrade
            try:
                pkt = await websocket_wait()
            except OSError:
                return
            decoded = packet.Packet(encoded_packet=pkt)
            if decoded.packet_type != packet.PING or decoded.data != "probe":
                self.server.logger.info("%s: Failed websocket upgrade, no PING packet", self.sid)
                self.upgrading = False
                return
            await ws.send(packet.Packet(packet.PONG, data="probe").encode())
            await self.queue.put(packet.Packet(packet.NOOP))  # end poll
            try:
                pkt = await websocket_wait()
            except OSError:
                self.upgrading = False
                return
            decoded = packet.Packet(encoded_packet=pkt)
            if decoded.packet_type != packet.UPGRADE:
                self.upgraded = False
                self.server.logger.info(
                    "%s: Failed websocket upgrade, expected UPGRADE packet, received %s instead.",
                    self.sid,
                    pkt,
                )
                self.upgrading = False
                return
            self.upgraded = True
            self.upgrading = False
        else:
            self.connected = True
            self.upgraded = True

        async def writer() -> None:
            while True:
                try:
                    packets = await self.poll()
                except exceptions.QueueEmpty:
                    break
                if not packets:  # the connection closed
                    break
                self._writing = True
                try:
                    for pkt in packets:
                        await ws.send(pkt.encode())
                except Exception:
                    break
                finally:
                    self._writing = False
            self._direct = None
            await ws.close()

        writer_task = asyncio.ensure_future(writer())
        self._direct = _lean_protocol(ws)
        self.server.logger.info("%s: Upgrade to websocket successful", self.sid)
        while True:
            try:
                async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
                    p = await websocket_wait()
            except BaseException:
                # As in python-engineio: a read that fails, times out or is cancelled
                # ends the connection, and the cleanup below still runs.
                break
            if p is None:  # the client closed the connection
                break
            pkt = packet.Packet(encoded_packet=p)
            try:
                await self.receive(pkt)
            except exceptions.UnknownPacketError:
                pass
            except exceptions.SocketIsClosedError:
                self.server.logger.info("Receive error -- socket is closed")
                break
            except Exception:
                # An unexpected error is logged and the connection ends properly.
                self.server.logger.exception("Unknown receive error")

        await self.queue.put(None)  # unlock the writer task so it can exit
        await writer_task
        await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)


def _lean_protocol(ws: Any) -> LeanWebSocketProtocol | None:
    # engineio's ASGI websocket sends through the ASGI ``send`` it was given, which is
    # uvicorn's protocol's own method unless a middleware wraps it.
    protocol = getattr(ws.asgi_send, "__self__", None)
    return protocol if isinstance(protocol, LeanWebSocketProtocol) else None


class LeanEngineServer(engineio.AsyncServer):
    """python-engineio's server, making ``LeanEngineSocket``s."""

    # Set by python-engineio's BaseServer; declared for the type checker.
    _async: dict[str, Any]
    start_service_task: bool
    service_task_event: asyncio.Event

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._async = {**self._async, "translate_request": translate_request}
        self.ping_batches = PingBatches(self._ping_client)

    def create_queue(self, *args: Any, **kwargs: Any) -> PacketQueue:
        """The socket's outgoing packets."""
        return PacketQueue()

    def _ping_client(self, sid: str) -> None:
        socket = self.sockets.get(sid)
        if isinstance(socket, LeanEngineSocket):
            socket.ping()

    async def _service_task(self) -> None:
        # Started by _handle_connect, stopped by python-engineio's shutdown through the event.
        self.service_task_event = self.create_event()
        await sweep_clients(self, self.service_task_event)

    async def _handle_connect(
        self, environ: dict[str, Any], transport: str, jsonp_index: int | None = None
    ) -> Any:
        # python-engineio's, with LeanEngineSocket for async_socket.AsyncSocket.
        if self.start_service_task:
            # start the service task to monitor connected clients
            self.start_service_task = False
            self.service_task_handle = self.start_background_task(self._service_task)

        sid = self.generate_id()
        s = LeanEngineSocket(self, sid)
        self.sockets[sid] = s

        pkt = packet.Packet(
            packet.OPEN,
            {
                "sid": sid,
                "upgrades": self._upgrades(sid, transport),
                "pingTimeout": int(self.ping_timeout * 1000),
                "pingInterval": int(self.ping_interval + self.ping_interval_grace_period) * 1000,
                "maxPayload": self.max_http_buffer_size,
            },
        )
        await s.send(pkt)

        ret = await self._trigger_event("connect", sid, environ, run_async=False)
        if ret is not None and ret is not True:
            del self.sockets[sid]
            self.logger.warning("Application rejected connection")
            return self._unauthorized(ret or None)

        s.schedule_ping()

        if transport == "websocket":
            ret = await s.handle_get_request(environ)
            if s.closed and sid in self.sockets:
                # websocket connection ended, so we are done
                del self.sockets[sid]
            return ret
        s.connected = True
        headers = None
        if self.cookie:
            cookie = (
                self.cookie
                if isinstance(self.cookie, dict)
                else {"name": self.cookie, "path": "/", "SameSite": "Lax"}
            )
            headers = [("Set-Cookie", self._generate_sid_cookie(sid, cookie))]
        try:
            return self._ok(await s.poll(), headers=headers, jsonp_index=jsonp_index)
        except exceptions.QueueEmpty:
            return self._bad_request()


class LeanSocketServer(socketio.AsyncServer):
    """python-socketio's server on a ``LeanEngineServer``."""

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return LeanEngineServer


class _RequestBody:
    """``wsgi.input`` of an ASGI request: its body, read on demand."""

    __slots__ = ("_receive", "_event", "_payload")

    def __init__(self, receive: Any, event: dict[str, Any]) -> None:
        self._receive = receive
        self._event = event
        self._payload: bytes | None = None

    async def read(self, length: int | None = None) -> bytes:
        if self._payload is None and self._event["type"] == "http.request":
            self._payload = self._event.get("body") or b""
            while self._event.get("more_body"):
                self._event = await self._receive()
                if self._event["type"] == "http.request" and (
                    length is None or len(self._payload) < length
                ):
                    self._payload += self._event.get("body") or b""
        payload = self._payload or b""
        if length is None:
            self._payload = b""
            return payload
        self._payload = payload[length:]
        return payload[:length]


async def translate_request(scope: Any, receive: Any, send: Any) -> dict[str, Any]:
    """python-engineio's ASGI environ, with one shared class for ``wsgi.input``.

    Its own driver defines that class inside the function: a new class per
    request, kept for the socket's lifetime by the environ (about 2.5 KiB).
    """
    event = await receive()
    if event["type"] not in ("http.request", "websocket.connect"):
        return {}
    raw_uri = scope["path"]
    query_string = ""
    if scope.get("query_string"):
        try:
            query_string = scope["query_string"].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raw_uri += "?" + query_string
    environ: dict[str, Any] = {
        "wsgi.input": _RequestBody(receive, event),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.async": True,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "SERVER_SOFTWARE": "asgi",
        "REQUEST_METHOD": scope.get("method", "GET"),
        "PATH_INFO": scope["path"],
        "QUERY_STRING": query_string,
        "RAW_URI": raw_uri,
        "SCRIPT_NAME": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "0",
        "SERVER_NAME": "asgi",
        "SERVER_PORT": "0",
        "asgi.receive": receive,
        "asgi.send": send,
        "asgi.scope": scope,
    }
    for raw_name, raw_value in scope["headers"]:
        try:
            name = raw_name.upper().decode("utf-8")
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            continue  # a header that cannot be decoded is skipped
        if name == "CONTENT-TYPE":
            environ["CONTENT_TYPE"] = value
        elif name == "CONTENT-LENGTH":
            environ["CONTENT_LENGTH"] = value
        else:
            key = "HTTP_" + name.replace("-", "_")
            environ[key] = f"{environ[key]},{value}" if key in environ else value
    environ["wsgi.url_scheme"] = environ.get("HTTP_X_FORWARDED_PROTO", "http")
    return environ
