"""A chat client that knows every edge and moves to another when its edge goes away.

python-socketio has no connection-state recovery and reconnects only to the
URL it started with, so the client does what DESIGN.md asks of one: connect
elsewhere, then fill the gap with ``messages:history {after: <last seq>}``.
Sends go on until acknowledged, with the same ``client_id`` every time, so a
send whose ack was lost is stored once.
"""

import asyncio
import time
from collections import Counter
from typing import Any

import socketio
import socketio.exceptions

from tests.support.clients import ChatClient, read_all_after

SEND_TIMEOUT = 5.0
RETRY_PAUSE = 0.2
ROAM_WITHIN_SECONDS = 30.0
# Failures worth sending again: the edge or storage was away for a moment.
RETRIED_CODES = frozenset({"unavailable"})


class RoamingClient(ChatClient):
    """A ``ChatClient`` given every edge's URL; ``roams=False`` stays away once dropped."""

    def __init__(self, urls: list[str], token: str, username: str, *, roams: bool = True) -> None:
        super().__init__(urls[0], token, username)
        self.urls = urls
        self.roams = roams
        self.connected = asyncio.Event()
        self.dropped_at: float | None = None
        self.back_at: float | None = None
        self.back = asyncio.Event()
        # Why sends were sent again: the error message, or "no ack in time".
        self.retries: Counter[str] = Counter()
        # chat id -> the newest seq received live when the edge went away.
        self._seq_at_drop: dict[str, int] = {}
        self._closing = False
        self._roaming: asyncio.Task[None] | None = None
        self.sio.on("disconnect", self._dropped)

    async def connect(self, transports: list[str] | None = None) -> None:
        await super().connect(transports)
        self.connected.set()

    async def close(self) -> None:
        """Disconnect for good (no roaming after this)."""
        self._closing = True
        if self._roaming is not None:
            self._roaming.cancel()
            await asyncio.gather(self._roaming, return_exceptions=True)
        if self.sio.connected:
            await self.sio.disconnect()
        await _let_go(self.sio)

    def last_seq(self, chat_id: str) -> int:
        """The newest seq of ``chat_id`` this client holds every message up to, live.

        Not simply the newest: two messages replicas announce seqs 5 and 6 independently,
        so an edge that dies in between may have passed on 6 and never 5.
        """
        held = {m["seq"] for m in self.received("message", lambda m: m["chat_id"] == chat_id)}
        seq = 0
        while seq + 1 in held:
            seq += 1
        return seq

    async def catch_up(self, chat_id: str) -> dict[int, Any]:
        """Every message of ``chat_id`` this client holds: live ones plus history after the gap.

        Reads from the newest seq it saw live before it dropped, as DESIGN.md's
        reconnecting client does, and keys by seq so a message both received
        live and read back counts once.
        """
        live = {m["seq"]: m for m in self.received("message", lambda m: m["chat_id"] == chat_id)}
        after = self._seq_at_drop.get(chat_id, self.last_seq(chat_id))
        for message in await read_all_after(self, chat_id, after):
            live.setdefault(message["seq"], message)
        return live

    async def send_until_acked(self, chat_id: str, text: str, client_id: str) -> Any:
        """``messages:send`` until an edge acknowledges it; the stored ``Message``."""
        payload = {"chat_id": chat_id, "text": text, "client_id": client_id}
        while True:
            await self.connected.wait()
            try:
                reply = await self.sio.call("messages:send", payload, timeout=SEND_TIMEOUT)
            except (socketio.exceptions.SocketIOError, ConnectionError):
                reply = None  # dropped or timed out: the ack may be lost, not the message
            if reply is not None and reply.get("ok"):
                return reply["data"]
            if reply is not None and reply["error"]["code"] not in RETRIED_CODES:
                raise AssertionError(f"send refused: {reply}")
            self.retries[reply["error"]["message"] if reply else "no ack in time"] += 1
            await asyncio.sleep(RETRY_PAUSE)  # a retry's pace, not a wait for anything

    async def _dropped(self, *_reason: Any) -> None:
        self.connected.clear()
        if self._closing or self._roaming is not None:
            return
        self.dropped_at = time.monotonic()
        self._seq_at_drop = {
            m["chat_id"]: self.last_seq(m["chat_id"]) for m in self.received("message")
        }
        if self.roams:
            self._roaming = asyncio.create_task(self._roam(), name=f"{self.username}-roams")

    async def _roam(self) -> None:
        """Try the other edges in turn until one takes the connection."""
        start = self.urls.index(self.url)
        others = [self.urls[(start + i) % len(self.urls)] for i in range(1, len(self.urls) + 1)]
        async with asyncio.timeout(ROAM_WITHIN_SECONDS):
            while True:
                for url in others:
                    sio = socketio.AsyncClient(reconnection=False)
                    sio.on("*", self._record)
                    try:
                        await sio.connect(
                            url,
                            auth={"token": self.token},
                            transports=["websocket"],
                            wait_timeout=5,
                        )
                    except socketio.exceptions.ConnectionError:
                        await _let_go(sio)
                        continue
                    await _let_go(self.sio)
                    self.sio, self.url = sio, url
                    sio.on("disconnect", self._dropped)
                    self._roaming = None
                    self.back_at = time.monotonic()
                    self.connected.set()
                    self.back.set()
                    return
                await asyncio.sleep(RETRY_PAUSE)  # every edge refused: pace the next round


async def _let_go(sio: socketio.AsyncClient) -> None:
    """Close what a dropped or refused client still holds (its HTTP session)."""
    # Engine.IO closes the session on its own only on a clean disconnect.
    await sio.eio.disconnect(abort=True)
