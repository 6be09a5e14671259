"""Every NATS subject chatbus uses, defined once.

Public (outside programs depend on these):

    chat.cmd.<username>.<area>.<verb>   request/reply, acting as <username>
    chat.room.<chat_id>.message         Message, after it is stored
    chat.room.<chat_id>.member          MemberEvent
    chat.room.<chat_id>.typing          TypingEvent
    chat.room.<chat_id>.updated         Chat, after create or change
    chat.presence.<username>            Presence, on a change

Internal (edge <-> services only; NATS permissions keep bots out):

    chat.auth.register | chat.auth.login         accounts
    chat.auth.check                              is a token still good (HTTP routes)
    chat.auth.password                           change a password, voiding other tokens
    chat.auth.revoked                            TokenRevocation, from the status service to edges
    chat.conn.opened | chat.conn.closed          one socket connection's life
    chat.conn.heartbeat                          an edge is alive
    chat.store.<chat_id>.<seq>                   the message stream's storage subjects
"""

from typing import Literal

RoomEventKind = Literal["message", "member", "typing", "updated"]

ALL_COMMANDS = "chat.cmd.>"
ALL_ROOM_EVENTS = "chat.room.>"
ALL_PRESENCE = "chat.presence.*"

REGISTER_USER = "chat.auth.register"
LOGIN = "chat.auth.login"
CHECK_TOKEN = "chat.auth.check"
CHANGE_PASSWORD = "chat.auth.password"
TOKENS_REVOKED = "chat.auth.revoked"
CONNECTION_OPENED = "chat.conn.opened"
CONNECTION_CLOSED = "chat.conn.closed"
EDGE_HEARTBEAT = "chat.conn.heartbeat"

ALL_STORED_MESSAGES = "chat.store.>"


def command(username: str, area: str, verb: str) -> str:
    """``chat.cmd.<username>.<area>.<verb>``."""
    return f"chat.cmd.{username}.{area}.{verb}"


def parse_command(subject: str) -> tuple[str, str, str] | None:
    """``(username, area, verb)`` of a command subject, or None if it is not one."""
    parts = subject.split(".")
    if len(parts) != 5 or parts[0] != "chat" or parts[1] != "cmd":
        return None
    return parts[2], parts[3], parts[4]


def room_event(chat_id: str, kind: RoomEventKind) -> str:
    """``chat.room.<chat_id>.<kind>``."""
    return f"chat.room.{chat_id}.{kind}"


def room_event_pattern(kind: RoomEventKind) -> str:
    """``chat.room.{chat_id}.<kind>``: a FastStream pattern for documentation."""
    return f"chat.room.{{chat_id}}.{kind}"


def parse_room_event(subject: str) -> tuple[str, str] | None:
    """``(chat_id, kind)`` of a room event subject, or None if it is not one."""
    parts = subject.split(".")
    if len(parts) != 4 or parts[0] != "chat" or parts[1] != "room":
        return None
    return parts[2], parts[3]


def presence(username: str) -> str:
    """``chat.presence.<username>``."""
    return f"chat.presence.{username}"


def stored_message(chat_id: str, seq: int) -> str:
    """Where message ``seq`` of a chat is kept in the messages stream."""
    return f"chat.store.{chat_id}.{seq}"


def stored_messages(chat_id: str) -> str:
    """All of one chat's messages in the messages stream."""
    return f"chat.store.{chat_id}.*"
