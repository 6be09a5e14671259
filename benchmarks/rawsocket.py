"""A minimal websocket client (RFC 6455) for the load generator's receivers.

The ``websockets`` library spends most of a receiver's CPU per frame on its
general frame parser and the futures behind each ``recv``; with tens of
thousands of frames a second, the generator then competes with the server it
measures for the machine's two cores. What a benchmark client receives is
simpler: whole, unmasked, uncompressed text frames from a server it knows.
This parses them from each read as it arrives and hands each text to a
callback (``listen``); before that, texts wait for ``recv``. It answers pings,
sends masked text frames, and ends on a close frame or a lost connection.
Only ``ws://``. Like ``websockets``, a sender waits (``drain``) while more than
32 KiB it sent are unread: a server that stops reading slows its clients.
"""

import asyncio
import base64
import collections
import hashlib
import os
import struct
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

__all__ = ["HandshakeRefused", "RawWebSocket", "open_websocket"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA
_FIN = 0x80
_MAX_HANDSHAKE_BYTES = 16_384
_WRITE_LIMIT = 32_768  # websockets' default


class HandshakeRefused(Exception):
    """The server answered the opening handshake with something other than 101."""


class RawWebSocket(asyncio.Protocol):
    """One open websocket: texts in through ``recv`` and then ``listen``, out through ``send``."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()
        self._on_text: Callable[[str], None] | None = None
        self._early: collections.deque[str] = collections.deque()  # texts before ``listen``
        self._arrived: asyncio.Future[None] | None = None  # what ``recv`` waits on
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._fragments: list[bytearray] | None = None  # a text frame continued in others
        self._handshake: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._writable: asyncio.Future[None] | None = None  # set while writing is paused

    async def recv(self) -> str:
        """The next text, until ``listen`` is called; ``ConnectionError`` once closed."""
        while not self._early:
            if self.closed.is_set():
                raise ConnectionError("the connection closed")
            self._arrived = asyncio.get_running_loop().create_future()
            await self._arrived
        return self._early.popleft()

    def listen(self, on_text: Callable[[str], None]) -> None:
        """Hand every text from now on (and any not yet taken by ``recv``) to ``on_text``."""
        self._on_text = on_text
        while self._early:
            on_text(self._early.popleft())

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._transport.set_write_buffer_limits(high=_WRITE_LIMIT)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    async def drain(self) -> None:
        """Wait while the server has more than 32 KiB of what was sent unread."""
        if self._writable is not None:
            await self._writable

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._handshake.done():
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HANDSHAKE_BYTES:
                    self._handshake.set_exception(HandshakeRefused("response headers too long"))
                return
            self._handshake.set_result(bytes(self._buffer[: end + 4]))
            del self._buffer[: end + 4]
        self._read_frames()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._handshake.done():
            self._handshake.set_exception(ConnectionError("closed during the handshake"))
        self.closed.set()
        self._wake()
        self.resume_writing()

    def _wake(self) -> None:
        if self._arrived is not None and not self._arrived.done():
            self._arrived.set_result(None)

    def send(self, text: str) -> None:
        """Send ``text`` as one masked text frame (clients must mask, section 5.3)."""
        if self._transport is None or self._transport.is_closing():
            raise ConnectionError("the connection closed")
        self._transport.write(_masked_frame(_TEXT, text.encode()))

    def close(self) -> None:
        """Send a close frame (1000, normal closure) and close the connection."""
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(_masked_frame(_CLOSE, struct.pack("!H", 1000)))
            self._transport.close()

    def _read_frames(self) -> None:
        buffer = self._buffer
        start = 0
        while len(buffer) - start >= 2:
            first, second = buffer[start], buffer[start + 1]
            size = second & 0x7F
            header = 2
            if size == 126:
                if len(buffer) - start < 4:
                    break
                (size,) = struct.unpack_from("!H", buffer, start + 2)
                header = 4
            elif size == 127:
                if len(buffer) - start < 10:
                    break
                (size,) = struct.unpack_from("!Q", buffer, start + 2)
                header = 10
            end = start + header + size
            if len(buffer) < end:
                break
            if second & 0x80:  # servers must not mask (section 5.1)
                if self._transport is not None:
                    self._transport.abort()
                return
            self._frame(first, buffer[start + header : end])
            start = end
        del buffer[:start]

    def _frame(self, first: int, payload: bytearray) -> None:
        opcode = first & 0x0F
        if opcode == _TEXT or (opcode == 0 and self._fragments is not None):
            if not first & _FIN:
                self._fragments = [*(self._fragments or []), payload]
                return
            if self._fragments is not None:
                payload = bytearray().join([*self._fragments, payload])
                self._fragments = None
            text = payload.decode()
            if self._on_text is not None:
                self._on_text(text)
            else:
                self._early.append(text)
                self._wake()
        elif opcode == _PING and self._transport is not None:
            self._transport.write(_masked_frame(_PONG, bytes(payload)))
        elif opcode == _CLOSE:
            self.close()
        # Binary frames and unsolicited pongs are not part of what is measured: ignored.


async def open_websocket(url: str) -> RawWebSocket:
    """Connect to ``url`` (``ws://host:port/path``) and finish the opening handshake."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or parts.hostname is None:
        raise ValueError(f"only ws:// URLs: {url}")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    loop = asyncio.get_running_loop()
    _, socket = await loop.create_connection(RawWebSocket, parts.hostname, parts.port or 80)
    key = base64.b64encode(os.urandom(16))
    assert socket._transport is not None
    socket._transport.write(
        b"GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
        % (path.encode(), parts.netloc.encode(), key)
    )
    try:
        response = await socket._handshake
        status_line, *header_lines = response.decode("latin-1").split("\r\n")
        if status_line.split(" ", 2)[1:2] != ["101"]:
            raise HandshakeRefused(status_line)
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines if line)
        }
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode()
        if headers.get("sec-websocket-accept") != accept:
            raise HandshakeRefused("wrong Sec-WebSocket-Accept")
    except BaseException:
        socket._transport.abort()
        raise
    return socket


def _masked_frame(opcode: int, payload: bytes) -> bytes:
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", _FIN | opcode, 0x80 | size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", _FIN | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", _FIN | opcode, 0x80 | 127, size)
    mask = os.urandom(4)
    repeated = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        size, "big"
    )
    return header + mask + masked
