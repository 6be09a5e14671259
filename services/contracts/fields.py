"""Constrained field types shared by every model."""

import re
from datetime import UTC, datetime
from typing import Annotated

import emoji as emoji_data
from pydantic import AfterValidator, Field, StringConstraints

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,31}$"
CHAT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_TEXT_LENGTH = 4000
# A history page stops once its messages, encoded as the reply carries them, reach this
# many bytes: 100 messages of the longest text would not fit in NATS's max payload.
MAX_PAGE_BYTES = 512 * 1024
MAX_CHAT_NAME_LENGTH = 80
MAX_TOPIC_LENGTH = 250
MAX_DISPLAY_NAME_LENGTH = 64
MAX_ABOUT_LENGTH = 500
# A reaction is one emoji, in at most this many bytes of UTF-8 (the longest family and flag
# sequences fit; a string of many is not one reaction).
MAX_EMOJI_BYTES = 16
# Bounds on what a message and a chat gather (DESIGN.md "State and guarantees").
MAX_REACTIONS_PER_MESSAGE = 50
REACTION_USERS_SHOWN = 20
MAX_MENTIONS_PER_MESSAGE = 50
MAX_PINS_PER_CHAT = 50
_USERNAME = re.compile(USERNAME_PATTERN)
# Every control character (C0, DEL, C1) but newline and tab: none is text a reader sees,
# and most take six bytes in JSON, which let a page of them outgrow NATS's max payload.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The system's own name (owner of "general"); with a few others, nobody can register it.
SYSTEM_USER = "chatbus"
# The programs' own NATS users (services/ops/nats_auth/roles.py): no person or bot takes
# their names.
PROGRAM_NAMES = frozenset({"edge", "chats", "messages", "status", "search", "ops", "admin"})
RESERVED_USERNAMES = frozenset({SYSTEM_USER, "system", "root", *PROGRAM_NAMES})


def _single_line(value: str) -> str:
    # Names and topics are one line of plain text: no control characters at all.
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _encodable(value: str) -> str:
    # Lone surrogates survive JSON decoding but cannot be stored as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    return value


def _one_emoji(value: str) -> str:
    if len(value.encode()) > MAX_EMOJI_BYTES or not emoji_data.is_emoji(value):
        raise ValueError(f"must be one emoji of at most {MAX_EMOJI_BYTES} bytes")
    return value


def _without_control_characters(value: str) -> str:
    found = _CONTROL_CHARACTER.search(value)
    if found is not None:
        raise ValueError(
            f"text must not contain control characters (U+{ord(found.group()):04X} at"
            f" character {found.start() + 1}); newline and tab are allowed"
        )
    return value


Username = Annotated[
    str,
    Field(
        pattern=USERNAME_PATTERN,
        description="A user's name; lowercase, 2-32 characters.",
        examples=["alice"],
    ),
]
ChatId = Annotated[
    str,
    Field(
        pattern=CHAT_ID_PATTERN,
        description="A chat's id, chosen by the server.",
        examples=["general"],
    ),
]
ChatSeq = Annotated[
    int,
    Field(
        ge=1,
        description="A message's position in its chat: 1, 2, 3, ... without gaps.",
        examples=[42],
    ),
]
Timestamp = Annotated[
    datetime, Field(description="An instant, ISO 8601 in UTC.", examples=["2026-11-25T17:30:00Z"])
]
SafeText = Annotated[str, AfterValidator(_encodable)]
# A message's text: valid Unicode with no control characters but newline and tab.
MessageText = Annotated[
    str, AfterValidator(_encodable), AfterValidator(_without_control_characters)
]
ChatName = Annotated[
    str,
    # Constraints before the Unicode check: pydantic then strips before counting, so a
    # blank name is refused instead of being stored as "".
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CHAT_NAME_LENGTH),
    AfterValidator(_encodable),
    AfterValidator(_single_line),
]
DisplayName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_DISPLAY_NAME_LENGTH),
    AfterValidator(_encodable),
    AfterValidator(_single_line),
]
# A profile's about text: a few lines of plain text.
AboutText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_ABOUT_LENGTH),
    AfterValidator(_encodable),
    AfterValidator(_without_control_characters),
]
Emoji = Annotated[
    str,
    AfterValidator(_one_emoji),
    Field(description="One Unicode emoji, at most 16 bytes.", examples=["👍"]),
]
ChatTopic = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_TOPIC_LENGTH),
    AfterValidator(_encodable),
    AfterValidator(_single_line),
]


def utc_now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


def is_username(value: str) -> bool:
    """Whether ``value`` is a well-formed username (cheap check for subject tokens)."""
    return _USERNAME.fullmatch(value) is not None
