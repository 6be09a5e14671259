"""Broken Engine.IO / Socket.IO packets, sent as raw websocket frames and raw polling POSTs.

python-socketio's client never frames these, so they are written by hand
(Engine.IO v4: ``4`` = message; then Socket.IO: ``0`` connect, ``2`` event,
``3`` ack, ``5`` binary event; ``42<id>[name, payload]`` asks for an ack
``43<id>[reply]``). For each kind the table says whether the edge answers it
(an ack with an error envelope, when the packet carries an ack id) and
whether it may close that one connection.
"""

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

ENGINE_IO = "/socket.io/?EIO=4"


@dataclass(frozen=True)
class BrokenPacket:
    """Frames to send on an open, logged-in websocket.

    ``answered_id``: the ack id whose error answer must come back (None: no ack possible).
    ``may_close``: the edge may end this connection for it (never the process).
    """

    kind: str
    frames: tuple[str | bytes, ...]
    answered_id: int | None = None
    may_close: bool = False


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


PLACEHOLDER = '{"_placeholder":true,"num":0}'

BROKEN_PACKETS: list[BrokenPacket] = [
    BrokenPacket("bad_json", ('421["chats:list",{',), answered_id=1),
    BrokenPacket("bad_json", ("422{not json}",), answered_id=2),
    BrokenPacket("bad_json", ('42["chats:list"',)),
    BrokenPacket("deep_nesting_raw", (f'423["chats:create",{_deep(100_000)}]',), answered_id=3),
    BrokenPacket("event_not_a_list", ('424{"chats:list":{}}',), answered_id=4),
    BrokenPacket("event_not_a_list", ('425"chats:list"',), answered_id=5),
    BrokenPacket("event_not_a_list", ("426",), answered_id=6),
    BrokenPacket("empty_event", ("427[]",), answered_id=7),
    BrokenPacket("event_name_not_a_string", ("428[1,{}]",), answered_id=8),
    BrokenPacket("event_name_not_a_string", ('429[["chats:list"],{}]',), answered_id=9),
    BrokenPacket("event_name_not_a_string", ("4210[null]",), answered_id=10),
    BrokenPacket("event_name_not_a_string", ('4211[{"a":1},{}]',), answered_id=11),
    BrokenPacket("ack_id_too_long", ("42" + "9" * 120 + '["chats:list",{}]',)),
    BrokenPacket("unknown_socketio_type", ("49",)),
    BrokenPacket("unknown_socketio_type", ("4x[]",)),
    BrokenPacket("unexpected_ack", ('4312[{"ok":true}]',)),
    BrokenPacket("unexpected_connect_error", ('44{"message":"x"}',)),
    BrokenPacket("wrong_namespace", ('42/admin,13["chats:list",{}]',)),
    BrokenPacket("wrong_namespace", ("40/admin,{}",)),
    BrokenPacket("connect_again", ('40{"token":"x"}',)),
    BrokenPacket("unknown_engineio_type", ("9hello",)),
    BrokenPacket("engineio_noop", ("6",)),
    BrokenPacket("engineio_stray_pong", ("3",)),
    BrokenPacket("engineio_upgrade_again", ("5",)),
    BrokenPacket("binary_without_event", (b"\x00\x01\x02\xff",)),
    BrokenPacket(
        "placeholder_out_of_range",
        ('451-14["messages:send",{"_placeholder":true,"num":7}]', b"\x00"),
        answered_id=14,
    ),
    BrokenPacket(
        "too_many_attachments",
        ('459999999999-15["messages:send",' + PLACEHOLDER + "]",),
        answered_id=15,
    ),
    BrokenPacket(
        "attachments_piling_up",
        ('451000-16["messages:send",' + PLACEHOLDER + "]", *([b"\x00" * 10_000] * 20)),
        answered_id=16,
    ),
    # The placeholder's attachment never comes: python-socketio takes the next frame as it.
    BrokenPacket(
        "placeholder_without_attachment",
        ('451-17["messages:send",' + PLACEHOLDER + "]", '4218["chats:list",{}]'),
        answered_id=17,
    ),
    BrokenPacket("empty_frame", ("",), may_close=True),
    BrokenPacket("not_engineio", ("hello",), may_close=True),
    BrokenPacket("over_the_size_limit", ("42" + "x" * (1024 * 1024 + 10),), may_close=True),
]


class RawSocket:
    """A logged-in Socket.IO session over a raw websocket, speaking the frames by hand."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._next_id = 1000

    @classmethod
    async def open(cls, base_url: str, token: str) -> "RawSocket":
        """Open the websocket, connect namespace ``/`` with ``token``."""
        url = base_url.replace("http://", "ws://") + ENGINE_IO + "&transport=websocket"
        ws = await connect(url, max_size=None, open_timeout=10)
        opened = await ws.recv()
        assert isinstance(opened, str) and opened.startswith("0"), opened
        await ws.send("40" + json.dumps({"token": token}))
        raw = cls(ws)
        reply = await raw._until(lambda frame: frame.startswith("40") or frame.startswith("44"))
        assert reply.startswith("40{"), reply
        return raw

    async def send(self, frames: tuple[str | bytes, ...]) -> None:
        """Send frames exactly as given."""
        for frame in frames:
            await self.ws.send(frame)

    async def ack(self, ack_id: int, timeout: float = 3) -> Any:
        """The first argument of the ack with ``ack_id``."""
        prefix = f"43{ack_id}["
        frame = await self._until(lambda f: f.startswith(prefix), timeout)
        return json.loads(frame[len(prefix) - 1 :])[0]

    async def call(self, event: str, payload: Any) -> Any:
        """A well-formed event with an ack; its answer."""
        self._next_id += 1
        await self.ws.send(f"42{self._next_id}" + json.dumps([event, payload]))
        return await self.ack(self._next_id)

    async def close(self) -> None:
        """Close from this side."""
        await self.ws.close()

    async def _until(self, wanted: Any, timeout: float = 10) -> str:
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.ws.recv()
                if not isinstance(frame, str):
                    continue
                if frame == "2":  # Engine.IO ping: answer, or the edge drops us
                    await self.ws.send("3")
                elif wanted(frame):
                    return frame


@dataclass(frozen=True)
class BrokenPost:
    """A raw polling POST body, sent to a logged-in polling session."""

    kind: str
    body: bytes
    answered_id: int | None = None


BROKEN_POSTS: list[BrokenPost] = [
    BrokenPost("bad_json", b'421["chats:list",{', answered_id=1),
    BrokenPost("event_name_not_a_string", b"422[5]", answered_id=2),
    BrokenPost("unknown_socketio_type", b"49"),
    BrokenPost("unknown_engineio_type", b"9x"),
    BrokenPost("bad_separators", b"\x1e\x1e\x1e"),
    BrokenPost("several_packets_one_bad", b'423["nope",{}]\x1e4{', answered_id=3),
    BrokenPost("binary_base64_garbage", b"b@@@not base64"),
    BrokenPost("not_utf8", b"42\xff\xfe[]"),
]


class RawPolling:
    """A logged-in Socket.IO session over long-polling, with bodies written by hand."""

    def __init__(self, http: httpx.AsyncClient, sid: str) -> None:
        self.http = http
        self.sid = sid

    @classmethod
    async def open(cls, http: httpx.AsyncClient, token: str) -> "RawPolling":
        """Handshake, then connect namespace ``/`` with ``token``."""
        opened = await http.get(f"{ENGINE_IO}&transport=polling")
        assert opened.text.startswith("0"), opened.text
        polling = cls(http, json.loads(opened.text[1:])["sid"])
        assert (await polling.post(b"40" + json.dumps({"token": token}).encode())) == 200
        frames = await polling.poll()
        assert any(frame.startswith("40{") for frame in frames), frames
        return polling

    async def post(self, body: bytes, sid: str | None = None) -> int:
        """POST ``body``; the HTTP status."""
        url = f"{ENGINE_IO}&transport=polling&sid={sid or self.sid}"
        response = await self.http.post(url, content=body)
        return response.status_code

    async def poll(self) -> list[str]:
        """One GET: the packets waiting for this session."""
        response = await self.http.get(f"{ENGINE_IO}&transport=polling&sid={self.sid}")
        response.raise_for_status()
        return response.text.split("\x1e")

    async def ack(self, ack_id: int, timeout: float = 3) -> Any:
        """The first argument of the ack with ``ack_id``, polling until it comes."""
        prefix = f"43{ack_id}["
        async with asyncio.timeout(timeout):
            while True:
                for frame in await self.poll():
                    if frame.startswith(prefix):
                        return json.loads(frame[len(prefix) - 1 :])[0]
                    if frame == "2":
                        await self.post(b"3")

    async def call(self, event: str, payload: Any, ack_id: int) -> Any:
        """A well-formed event with an ack; its answer."""
        await self.post(f"42{ack_id}".encode() + json.dumps([event, payload]).encode())
        return await self.ack(ack_id)
