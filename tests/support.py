"""Test clients that speak chatbus's protocols the way outside programs do."""

import asyncio
import itertools
import json
import os
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats.aio.client
import nats.aio.msg
import socketio
from nats.js import JetStreamContext
from prometheus_client.parser import text_string_to_metric_families

from services.contracts import Command, Message, storage
from services.core.identity import edge_proof
from services.edge.tokens import AUDIENCE, ISSUER
from services.messages.archive import MessageArchive

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


class Inbox:
    """The messages of one NATS subscription, decoded from JSON, waited for like socket events."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.subjects: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._arrived = asyncio.Condition()

    @classmethod
    async def listen(cls, nc: nats.aio.client.Client, subject: str) -> "Inbox":
        """Subscribe ``nc`` to ``subject``; the subscription is flushed before this returns."""
        inbox = cls()
        await nc.subscribe(subject, cb=inbox._record)
        await nc.flush()
        return inbox

    async def wait_for(
        self, predicate: Callable[[Any], bool] = lambda _: True, timeout: float = 10
    ) -> Any:
        """The first message matching ``predicate``, waiting for it if need be."""
        async with asyncio.timeout(timeout):
            async with self._arrived:
                while True:
                    for item in self.items:
                        if predicate(item):
                            return item
                    await self._arrived.wait()

    def received(self, predicate: Callable[[Any], bool] = lambda _: True) -> list[Any]:
        """The messages so far that match ``predicate``."""
        return [item for item in self.items if predicate(item)]

    async def _record(self, msg: nats.aio.msg.Msg) -> None:
        async with self._arrived:
            self.items.append(json.loads(msg.data))
            self.subjects.append(msg.subject)
            self.headers.append(msg.headers or {})
            self._arrived.notify_all()


class NatsUser:
    """A program on NATS acting as one user, the way a bot does: subject = identity."""

    def __init__(self, nc: nats.aio.client.Client, username: str) -> None:
        self.nc = nc
        self.username = username

    async def call(
        self, command: Command, payload: Any = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Send ``command`` with a JSON payload (``{}`` if None); the reply envelope."""
        body = json.dumps({} if payload is None else payload).encode()
        return await request_raw(self.nc, command.subject_for(self.username), body, headers)

    async def ok(self, command: Command, payload: Any = None) -> Any:
        """Send a command that must succeed; its ``data``."""
        reply = await self.call(command, payload)
        assert reply.get("ok") is True, reply
        return reply["data"]


def edge_headers(signing_key: str) -> dict[str, str]:
    """The headers the edge puts on what it sends: needed for edge-only subjects."""
    return {storage.EDGE_PROOF_HEADER: edge_proof(signing_key)}


async def request_raw(
    nc: nats.aio.client.Client, subject: str, body: bytes, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A NATS request with exactly ``body``; the decoded reply."""
    reply = await nc.request(subject, body, timeout=5, headers=headers)
    envelope: dict[str, Any] = json.loads(reply.data)
    return envelope


async def wait_until(
    condition: Callable[[], Awaitable[bool]], timeout: float = 10, every: float = 0.02
) -> float:
    """Poll ``condition`` until it holds; the seconds it took. Fails after ``timeout``."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(every)
    return loop.time() - started


def error_code(envelope: dict[str, Any]) -> str:
    """The failure code of a reply envelope; fails on a success."""
    assert envelope.get("ok") is False, envelope
    code: str = envelope["error"]["code"]
    return code


def claims_for(username: str = "alice", **changes: Any) -> dict[str, Any]:
    """Good token claims for ``username``, with ``changes`` (None removes a claim)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": username,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "test-token-id",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


# `chatbus up` as README's run command starts it, in a subprocess.
CHATBUS_UP = [sys.executable, "-m", "services.ops.cli", "up"]


def chatbus_up_env(port: int, nats_port: int, data_dir: Path, **settings: str) -> dict[str, str]:
    """This environment without chatbus settings, plus the ports, data dir and ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CHATBUS_") and key != "NATS_URL"
    }
    env |= {
        "CHATBUS_PORT": str(port),
        "CHATBUS_NATS_PORT": str(nats_port),
        "CHATBUS_DATA_DIR": str(data_dir),
    }
    return env | {f"CHATBUS_{name.upper()}": value for name, value in settings.items()}


async def store_messages(js: JetStreamContext, chat_id: str, count: int, first: int = 1) -> None:
    """``count`` messages in a chat, numbered from ``first``, stored the way sends store them.

    ``first`` is one above the messages the chat already holds.
    """
    archive = MessageArchive(js)
    for n in range(first, first + count):
        draft = message_draft(chat_id, f"{chat_id}-{n}", f"m{n}")
        await archive.append(draft, dedupe_key=draft.id)


def message_draft(chat_id: str, message_id: str, text: str) -> Message:
    """A message as a send hands it to ``MessageArchive.append``, which gives it its seq."""
    return Message(
        chat_id=chat_id,
        seq=1,
        id=message_id,
        sender="alice",
        text=text,
        sent_at=datetime.now(UTC),
        via="nats",
    )


# Prometheus samples by name and labels.
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str) -> Samples:
    """Every sample at ``url`` by name and labels."""
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when it does not exist yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


class NatsProgram:
    """A program's own NATS connection, recording the errors the server sends it.

    It never reconnects: a connection the server closes (a revoked user) stays closed.
    """

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.closed = asyncio.Event()
        self._arrived = asyncio.Condition()
        self.nc = nats.aio.client.Client()

    async def connect(self, url: str, inbox_prefix: str) -> None:
        """Connect to ``url`` with ``inbox_prefix``."""

        async def closed() -> None:
            self.closed.set()

        await self.nc.connect(
            url,
            inbox_prefix=inbox_prefix,
            error_cb=self._error,
            closed_cb=closed,
            allow_reconnect=False,
            max_reconnect_attempts=0,
        )

    async def violation(self, kind: str, subject: str, timeout: float = 5) -> str:
        """The server's permissions-violation error for ``kind`` ("publish"/"subscription")."""
        wanted = f'permissions violation for {kind} to "{subject}"'.lower()
        async with asyncio.timeout(timeout):
            async with self._arrived:
                while True:
                    for error in self.errors:
                        if wanted in error.lower():
                            return error
                    await self._arrived.wait()

    def violations(self) -> list[str]:
        """Every permissions violation the server reported so far."""
        return [error for error in self.errors if "permissions violation" in error.lower()]

    async def _error(self, error: Exception) -> None:
        async with self._arrived:
            self.errors.append(str(error))
            self._arrived.notify_all()
