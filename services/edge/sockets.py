"""The socket.io face of the edge: authentication, one handler per command, and the traps.

Every client event is answered through its acknowledgement with the reply
envelope; an event that is malformed, unknown, or named ``connect`` or
``disconnect`` by the client is answered with an error and never ends the
connection.
"""

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import socketio
from pydantic import ValidationError

from services.contracts import (
    COMMANDS,
    Account,
    Command,
    Connection,
    ErrorCode,
    failure,
    subjects,
)
from services.core.errors import envelope_for
from services.core.settings import Settings

from ._transport import DirectWriteSocketServer
from .memberships import ChatMemberships
from .packets import MALFORMED_EVENT, GuardedPacket, engineio_logger
from .rooms import chat_room, user_room
from .service_client import ServiceClient
from .tokens import InvalidToken, TokenClaims, read_token

log = logging.getLogger("chatbus.edge.sockets")

# Large enough that an oversize message is answered `too_large` by validation;
# only packets beyond this (nothing a real client sends) close the connection.
MAX_PACKET_BYTES = 1024 * 1024


class SocketDirectory:
    """Who each socket on this edge is, when its token runs out, and which chats it is in."""

    def __init__(self) -> None:
        self.edge_id = secrets.token_urlsafe(8)
        self.usernames: dict[str, str] = {}
        self._sockets_of: dict[str, int] = {}  # username -> their sockets on this edge
        # The token each socket connected with: a revocation may void it (revocations.py).
        self.tokens: dict[str, TokenClaims] = {}
        self.memberships = ChatMemberships()
        # A timer handle per socket, not a sleeping task: a task and its coroutine would
        # add to every idle connection's memory, which README's Benchmark bounds.
        self._expiry: dict[str, asyncio.TimerHandle] = {}
        self._disconnecting: set[asyncio.Task[None]] = set()

    def username(self, sid: str) -> str | None:
        """The user behind a socket."""
        return self.usernames.get(sid)

    def add(self, sid: str, username: str) -> None:
        """A socket of ``username`` is logging in."""
        if sid not in self.usernames:
            self._sockets_of[username] = self._sockets_of.get(username, 0) + 1
        self.usernames[sid] = username

    def has_user(self, username: str) -> bool:
        """Whether ``username`` has a socket on this edge."""
        return username in self._sockets_of

    def connection(self, sid: str, username: str) -> Connection:
        """How the status service knows this socket, and the token it connected with."""
        token = self.tokens.get(sid)
        return Connection(
            edge_id=self.edge_id,
            connection_id=sid,
            username=username,
            token_id=token.token_id if token else None,
            token_issued_at=token.issued_at if token else None,
        )

    def expire_at(
        self, sid: str, when: datetime, disconnect: Callable[[str], Awaitable[None]]
    ) -> None:
        """Disconnect ``sid`` when its token expires."""
        delay = max(0.0, (when - datetime.now(UTC)).total_seconds())
        loop = asyncio.get_running_loop()
        self._expiry[sid] = loop.call_later(delay, self._expire, sid, disconnect)

    def _expire(self, sid: str, disconnect: Callable[[str], Awaitable[None]]) -> None:
        self._expiry.pop(sid, None)
        task = asyncio.create_task(self._disconnect(sid, disconnect))
        self._disconnecting.add(task)
        task.add_done_callback(self._disconnecting.discard)

    async def _disconnect(self, sid: str, disconnect: Callable[[str], Awaitable[None]]) -> None:
        try:
            await disconnect(sid)
        except Exception:
            log.exception("could not disconnect %s after its token expired", sid)

    def forget(self, sid: str) -> None:
        """The socket is gone."""
        username = self.usernames.pop(sid, None)
        if username is not None:
            left = self._sockets_of[username] - 1
            if left:
                self._sockets_of[username] = left
            else:
                del self._sockets_of[username]
                self.memberships.forget_user(username)
        self.tokens.pop(sid, None)
        expiry = self._expiry.pop(sid, None)
        if expiry:
            expiry.cancel()


def create_socket_server(
    settings: Settings, service_client: ServiceClient, sockets: SocketDirectory
) -> socketio.AsyncServer:
    """The socket.io server with every handler of the client protocol."""
    sio = DirectWriteSocketServer(
        async_mode="asgi",
        cors_allowed_origins=settings.cors_origins,  # None: the edge's own origin only
        max_http_buffer_size=MAX_PACKET_BYTES,
        serializer=GuardedPacket,  # broken events with an ack id are answered, not dropped
        # One socket's events are handled one after another, so a client's
        # messages are stored in the order it sent them.
        async_handlers=False,
        logger=False,
        engineio_logger=engineio_logger(),
    )

    def is_event_from_client(sid: str) -> bool:
        # A connected client that emits "connect" or "disconnect" must not run the real handlers.
        return sio.manager.is_connected(sid, "/")

    @sio.on("connect")
    async def connect(sid: str, environ: Any = None, auth: Any = None, *extra: Any) -> Any:
        if is_event_from_client(sid):
            return failure(ErrorCode.INVALID, "'connect' is reserved")
        try:
            claims = read_token(
                auth.get("token") if isinstance(auth, dict) else None, settings.signing_key
            )
        except InvalidToken:
            raise socketio.exceptions.ConnectionRefusedError(
                "unauthorized", {"code": "unauthorized"}
            ) from None
        username = claims.username
        # In the user's room first, so a membership changed while we list is applied to this
        # socket too (see FanOut._member_changed); and known by its token before the status
        # service checks it, so a revocation announced meanwhile finds it.
        sockets.add(sid, username)
        sockets.tokens[sid] = claims
        await sio.enter_room(sid, user_room(username))
        # Both at once: a connect waits for the slower of the two, not their sum.
        connection = sockets.connection(sid, username)
        listed, opened = await asyncio.gather(
            service_client.request(subjects.CONNECTION_CHATS, Account(username=username)),
            service_client.request(subjects.CONNECTION_OPENED, connection),
        )
        if not (listed.get("ok") and opened.get("ok")):
            sockets.forget(sid)
            await sio.leave_room(sid, user_room(username))
            if opened.get("ok"):
                # Counted as open, but refused: take it back, or the user would stay online.
                await service_client.request(subjects.CONNECTION_CLOSED, connection)
            codes = {reply["error"]["code"] for reply in (listed, opened) if not reply.get("ok")}
            if ErrorCode.UNAUTHORIZED in codes:
                # The token is well signed but its user is not registered.
                raise socketio.exceptions.ConnectionRefusedError(
                    "unauthorized", {"code": "unauthorized"}
                )
            raise socketio.exceptions.ConnectionRefusedError("unavailable", {"code": "unavailable"})
        sockets.expire_at(sid, claims.expires_at, sio.disconnect)
        for chat in listed["data"]["chats"]:
            # A ``member`` event newer than this list may have arrived meanwhile: it wins.
            chat_id = chat["chat_id"]
            if sockets.memberships.learn(chat_id, username, chat["revision"], True):
                await sio.enter_room(sid, chat_room(chat_id))
        return True

    @sio.on("disconnect")
    async def disconnect(sid: str, *args: Any) -> Any:
        if is_event_from_client(sid):
            return failure(ErrorCode.INVALID, "'disconnect' is reserved")
        username = sockets.username(sid)
        sockets.forget(sid)
        if username is not None:
            await service_client.request(
                subjects.CONNECTION_CLOSED, sockets.connection(sid, username)
            )
        return None

    @sio.on(MALFORMED_EVENT)
    async def malformed_event(sid: str, *args: Any) -> Any:
        return failure(
            ErrorCode.INVALID,
            "malformed event: send [name, payload] as JSON, with no binary attachments",
        )

    @sio.on("*")
    async def unknown_event(*args: Any) -> Any:
        # Called as (event, sid, *payload); but an event literally named "*" is taken for
        # this handler's own name and arrives as (sid, *payload), without its name.
        event = "*" if sockets.username(args[0]) is not None else args[0]
        return failure(ErrorCode.INVALID, f"unknown event {event[:64]!r}")

    for command in COMMANDS:
        sio.on(command.event, _command_handler(command, service_client, sockets))
    return sio


def _command_handler(
    command: Command, service_client: ServiceClient, sockets: SocketDirectory
) -> Any:
    async def handle(sid: str, *args: Any) -> dict[str, Any]:
        username = sockets.username(sid)
        if username is None:
            return failure(ErrorCode.UNAUTHORIZED, "not logged in")
        if len(args) > 1:
            return failure(ErrorCode.INVALID, "send one object as the payload")
        payload = args[0] if args else {}
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            return failure(ErrorCode.INVALID, "the payload must be an object")
        try:
            request = command.request.model_validate(payload)
        except ValidationError as error:
            return envelope_for(error)
        chat_id = getattr(request, "chat_id", None)
        revision = sockets.memberships.newest_revision(chat_id) if chat_id else 0
        reply = await service_client.command(command, username, request, chat_revision=revision)
        if command.area == "chats" and (seen := _chat_revision_in(reply)):
            sockets.memberships.note_revision(*seen)
        return reply

    handle.__name__ = f"on_{command.area}_{command.verb}"
    return handle


def _chat_revision_in(reply: dict[str, Any]) -> tuple[str, int] | None:
    """The chat id and revision in a successful reply carrying a ``Chat`` or ``ChatLeft``."""
    data = reply.get("data") if reply.get("ok") else None
    if not isinstance(data, dict) or not isinstance(data.get("revision"), int):
        return None
    chat_id = data.get("chat_id", data.get("id"))
    return (chat_id, data["revision"]) if isinstance(chat_id, str) else None
