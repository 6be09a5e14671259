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
  recipients, where an ASGI ``websocket.send`` frames it again for each.
- The opening of a websocket is logged only at DEBUG (``HANDSHAKE_LOG``): uvicorn
  and websockets each log a line at INFO per websocket opened.

Upstream, a ``handshake_kept`` switch and a queue factory in uvicorn's protocol,
and a public ``send_frames(bytes)`` that writes already-encoded frames, would make
this subclass unnecessary.
"""

import logging
import struct
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
        self.transport.write(frame)
        return True


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
