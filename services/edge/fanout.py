"""NATS events out to the sockets allowed to see them.

Messages, typing and member changes go to the chat's room (its members'
sockets on this edge); a chat's ``updated`` event also moves sockets in and
out of that room, so membership on the edge follows the chats service (its
newest revision: see ``memberships``).
"""

import logging
from typing import Any

import socketio
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import BaseModel, ValidationError

from services.contracts import Chat, MemberEvent, Presence, subjects
from services.contracts.events import CHAT_EVENT, EVENTS_BY_ROOM_EVENT, PRESENCE_EVENT

from .broadcast import Broadcaster
from .relay import Relay
from .rooms import chat_room, user_room
from .sockets import SocketDirectory

log = logging.getLogger("chatbus.edge.fanout")


class FanOut:
    """Subscribes to room and presence events and emits them to sockets."""

    def __init__(self, sio: socketio.AsyncServer, sockets: SocketDirectory) -> None:
        self._sio = sio
        self._sockets = sockets
        self._broadcast = Broadcaster(sio)
        self._subscriptions: list[Subscription] = []

    async def start(self, relay: Relay) -> None:
        """Subscribe on the edge's NATS connection."""
        self._subscriptions = [
            await relay.nc.subscribe(subjects.ALL_ROOM_EVENTS, cb=self._on_room_event),
            await relay.nc.subscribe(subjects.ALL_PRESENCE, cb=self._on_presence),
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
        if isinstance(event, Chat):
            await self._chat_changed(event, data)
        elif isinstance(event, MemberEvent):
            # The member's own sockets hear it too: joiners are not in the room yet,
            # leavers no longer.
            rooms = [chat_room(chat_id), user_room(event.username)]
            self._broadcast.emit(server_event.name, data, rooms)
        else:
            self._broadcast.emit(server_event.name, data, [chat_room(chat_id)])
        self._emitted(event)

    def _emitted(self, event: BaseModel) -> None:
        """Called with each room event once it is queued for its sockets (see MeasuredFanOut)."""

    async def _chat_changed(self, chat: Chat, data: str) -> None:
        if not self._sockets.memberships.learn(chat.id, chat.revision, chat.members):
            return  # stale: a newer revision already placed the sockets
        room = chat_room(chat.id)
        members = set(chat.members)
        for sid, _ in list(self._sio.manager.get_participants("/", room)):
            if self._sockets.username(sid) not in members:
                await self._sio.leave_room(sid, room)
        for member in members:
            for sid, _ in list(self._sio.manager.get_participants("/", user_room(member))):
                await self._sio.enter_room(sid, room)
        if chat.private:
            self._broadcast.emit(CHAT_EVENT.name, data, [user_room(m) for m in chat.members])
        else:
            self._broadcast.emit(CHAT_EVENT.name, data)

    async def _on_presence(self, msg: Msg) -> None:
        presence = _read(msg, Presence)
        if presence is not None and msg.subject == subjects.presence(presence.username):
            self._broadcast.emit(PRESENCE_EVENT.name, presence.model_dump_json())


def _read(msg: Msg, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate_json(msg.data)
    except ValidationError:
        log.warning("ignored a malformed event on %s", msg.subject)
        return None
