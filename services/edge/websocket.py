"""uvicorn's websocket protocol, keeping less per open connection (issue 6's memory target).

uvicorn's ``websockets-sansio`` protocol keeps the opening handshake's request
and response (their headers, about 4 KiB) for the connection's lifetime, and
queues received frames in an ``asyncio.Queue`` (three deques and an ``Event``,
about 3 KiB, empty nearly always). ``LeanWebSocketProtocol`` lets the handshake
go once accepted and queues in a ``PacketQueue``. The ASGI scope keeps the
headers the application reads.
"""

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .packet_queue import PacketQueue

__all__ = ["LeanWebSocketProtocol"]


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """``websockets-sansio`` with a lighter receive queue and no handshake kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = PacketQueue()  # type: ignore[assignment]

    def start_keepalive(self) -> None:
        # Called once the handshake's response is written: nothing reads it, or the request, again.
        super().start_keepalive()
        self.request = self.response = None  # type: ignore[assignment]
