"""The events the server pushes to socket.io clients, and the NATS events behind them."""

from dataclasses import dataclass

from pydantic import BaseModel

from .models import Chat, MemberEvent, Message, Presence, TypingEvent
from .subjects import RoomEventKind, UserEventKind


@dataclass(frozen=True)
class ServerEvent:
    """One server -> client event: its socket.io name, payload and NATS origin."""

    name: str
    payload: type[BaseModel]
    room_event: RoomEventKind | None
    summary: str
    user_event: UserEventKind | None = None


MESSAGE_EVENT = ServerEvent(
    "message", Message, "message", "A new message in a chat the user is a member of."
)
CHAT_EVENT = ServerEvent(
    "chat",
    Chat,
    "updated",
    "One of the user's chats changed, the user was added to or removed from one, or a public"
    " chat was created or renamed.",
    user_event="chat",
)
MEMBER_EVENT = ServerEvent(
    "member",
    MemberEvent,
    "member",
    "Someone joined, left or was removed from one of the user's chats.",
)
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
EVENTS_BY_USER_EVENT: dict[str, ServerEvent] = {
    event.user_event: event for event in SERVER_EVENTS if event.user_event
}
