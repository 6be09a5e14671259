"""The edge's one NATS connection: commands out as requests, for the logged-in user."""

import json
import logging
from typing import Any

import nats
import nats.errors
from nats.aio.client import Client
from pydantic import BaseModel

from services.contracts import Command, ErrorCode, failure, storage
from services.identity import edge_proof
from services.settings import Settings

log = logging.getLogger("chatbus.edge.relay")


class Relay:
    """Sends requests to the handler services and returns their reply envelopes."""

    nc: Client

    def __init__(self, settings: Settings) -> None:
        self._servers = settings.nats_servers
        self._timeout = settings.request_timeout_seconds
        self._headers = {storage.EDGE_PROOF_HEADER: edge_proof(settings.signing_key)}

    async def connect(self) -> None:
        """Connect to NATS, retrying for ever while it is away."""
        self.nc = await nats.connect(
            servers=self._servers,
            name="chatbus-edge",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            allow_reconnect=True,
        )

    async def close(self) -> None:
        """Finish in-flight work and disconnect."""
        if not self.nc.is_closed:
            await self.nc.drain()

    @property
    def connected(self) -> bool:
        """Whether NATS is reachable right now."""
        return self.nc.is_connected

    async def command(self, command: Command, username: str, request: BaseModel) -> dict[str, Any]:
        """Run ``command`` as ``username``; the reply envelope, or ``unavailable``."""
        return await self.request(command.subject_for(username), request)

    async def request(self, subject: str, payload: BaseModel) -> dict[str, Any]:
        """A request on ``subject``; failures of NATS itself become ``unavailable``."""
        try:
            reply = await self.nc.request(
                subject,
                payload.model_dump_json().encode(),
                timeout=self._timeout,
                headers=self._headers,
            )
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
