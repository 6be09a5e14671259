"""uvicorn's websocket protocol, keeping less per open connection and writing broadcasts at once.

uvicorn's ``websockets-sansio`` protocol keeps the opening handshake's request
and response (their headers, about 4 KiB) for the connection's lifetime, and
queues received frames in an ``asyncio.Queue`` (three deques and an ``Event``,
about 3 KiB, empty nearly always). ``LeanWebSocketProtocol`` lets the handshake
go once accepted and queues in a ``PacketQueue``. The ASGI scope keeps the
headers the application reads.

It also takes a frame already encoded (``text_frame``) and writes it straight
to the transport: a room's event is framed once for all its recipients, where
an ASGI ``websocket.send`` frames it again for each of them.
"""

import struct
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from .packet_queue import PacketQueue

__all__ = ["LeanWebSocketProtocol", "text_frame"]

_FIN_TEXT = 0x81  # a whole frame (FIN) carrying text (opcode 1)


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """``websockets-sansio`` with a lighter receive queue and no handshake kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = PacketQueue()  # type: ignore[assignment]

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
