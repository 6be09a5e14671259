"""uvicorn's websocket protocol, keeping less per open connection and taking frames written at once.

Follows uvicorn 0.54.0 ``WebSocketsSansIOProtocol`` (``websockets_sansio_impl``:
``__init__``, ``start_keepalive``, ``send``, and the state it keeps: ``conn``,
``queue``, ``request``, ``response``, ``writable``, ``close_sent``,
``disconnected``, ``transport``) and websockets 17.4 ``ServerProtocol``
(``logger``, ``state``). Against uvicorn's:

- The opening handshake's request and response (their headers) go once the
  connection is accepted instead of being kept for its lifetime; the ASGI scope
  keeps the headers the application reads.
- Received frames wait in a ``PacketQueue`` instead of an ``asyncio.Queue``
  (three deques and an ``Event``, empty nearly always).
- ``write_now`` takes a frame already encoded (``text_frame``) and writes it
  straight to the transport: a room's event is framed once for all its
  recipients, where an ASGI ``websocket.send`` frames it again for each. A
  socket's second and later frames within one pass of the event loop are held
  and sent together when the pass is over (``_FrameBatches``): while many users
  connect, each one's presence change goes to every socket, many to a pass.
- The opening of a websocket is logged only at DEBUG (``HANDSHAKE_LOG``): uvicorn
  and websockets each log a line at INFO per websocket opened.

Upstream, a ``handshake_kept`` switch and a queue factory in uvicorn's protocol,
and a public ``send_frames(bytes)`` that writes already-encoded frames, would make
this subclass unnecessary.
"""

import asyncio
import logging
import struct
import weakref
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from .packet_queue import PacketQueue

__all__ = [
    "HANDSHAKE_LOG",
    "DirectWriteWebSocketProtocol",
    "log_handshakes_when_debugging",
    "text_frame",
]

# uvicorn ("WebSocket /socket.io/ [accepted]") and the websockets library ("connection
# open") each log a line at INFO per websocket opened, as the HTTP access log the edge
# turns off would per request: two lines per client in a connect storm, and CPU with
# them. Errors still go to ``uvicorn.error`` through this.
HANDSHAKE_LOG = logging.getLogger("uvicorn.error.websocket")

_FIN_TEXT = 0x81  # a whole frame (FIN) carrying text (opcode 1)


class DirectWriteWebSocketProtocol(WebSocketsSansIOProtocol):
    """``websockets-sansio`` with a lighter receive queue, no handshake kept, and ``write_now``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = PacketQueue()  # type: ignore[assignment]
        self.logger = self.conn.logger = HANDSHAKE_LOG
        self.batches = _batches_of(self.loop)

    def start_keepalive(self) -> None:
        # Called once the handshake's response is written: nothing reads it, or the request, again.
        super().start_keepalive()
        self.request = self.response = None  # type: ignore[assignment]

    def write_now(self, frame: bytes) -> bool:
        """Write an encoded frame if the connection is open and nothing is buffered before it.

        False leaves the frame to the ASGI send path, which waits while the
        client reads slowly (an unread backlog must not grow in the kernel's place).
        """
        if (
            self.close_sent
            or self.disconnected
            or self.conn.state is not State.OPEN
            or not self.writable.is_set()
            or self.transport.get_write_buffer_size()
        ):
            return False
        self.batches.add(self, frame)
        return True

    async def send(self, message: Any) -> None:
        # What the ASGI application sends (the writer task's packets, the close) comes
        # after the frames given to write_now before it.
        self.batches.send_now(self)
        await super().send(message)

    def write_frames(self, frames: bytes | bytearray) -> None:
        """Send frames held by ``_FrameBatches``, unless the connection began closing since.

        Then the client is leaving, as it would have been had the events come a
        moment later; it catches up from history when it reconnects.
        """
        if (
            self.close_sent
            or self.disconnected
            or self.conn.state is not State.OPEN
            or self.transport.is_closing()
        ):
            return
        self.transport.write(frames)


class _FrameBatches:
    """Second and later frames for one websocket within a pass of the event loop, sent after it.

    A socket's first frame of a pass is written at once; a burst (presence
    changes while many clients connect, several events in one NATS read) is
    held and sent in one write when the pass is over: one system call, and one
    wake-up of the client, instead of one each. Held frames reaching
    ``_BATCH_BYTES`` are written at once, so a client reading slowly still fills
    the transport's buffer and has its next events queued.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._written: set[DirectWriteWebSocketProtocol] = set()
        self._unsent: dict[DirectWriteWebSocketProtocol, bytearray] = {}

    def add(self, protocol: DirectWriteWebSocketProtocol, frame: bytes) -> None:
        unsent = self._unsent.get(protocol)
        if unsent is not None:
            unsent += frame
            if len(unsent) >= _BATCH_BYTES:
                self.send_now(protocol)
        elif protocol in self._written:
            self._unsent[protocol] = bytearray(frame)
        else:
            if not self._written:  # the first write of this pass
                self._loop.call_soon(self.flush)
            self._written.add(protocol)
            protocol.transport.write(frame)

    def send_now(self, protocol: DirectWriteWebSocketProtocol) -> None:
        unsent = self._unsent.pop(protocol, None)
        if unsent:
            protocol.write_frames(unsent)

    def flush(self) -> None:
        batches, self._unsent = self._unsent, {}
        self._written.clear()
        for protocol, unsent in batches.items():
            protocol.write_frames(unsent)


# asyncio's default high-water mark for a transport's buffer.
_BATCH_BYTES = 65_536


_BATCHES_BY_LOOP: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _FrameBatches]" = (
    weakref.WeakKeyDictionary()
)


def _batches_of(loop: asyncio.AbstractEventLoop) -> _FrameBatches:
    """The frame batches of ``loop``'s passes, shared by every websocket on it."""
    batches = _BATCHES_BY_LOOP.get(loop)
    if batches is None:
        batches = _BATCHES_BY_LOOP[loop] = _FrameBatches(loop)
    return batches


def log_handshakes_when_debugging() -> None:
    """Let ``HANDSHAKE_LOG``'s INFO lines through only when the edge logs at DEBUG."""
    debugging = logging.getLogger().isEnabledFor(logging.DEBUG)
    HANDSHAKE_LOG.setLevel(logging.NOTSET if debugging else logging.WARNING)


def text_frame(text: str) -> bytes:
    """``text`` as one unmasked, uncompressed websocket text frame (RFC 6455 section 5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", _FIN_TEXT, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", _FIN_TEXT, 126, size)
    else:
        header = struct.pack("!BBQ", _FIN_TEXT, 127, size)
    return header + payload
