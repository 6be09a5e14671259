"""NATS events out to the sockets allowed to see them.

Messages, typing, member and chat changes go to the chat's room (its members'
sockets on this edge). A ``member`` event also moves the sockets of the user it
concerns into or out of that room, so membership on the edge follows the chats
service (by revision: see ``memberships``), and reaches that user too: a joiner
is not in the room yet, a leaver no longer. A chat's ``updated`` event reaches
every socket only when its audience header says so (a public channel created or
renamed). ``chat.user.<name>.chat`` goes to that user's sockets alone.
"""

import logging
from typing import Any

import socketio
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import BaseModel, ValidationError

from services.contracts import Chat, MemberEvent, Presence, storage, subjects
from services.contracts.events import (
    EVENTS_BY_ROOM_EVENT,
    EVENTS_BY_USER_EVENT,
    PRESENCE_EVENT,
)

from ._transport import JsonPayload
from .rooms import chat_room, user_room
from .service_client import ServiceClient
from .sockets import SocketDirectory

log = logging.getLogger("chatbus.edge.fanout")


class FanOut:
    """Subscribes to room, user and presence events and emits them to sockets."""

    def __init__(self, sio: socketio.AsyncServer, sockets: SocketDirectory) -> None:
        self._sio = sio
        self._sockets = sockets
        self._subscriptions: list[Subscription] = []

    async def start(self, service_client: ServiceClient) -> None:
        """Subscribe on the edge's NATS connection."""
        self._subscriptions = [
            await service_client.nc.subscribe(subjects.ALL_ROOM_EVENTS, cb=self._on_room_event),
            await service_client.nc.subscribe(subjects.ALL_USER_EVENTS, cb=self._on_user_event),
            await service_client.nc.subscribe(subjects.ALL_PRESENCE, cb=self._on_presence),
        ]

    async def stop(self) -> None:
        """Stop receiving events."""
        for subscription in self._subscriptions:
            await subscription.unsubscribe()
        self._subscriptions = []

    async def _on_room_event(self, msg: Msg) -> None:
        parsed = subjects.parse_room_event(msg.subject)
        if parsed is None or parsed[1] not in EVENTS_BY_ROOM_EVENT:
            return
        chat_id, kind = parsed
        server_event = EVENTS_BY_ROOM_EVENT[kind]
        event = _read(msg, server_event.payload)
        if event is None or getattr(event, "chat_id", getattr(event, "id", None)) != chat_id:
            return
        # Dumped from the validated model: only the contract's fields reach browsers.
        data = event.model_dump_json()
        rooms: list[str] | None = [chat_room(chat_id)]
        if isinstance(event, Chat):
            self._sockets.memberships.note_revision(chat_id, event.revision)
            if (msg.headers or {}).get(storage.AUDIENCE_HEADER) == storage.EVERYONE:
                rooms = None
        elif isinstance(event, MemberEvent):
            await self._member_changed(event)
            rooms = [chat_room(chat_id), user_room(event.username)]
        await self._sio.emit(server_event.name, JsonPayload(data), to=rooms)
        self._emitted(event)

    def _emitted(self, event: BaseModel) -> None:
        """Called with each room event once it is queued for its sockets (see MeasuredFanOut)."""

    async def _member_changed(self, event: MemberEvent) -> None:
        """Move the sockets of the user concerned into or out of the chat's room."""
        memberships = self._sockets.memberships
        memberships.note_revision(event.chat_id, event.revision)
        if not self._sockets.has_user(event.username):
            return
        joined = event.action == "joined"
        member = memberships.learn(event.chat_id, event.username, event.revision, joined)
        room = chat_room(event.chat_id)
        for sid, _ in list(self._sio.manager.get_participants("/", user_room(event.username))):
            if member:
                await self._sio.enter_room(sid, room)
            else:
                await self._sio.leave_room(sid, room)

    async def _on_user_event(self, msg: Msg) -> None:
        parsed = subjects.parse_user_event(msg.subject)
        if parsed is None or parsed[1] not in EVENTS_BY_USER_EVENT:
            return
        username, kind = parsed
        if not self._sockets.has_user(username):
            return
        server_event = EVENTS_BY_USER_EVENT[kind]
        event = _read(msg, server_event.payload)
        if event is None:
            return
        if isinstance(event, Chat):
            self._sockets.memberships.note_revision(event.id, event.revision)
        await self._sio.emit(
            server_event.name, JsonPayload(event.model_dump_json()), to=[user_room(username)]
        )

    async def _on_presence(self, msg: Msg) -> None:
        presence = _read(msg, Presence)
        if presence is not None and msg.subject == subjects.presence(presence.username):
            await self._sio.emit(PRESENCE_EVENT.name, JsonPayload(presence.model_dump_json()))


def _read(msg: Msg, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate_json(msg.data)
    except ValidationError:
        log.warning("ignored a malformed event on %s", msg.subject)
        return None
