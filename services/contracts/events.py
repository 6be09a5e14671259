"""The events the server pushes to socket.io clients, and the NATS events behind them."""

from dataclasses import dataclass

from pydantic import BaseModel

from .messages import Message
from .models import Chat, MemberEvent, Presence, TypingEvent
from .people import Mention, ReadMarker
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
MESSAGE_CHANGED_EVENT = ServerEvent(
    "message_changed",
    Message,
    "changed",
    "A message was edited, deleted, reacted to, or its thread got a reply: its state now.",
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
READ_EVENT = ServerEvent(
    "read",
    ReadMarker,
    None,
    "The user read a chat on another socket (tab, device): its read marker now.",
    user_event="read",
)
MENTION_EVENT = ServerEvent(
    "mention",
    Mention,
    None,
    "A message named the user (not sent in a chat they muted, nor by them).",
    user_event="mention",
)
PRESENCE_EVENT = ServerEvent(
    "presence", Presence, None, "A user's presence changed (first connection, last, status)."
)

SERVER_EVENTS: tuple[ServerEvent, ...] = (
    MESSAGE_EVENT,
    MESSAGE_CHANGED_EVENT,
    CHAT_EVENT,
    MEMBER_EVENT,
    TYPING_EVENT,
    READ_EVENT,
    MENTION_EVENT,
    PRESENCE_EVENT,
)
EVENTS_BY_ROOM_EVENT: dict[str, ServerEvent] = {
    event.room_event: event for event in SERVER_EVENTS if event.room_event
}
EVENTS_BY_USER_EVENT: dict[str, ServerEvent] = {
    event.user_event: event for event in SERVER_EVENTS if event.user_event
}
