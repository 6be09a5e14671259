"""Chat users on socket.io that keep trying until each message is acknowledged.

A ``Sender`` is what a careful client does: every message gets a
``client_id`` once, and any failure (an error reply, no answer in time, a
dropped connection) is answered by sending the *same* message with the same
``client_id`` again, after the connection is back. It keeps what it learns:
which sends were acknowledged and as what, how many attempts each took, and
every ``message`` event the server pushed to it.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import socketio

__all__ = ["PASSWORD", "Send", "Sender", "register_and_login"]

PASSWORD = "correct horse battery"
# Longer than the edge's own NATS request timeout (5 s), so the edge answers first.
ACK_TIMEOUT = 8.0
RETRY_PAUSE = 0.1


@dataclass
class Send:
    """One message's journey: what was sent, each attempt's outcome, the ack."""

    client_id: str
    text: str
    attempts: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    acked: dict[str, Any] | None = None
    # The ack came back for a message stored during an earlier attempt: the work was
    # done twice over (once stored, then absorbed by de-duplication).
    stored_before_last_attempt: bool = False
    # When the first attempt began and the ack came (monotonic), to tie a retry to a fault.
    started: float = 0.0
    finished: float = 0.0


async def register_and_login(http: httpx.AsyncClient, username: str) -> str:
    """Register ``username`` (taken is fine: a rerun) and log in; the token."""
    await http.post("/api/register", json={"username": username, "password": PASSWORD})
    response = await http.post("/api/login", json={"username": username, "password": PASSWORD})
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


class Sender:
    """A socket.io user that reconnects by itself and retries until acknowledged."""

    def __init__(self, url: str, username: str, token: str) -> None:
        self.url = url
        self.username = username
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self.connects = 0
        self._connected = asyncio.Event()
        self._dropped = asyncio.Event()
        self.sio = socketio.AsyncClient(
            reconnection=True,
            reconnection_attempts=0,  # for ever
            reconnection_delay=0.1,
            reconnection_delay_max=0.5,
            randomization_factor=0.2,
        )
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("message", self._on_message)

    async def connect(self, timeout: float = 30.0) -> None:
        """Connect, retrying while the edge is away or refuses for now."""
        async with asyncio.timeout(timeout):
            while True:
                try:
                    await self.sio.connect(
                        self.url,
                        auth={"token": self.token},
                        transports=["websocket"],
                        wait_timeout=5,
                    )
                    break
                except socketio.exceptions.ConnectionError:
                    await asyncio.sleep(RETRY_PAUSE)
            await self._connected.wait()

    async def disconnect(self) -> None:
        """Go offline (no reconnection until ``connect`` again)."""
        await self.sio.disconnect()
        # A failed connect attempt can leave engine.io's HTTP session open behind it.
        http = self.sio.eio.http
        if http is not None and not http.closed:
            await http.close()

    async def send(self, chat_id: str, message: Send, *, within: float) -> Send:
        """Send ``message`` until it is acknowledged or ``within`` seconds pass."""
        deadline = time.monotonic() + within
        message.started = message.started or time.monotonic()
        while message.acked is None and time.monotonic() < deadline:
            message.attempts += 1
            attempt_started = datetime.now().astimezone()
            payload = {"chat_id": chat_id, "text": message.text, "client_id": message.client_id}
            reply, failure = await self.call("messages:send", payload)
            if reply is not None and reply.get("ok"):
                message.finished = time.monotonic()
                message.acked = reply["data"]
                sent_at = datetime.fromisoformat(reply["data"]["sent_at"])
                message.stored_before_last_attempt = (
                    message.attempts > 1 and sent_at < attempt_started
                )
                break
            message.failures[failure] += 1
            await asyncio.sleep(_pause_for(reply))
        return message

    async def call(
        self, event: str, payload: dict[str, Any], timeout: float = ACK_TIMEOUT
    ) -> tuple[dict[str, Any] | None, str]:
        """One attempt: the reply (None if none came) and a word for what went wrong."""
        if not self._connected.is_set():
            try:
                await asyncio.wait_for(self._connected.wait(), timeout)
            except TimeoutError:
                return None, "offline"
        dropped = asyncio.ensure_future(self._dropped.wait())
        call = asyncio.ensure_future(self.sio.call(event, payload, timeout=timeout))
        try:
            await asyncio.wait({call, dropped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            dropped.cancel()
        if not call.done():
            call.cancel()
            await asyncio.gather(call, return_exceptions=True)
            return None, "connection lost"
        try:
            reply: dict[str, Any] = call.result()
        except socketio.exceptions.TimeoutError:
            return None, "no ack in time"
        except socketio.exceptions.SocketIOError:
            return None, "connection lost"
        if reply.get("ok"):
            return reply, ""
        error = reply.get("error") or {}
        return reply, f"{error.get('code', 'malformed reply')} ({error.get('message', '')})"

    async def ok(self, event: str, payload: dict[str, Any], *, within: float = 30.0) -> Any:
        """Call ``event`` until it succeeds (reads and joins are safe to repeat); its data."""
        deadline = time.monotonic() + within
        last = ""
        while time.monotonic() < deadline:
            reply, last = await self.call(event, payload)
            if reply is not None and reply.get("ok"):
                return reply["data"]
            await asyncio.sleep(_pause_for(reply))
        raise TimeoutError(f"{event} did not succeed within {within} s: {last}")

    async def history_after(self, chat_id: str, after: int) -> list[dict[str, Any]]:
        """Every message after seq ``after``: ``messages:history`` pages until ``more`` is false."""
        messages: list[dict[str, Any]] = []
        while True:
            page = await self.ok(
                "messages:history", {"chat_id": chat_id, "after": after, "limit": 100}
            )
            messages += page["messages"]
            if not page["more"] or not page["messages"]:
                return messages
            after = page["messages"][-1]["seq"]

    async def _on_connect(self) -> None:
        self.connects += 1
        self._dropped.clear()
        self._connected.set()

    async def _on_disconnect(self, *reason: Any) -> None:
        self._connected.clear()
        self._dropped.set()

    async def _on_message(self, message: dict[str, Any]) -> None:
        self.messages.append(message)


def _pause_for(reply: dict[str, Any] | None) -> float:
    """How long to wait before the next attempt: what ``rate_limited`` asks, else a moment."""
    error = (reply or {}).get("error") or {}
    if error.get("code") == "rate_limited":
        return float(error.get("retry_after") or 1)
    return RETRY_PAUSE
