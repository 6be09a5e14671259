"""Every NATS subject chatbus uses, defined once.

Public (outside programs depend on these):

    chat.cmd.<username>.<area>.<verb>   request/reply, acting as <username>
    chat.room.<chat_id>.message         Message, after it is stored
    chat.room.<chat_id>.changed         Message, after an edit, delete, reaction or reply
    chat.room.<chat_id>.member          MemberEvent (joined, left, kicked)
    chat.room.<chat_id>.typing          TypingEvent
    chat.room.<chat_id>.updated         Chat, after create or change
    chat.user.<username>.chat           Chat the user was added to or removed from
    chat.user.<username>.read           ReadMarker, to the user's other sockets
    chat.user.<username>.mention        Mention, unless the chat is muted
    chat.presence.<username>            Presence, on a change

Internal (edge <-> services only; NATS permissions keep bots out):

    chat.auth.register | chat.auth.login         accounts
    chat.auth.check                              is a token still good (HTTP routes)
    chat.auth.password                           change a password, voiding other tokens
    chat.auth.revoked                            TokenRevocation, from the status service to edges
    chat.conn.opened | chat.conn.closed          one socket connection's life
    chat.conn.chats                              the chats a connecting user's socket joins
    chat.conn.heartbeat                          an edge is alive
    chat.store.<chat_id>.<seq>                   the message stream's storage subjects
    chat.store.<chat_id>.<root>.<n>              a thread's index: the seq of its n-th reply
    chat.mentions.<username>                     the mentions stream's, one per user

Replies (see ``is_inbox``):

    _INBOX.<token>...                            a program with nats-py's default prefix
    _INBOX_<name>.<token>...                     a program's own prefix (``inbox_prefix``)
"""

import re
from typing import Literal

RoomEventKind = Literal["message", "changed", "member", "typing", "updated"]
UserEventKind = Literal["chat", "read", "mention"]

ALL_COMMANDS = "chat.cmd.>"
ALL_ROOM_EVENTS = "chat.room.>"
ALL_USER_EVENTS = "chat.user.>"
ALL_PRESENCE = "chat.presence.*"

REGISTER_USER = "chat.auth.register"
LOGIN = "chat.auth.login"
CHECK_TOKEN = "chat.auth.check"
CHANGE_PASSWORD = "chat.auth.password"
TOKENS_REVOKED = "chat.auth.revoked"
CONNECTION_OPENED = "chat.conn.opened"
CONNECTION_CLOSED = "chat.conn.closed"
CONNECTION_CHATS = "chat.conn.chats"
EDGE_HEARTBEAT = "chat.conn.heartbeat"

ALL_STORED_MESSAGES = "chat.store.>"
ALL_STORED_MENTIONS = "chat.mentions.*"

# nats-py's default inbox prefix, and the start of every program's own one.
DEFAULT_INBOX_PREFIX = "_INBOX"
# A name in an inbox prefix: a NATS user or a role (and so any username).
INBOX_NAME_PATTERN = r"[A-Za-z0-9_-]+"
# The prefix, then one or more tokens, none empty and none a wildcard.
_INBOX = re.compile(rf"{DEFAULT_INBOX_PREFIX}(?:_{INBOX_NAME_PATTERN})?(?:\.[^.\s*>]+)+")
_INBOX_NAME = re.compile(INBOX_NAME_PATTERN)


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


def user_event(username: str, kind: UserEventKind) -> str:
    """``chat.user.<username>.<kind>``: an event for one user only."""
    return f"chat.user.{username}.{kind}"


def user_event_pattern(kind: UserEventKind) -> str:
    """``chat.user.{username}.<kind>``: a FastStream pattern for documentation."""
    return f"chat.user.{{username}}.{kind}"


def parse_user_event(subject: str) -> tuple[str, str] | None:
    """``(username, kind)`` of a user event subject, or None if it is not one."""
    parts = subject.split(".")
    if len(parts) != 4 or parts[0] != "chat" or parts[1] != "user":
        return None
    return parts[2], parts[3]


def presence(username: str) -> str:
    """``chat.presence.<username>``."""
    return f"chat.presence.{username}"


def stored_message(chat_id: str, seq: int) -> str:
    """Where message ``seq`` of a chat is kept in the messages stream."""
    return f"chat.store.{chat_id}.{seq}"


def stored_mentions(username: str) -> str:
    """Where a user's mentions are kept in the mentions stream."""
    return f"chat.mentions.{username}"


def stored_messages(chat_id: str) -> str:
    """All of one chat's messages in the messages stream."""
    return f"chat.store.{chat_id}.*"


def stored_chat(chat_id: str) -> str:
    """Everything the messages stream keeps of one chat: its messages and thread indexes."""
    return f"chat.store.{chat_id}.>"


def stored_thread_reply(chat_id: str, root: int, place: int) -> str:
    """The thread index entry holding the seq of the ``place``-th reply to ``root``."""
    return f"chat.store.{chat_id}.{root}.{place}"


def inbox_prefix(name: str) -> str:
    """``_INBOX_<name>``: the inbox prefix of the program named ``name`` (its NATS user or role).

    Its replies arrive under ``_INBOX_<name>.>``, which no other program may subscribe to.
    """
    if not _INBOX_NAME.fullmatch(name):
        raise ValueError(f"{name!r} cannot name an inbox (letters, digits, _ and - only)")
    return f"{DEFAULT_INBOX_PREFIX}_{name}"


def inbox_of(name: str) -> str:
    """``_INBOX_<name>.>``: every reply subject of the program named ``name``."""
    return f"{inbox_prefix(name)}.>"


def is_inbox(subject: str) -> bool:
    """Whether ``subject`` is an inbox, the only kind of subject a service answers on.

    ``_INBOX.<token>...`` or ``_INBOX_<name>.<token>...``. Anything else as a
    reply subject (``$KV.*``, ``$JS.*``, ``chat.store.*``, ``chat.room.*``) would
    make a service write there with its own rights.
    """
    return _INBOX.fullmatch(subject) is not None
