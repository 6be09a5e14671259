"""The events the server pushes to socket.io clients, and the NATS events behind them."""

from dataclasses import dataclass

from pydantic import BaseModel

from .models import Chat, MemberEvent, Message, Presence, TypingEvent
from .subjects import RoomEventKind


@dataclass(frozen=True)
class ServerEvent:
    """One server -> client event: its socket.io name, payload and NATS origin."""

    name: str
    payload: type[BaseModel]
    room_event: RoomEventKind | None
    summary: str


MESSAGE_EVENT = ServerEvent(
    "message", Message, "message", "A new message in a chat the user is a member of."
)
CHAT_EVENT = ServerEvent("chat", Chat, "updated", "A chat the user can see was created or changed.")
MEMBER_EVENT = ServerEvent("member", MemberEvent, "member", "Someone joined or left a chat.")
TYPING_EVENT = ServerEvent(
    "typing", TypingEvent, "typing", "Someone is typing; it expires at `expires_at`."
)
PRESENCE_EVENT = ServerEvent(
    "presence", Presence, None, "A user's presence changed (first connection, last, status)."
)

SERVER_EVENTS: tuple[ServerEvent, ...] = (
    MESSAGE_EVENT,
    CHAT_EVENT,
    MEMBER_EVENT,
    TYPING_EVENT,
    PRESENCE_EVENT,
)
EVENTS_BY_ROOM_EVENT: dict[str, ServerEvent] = {
    event.room_event: event for event in SERVER_EVENTS if event.room_event
}
