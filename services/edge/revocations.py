"""Sockets whose token was revoked are disconnected at once.

The status service announces each revocation (a password change, and a
deactivation: ``TokenRevocation``) on ``chat.auth.revoked``; every edge hears
it and disconnects that user's sockets on it that connected with a token it
voids. A socket connecting meanwhile is checked against the account by the
status service, which reads the revocation written before it was announced.
"""

import logging

import socketio
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import ValidationError

from services.contracts import TokenRevocation, subjects

from .rooms import user_room
from .service_client import ServiceClient
from .sockets import SocketDirectory

log = logging.getLogger("chatbus.edge.revocations")


class Revocations:
    """Follows revocations and disconnects the sockets they void."""

    def __init__(self, sio: socketio.AsyncServer, sockets: SocketDirectory) -> None:
        self._sio = sio
        self._sockets = sockets
        self._subscription: Subscription | None = None

    async def start(self, service_client: ServiceClient) -> None:
        """Subscribe on the edge's NATS connection."""
        self._subscription = await service_client.nc.subscribe(
            subjects.TOKENS_REVOKED, cb=self._revoked
        )

    async def stop(self) -> None:
        """Stop following revocations."""
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None

    async def _revoked(self, msg: Msg) -> None:
        try:
            revocation = TokenRevocation.model_validate_json(msg.data)
        except ValidationError:
            log.warning("ignored a malformed revocation")
            return
        room = user_room(revocation.username)
        for sid, _ in list(self._sio.manager.get_participants("/", room)):
            token = self._sockets.tokens.get(sid)
            if token is None or revocation.voids(token.token_id, token.issued_at):
                try:
                    await self._sio.disconnect(sid)
                except Exception:
                    log.exception("could not disconnect %s after its token was revoked", sid)
