"""The edge's one NATS connection: commands out as requests, for the logged-in user."""

import asyncio
import json
import logging
from typing import Any

import nats
import nats.errors
from nats.aio.client import Client
from pydantic import BaseModel

from services.contracts import Command, ErrorCode, failure, storage
from services.core.identity import edge_proof
from services.core.nats_urls import inbox_prefix_for
from services.core.settings import Settings
from services.storage.nats_connection import close_connection

log = logging.getLogger("chatbus.edge.service_client")


class ServiceClient:
    """Sends requests to the handler services and returns their reply envelopes."""

    nc: Client

    def __init__(self, settings: Settings) -> None:
        self._servers = settings.nats_servers
        self._tls = settings.nats_tls()
        self._timeout = settings.request_timeout_seconds
        self._headers = {storage.EDGE_PROOF_HEADER: edge_proof(settings.signing_key)}
        # Users' commands under way, so a stopping edge can let them finish (see finish_commands).
        self._commands_under_way = 0
        self._no_commands_under_way = asyncio.Event()
        self._no_commands_under_way.set()
        self._stopping = False
        self._closing = False
        # Set when the connection drops: a request already sent will get no reply then.
        self._connection_lost = asyncio.Event()

    async def connect(self) -> None:
        """Connect to NATS, retrying for ever while it is away."""
        self.nc = await nats.connect(
            servers=self._servers,
            name="chatbus-edge",
            tls=self._tls,
            # Users' replies come under the edge's own prefix, which no other program may read.
            inbox_prefix=inbox_prefix_for(self._servers, "edge"),
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            allow_reconnect=True,
            # nats-py logs every failed reconnect attempt with a traceback; one line will do.
            error_cb=_log_nats_error,
            disconnected_cb=self._disconnected,
            reconnected_cb=_log_reconnected,
        )

    async def close(self) -> None:
        """Finish in-flight work and disconnect (at once when NATS is unreachable)."""
        self._closing = True
        await close_connection(self.nc)

    @property
    def connected(self) -> bool:
        """Whether NATS is reachable right now."""
        return self.nc.is_connected

    async def command(
        self, command: Command, username: str, request: BaseModel, *, chat_revision: int = 0
    ) -> dict[str, Any]:
        """Run ``command`` as ``username``; the reply envelope, or ``unavailable``.

        ``chat_revision``: the newest revision of the command's chat this edge has seen.
        """
        if self._stopping:
            return failure(ErrorCode.UNAVAILABLE, "this edge is restarting; try again")
        self._commands_under_way += 1
        self._no_commands_under_way.clear()
        try:
            headers = self._headers
            if chat_revision:
                headers = headers | {storage.CHAT_REVISION_HEADER: str(chat_revision)}
            return await self.request(command.subject_for(username), request, headers)
        finally:
            self._commands_under_way -= 1
            if not self._commands_under_way:
                self._no_commands_under_way.set()

    async def finish_commands(self, timeout: float) -> None:
        """Refuse new commands (``unavailable``: the client retries elsewhere or later) and
        wait up to ``timeout`` seconds for those under way, so their replies reach the user."""
        self._stopping = True
        try:
            await asyncio.wait_for(self._no_commands_under_way.wait(), timeout)
        except TimeoutError:
            log.warning("stopping with %d commands under way", self._commands_under_way)

    async def announce(self, subject: str, payload: BaseModel) -> None:
        """Publish ``payload`` on ``subject`` with the edge's proof, expecting no answer."""
        await self.nc.publish(subject, payload.model_dump_json().encode(), headers=self._headers)

    async def request(
        self, subject: str, payload: BaseModel, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """A request on ``subject`` (with the edge's proof, or ``headers`` that carry it);
        failures of NATS itself become ``unavailable``."""
        if not self.nc.is_connected:
            # While NATS is away nats-py would hold the request in its buffer for the whole
            # timeout, and the socket's next events wait behind it: say so at once instead.
            return failure(ErrorCode.UNAVAILABLE, "messaging is reconnecting; try again")
        lost = asyncio.ensure_future(self._connection_lost.wait())
        answer = asyncio.ensure_future(
            self.nc.request(
                subject,
                payload.model_dump_json().encode(),
                timeout=self._timeout,
                headers=headers or self._headers,
            )
        )
        try:
            await asyncio.wait({answer, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
        if not answer.done():
            # A reply in transit went with the connection; rather than wait out the timeout
            # (the socket's next events wait behind this one), let the client send again.
            answer.cancel()
            await asyncio.gather(answer, return_exceptions=True)
            return failure(ErrorCode.UNAVAILABLE, "messaging was interrupted; try again")
        try:
            reply = answer.result()
        except nats.errors.NoRespondersError:
            return failure(ErrorCode.UNAVAILABLE, "that service is not running; try again")
        except nats.errors.TimeoutError:
            return failure(ErrorCode.UNAVAILABLE, "no answer in time; try again")
        except nats.errors.Error as error:
            log.warning("request on %s failed: %r", subject, error)
            return failure(ErrorCode.UNAVAILABLE, "messaging is unavailable; try again")
        try:
            envelope = json.loads(reply.data)
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or "ok" not in envelope:
            log.error("malformed reply on %s", subject)
            return failure(ErrorCode.INTERNAL, "internal error")
        return envelope

    async def _disconnected(self) -> None:
        if not self._closing:  # a stopping edge disconnects on purpose
            log.warning("disconnected from NATS; reconnecting")
        self._connection_lost.set()
        self._connection_lost = asyncio.Event()


async def _log_nats_error(error: Exception) -> None:
    log.warning("NATS: %r", error)


async def _log_reconnected() -> None:
    log.warning("reconnected to NATS")
