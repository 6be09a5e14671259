"""Programs on NATS, as bots and operators are: requests, subscriptions, server errors."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import nats.aio.client
import nats.aio.msg

from services.contracts import Command, storage
from services.core.identity import edge_proof


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


def error_code(envelope: dict[str, Any]) -> str:
    """The failure code of a reply envelope; fails on a success."""
    assert envelope.get("ok") is False, envelope
    code: str = envelope["error"]["code"]
    return code


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
