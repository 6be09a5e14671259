"""The edge's Engine.IO socket: fewer tasks while idle, and writes straight to its websocket.

Follows python-engineio 4.15.1 ``AsyncSocket``: ``poll``, ``receive``,
``check_ping_timeout``, ``schedule_ping`` / ``_send_ping`` and ``_websocket_handler``
(copied, with the changes below). Against it:

- Waits run under ``asyncio.timeout`` (a timer) where python-engineio's
  ``asyncio.wait_for`` and ``ensure_future`` make a task per wait: the writer's
  wait for packets and the reader's wait for a frame, both pending all the time
  an idle socket is open.
- Broadcasts and pings are written straight to the websocket (``write_now``)
  when nothing queued or being written is before them, instead of each waking
  the writer task to frame them through the ASGI send. Answers to commands take
  python-engineio's path, through the queue and the writer task: written
  straight, they cost no less (benchmarks/FINDINGS.md).
- A client too many broadcasts behind is disconnected (``queue_event``).
- A client still sending, or whose command is being handled, is not taken for
  gone while its pong waits unread behind its commands (``check_ping_timeout``),
  and the writer waits on while it is there (``poll``).
- Pings are sent in batches (``ping_batches``), not by a sleeping task each.

Upstream, ``_websocket_handler`` awaiting ``websocket_wait()`` under
``asyncio.timeout`` instead of wrapping it in a task (and ``poll`` likewise on
Python 3.11, where ``wait_for`` makes a task of a coroutine) would make the copy
of ``_websocket_handler`` unnecessary but for the two lines that note the
websocket and the writer's state for ``write_now``. tests/integration/edge/test_engine.py pins the
behaviour all of this must keep.
"""

import asyncio
import time
from typing import Any

from engineio import async_socket, exceptions, packet

from .websocket_protocol import DirectWriteWebSocketProtocol, text_frame

__all__ = ["MAX_UNSENT_EVENTS", "DirectWriteEngineSocket"]

# A client this many broadcasts behind (not reading, or on a link slower than its rooms)
# is disconnected rather than buffered for without limit: one such client could grow the
# edge's memory for as long as it stays connected. It catches up from history by seq on
# reconnecting, as after any lost connection.
MAX_UNSENT_EVENTS = 1_000

_PING_FRAME = text_frame(packet.Packet(packet.PING).encode())


class DirectWriteEngineSocket(async_socket.AsyncSocket):
    """One Engine.IO connection, waiting without extra tasks, writing straight to its websocket."""

    # Set by python-engineio's BaseSocket; declared for the type checker.
    last_ping: float | None
    connected: bool
    upgrading: bool
    upgraded: bool

    async def poll(self) -> list[packet.Packet]:
        """Wait for packets to send to the client (all that are waiting).

        python-engineio's writer gives up (and closes the connection) after a ping
        interval and timeout with nothing to send, as a ping is queued every interval.
        Here broadcasts and pings are mostly written straight to the websocket, and
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
    _direct: DirectWriteWebSocketProtocol | None = None
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
        written is before it.

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
        client left. Under load python-engineio's check alone disconnects busy
        senders: a sender far ahead of its answers has its pong behind hundreds of
        its commands, and between two of them nothing is being handled.
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
            # write, and every socket is pinged once per ping interval.
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
        self._direct = _direct_write_protocol(ws)
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


def _direct_write_protocol(ws: Any) -> DirectWriteWebSocketProtocol | None:
    # engineio's ASGI websocket sends through the ASGI ``send`` it was given, which is
    # uvicorn's protocol's own method unless a middleware wraps it.
    protocol = getattr(ws.asgi_send, "__self__", None)
    return protocol if isinstance(protocol, DirectWriteWebSocketProtocol) else None
