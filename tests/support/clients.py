"""socket.io and HTTP clients of the edge, as a browser uses it."""

import asyncio
import contextlib
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import socketio

from tests.support.http import http_client

PASSWORD = "correct horse battery"
_counter = itertools.count()


def unique_name(prefix: str = "user") -> str:
    """A username no other test uses."""
    return f"{prefix}{next(_counter)}"


class ChatClient:
    """A python-socketio client that records every event it receives."""

    def __init__(self, url: str, token: str, username: str) -> None:
        self.url = url
        self.token = token
        self.username = username
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list[Any]] = defaultdict(list)
        self._arrived = asyncio.Condition()
        self._sync_chat: str | None = None
        self.sio.on("*", self._record)

    async def connect(self, transports: list[str] | None = None) -> None:
        """Connect with the token, as the browser client does."""
        await self.sio.connect(
            self.url,
            auth={"token": self.token},
            transports=transports or ["websocket"],
            wait_timeout=10,
        )

    async def call(self, event: str, *payload: Any) -> dict[str, Any]:
        """Emit an event and return its acknowledgement (the envelope)."""
        return (
            await self.sio.call(event, *payload, timeout=10)
            if payload
            else await self.sio.call(event, timeout=10)
        )

    async def ok(self, event: str, payload: Any = None) -> Any:
        """Emit an event that must succeed; its ``data``."""
        reply = await self.call(event, {} if payload is None else payload)
        assert reply.get("ok") is True, reply
        return reply["data"]

    async def refused(self, event: str, *payload: Any) -> str:
        """Emit an event that must fail; its error code."""
        reply = await self.call(event, *payload)
        assert reply.get("ok") is False, reply
        assert isinstance(reply["error"]["message"], str) and reply["error"]["message"], reply
        return reply["error"]["code"]

    async def wait_for(
        self, event: str, predicate: Callable[[Any], bool] = lambda _: True, timeout: float = 10
    ) -> Any:
        """The first received ``event`` matching ``predicate``, waiting for it if need be."""
        async with asyncio.timeout(timeout):
            async with self._arrived:
                while True:
                    for data in self.events[event]:
                        if predicate(data):
                            return data
                    await self._arrived.wait()

    def received(self, event: str, predicate: Callable[[Any], bool] = lambda _: True) -> list[Any]:
        """The ``event`` payloads received so far that match ``predicate``."""
        return [data for data in self.events[event] if predicate(data)]

    async def sync(self) -> None:
        """Round-trip a message through the edge's fan-out to this socket alone.

        Room events reach a socket in the order the edge handled them, so once
        this returns every event the edge emitted to this socket before has
        arrived: asserting that something did *not* arrive is then meaningful.
        """
        if self._sync_chat is None:
            chat = await self.ok("chats:create", {"name": "sync", "private": True})
            self._sync_chat = chat["id"]
        marker = await self.ok("messages:send", {"chat_id": self._sync_chat, "text": "sync"})
        await self.wait_for("message", lambda m: m["id"] == marker["id"])

    async def _record(self, event: str, data: Any = None) -> None:
        async with self._arrived:
            self.events[event].append(data)
            self._arrived.notify_all()


class Users:
    """Registers users over HTTP and connects them over socket.io."""

    def __init__(self, url: str, http: httpx.AsyncClient) -> None:
        self.url = url
        self.http = http
        self._clients: list[ChatClient] = []

    async def register(self, username: str | None = None) -> str:
        """A new registered user; its name."""
        username = username or unique_name()
        response = await self.http.post(
            "/api/register", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return username

    async def token(self, username: str) -> str:
        """Log in; the token."""
        response = await self.http.post(
            "/api/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return response.json()["token"]

    async def connect(self, username: str | None = None, **options: Any) -> ChatClient:
        """A connected client for ``username`` (registered first if not given)."""
        username = username or await self.register()
        client = ChatClient(self.url, await self.token(username), username)
        await client.connect(**options)
        self._clients.append(client)
        return client

    async def disconnect_all(self) -> None:
        """Close every client this pool opened."""
        await asyncio.gather(
            *(client.sio.disconnect() for client in self._clients if client.sio.connected),
            return_exceptions=True,
        )


async def still_usable(client: ChatClient) -> None:
    """The connection survived: it is up and answers a command."""
    assert client.sio.connected
    assert isinstance(await client.ok("chats:list"), list)


@contextlib.asynccontextmanager
async def user_pool(url: str) -> AsyncIterator[Users]:
    """Users of the edge at ``url`` until the block ends, when their clients disconnect."""
    async with http_client(base_url=url) as http:
        pool = Users(url, http)
        try:
            yield pool
        finally:
            await pool.disconnect_all()


async def read_all_after(
    client: ChatClient, chat_id: str, after: int, limit: int = 50
) -> list[Any]:
    """Page ``messages:history`` forward from ``after`` until ``more`` is false."""
    messages: list[Any] = []
    while True:
        page = await client.ok(
            "messages:history", {"chat_id": chat_id, "after": after, "limit": limit}
        )
        messages += page["messages"]
        if not page["more"]:
            return messages
        assert page["messages"], page
        after = page["messages"][-1]["seq"]


async def refused_connection(url: str, auth: Any) -> Any:
    """Connect with ``auth``; the ``connect_error`` payload the server refused it with."""
    refusals: list[Any] = []
    sio = socketio.AsyncClient(reconnection=False)
    sio.on("connect_error", refusals.append)
    try:
        await sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        pass
    else:
        await sio.disconnect()
        raise AssertionError("the connection was accepted")
    assert len(refusals) == 1, refusals
    return refusals[0]
