"""Malformed NATS messages on ``chat.cmd.>``, grouped by kind, as a bot could publish them.

Each ``BadCommand`` says which reply codes are right for it. ``NO_RESPONDERS``
means no handler subscribes to that subject at all, so NATS itself answers the
requester (status 503) and no handler ever sees it.
"""

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from services.contracts import (
    CREATE_CHAT,
    INVITE_TO_CHAT,
    JOIN_CHAT,
    LIST_CHATS,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    SET_STATUS,
    TYPING,
    storage,
    subjects,
)

INVALID = frozenset({"invalid"})
NO_RESPONDERS = frozenset({"no_responders"})


@dataclass(frozen=True)
class BadCommand:
    """One malformed command: subject, exact body, headers, and the answers that are right."""

    kind: str
    subject: str
    body: bytes
    expected: frozenset[str] = INVALID
    headers: dict[str, str] = field(default_factory=dict)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def bad_commands(bot: str, own_chat: str, private_chat: str) -> list[BadCommand]:
    """The cases for the acting ``bot``, a chat it is in, and a private chat it is not in."""
    send = SEND_MESSAGE.subject_for(bot)
    cases: list[BadCommand] = []

    def add(kind: str, subject: str, body: bytes, expected: frozenset[str] = INVALID) -> None:
        cases.append(BadCommand(kind, subject, body, expected))

    add("bad_json", send, b'{"chat_id": ')
    add("bad_json", send, b"{'chat_id': 'x'}")
    add("bad_json", CREATE_CHAT.subject_for(bot), b'{"name": "x",}')
    add("non_object_json", send, b"[1, 2]")
    add("non_object_json", send, b'"hello"')
    add("non_object_json", LIST_CHATS.subject_for(bot), b"42")
    add("non_object_json", JOIN_CHAT.subject_for(bot), b"null")
    add("non_object_json", TYPING.subject_for(bot), b"true")
    add("empty_body", send, b"")
    add("empty_body", JOIN_CHAT.subject_for(bot), b"   \n")
    add("wrong_types", send, _json({"chat_id": 5, "text": "x"}))
    add("wrong_types", send, _json({"chat_id": own_chat, "text": None}))
    add("wrong_types", MESSAGE_HISTORY.subject_for(bot), _json({"chat_id": own_chat, "limit": "9"}))
    add("wrong_types", SET_STATUS.subject_for(bot), _json({"status": 1}))
    add("extra_fields", send, _json({"chat_id": own_chat, "text": "x", "sender": "alice"}))
    add("extra_fields", send, _json({"chat_id": own_chat, "text": "x", "via": "web"}))
    add("extra_fields", LIST_CHATS.subject_for(bot), _json({"username": "alice"}))
    add(
        "huge_body",
        send,
        _json({"chat_id": own_chat, "text": "x" * 500_000}),
        frozenset({"too_large"}),
    )
    add("huge_body", send, b"{" + b" " * 900_000 + b"}")
    add(
        "huge_body",
        INVITE_TO_CHAT.subject_for(bot),
        _json({"chat_id": own_chat, "username": "u" * 300_000}),
    )
    add("deep_nesting", send, b"[" * 100_000 + b"]" * 100_000)
    add("binary_garbage", send, bytes(range(256)) * 4)
    add("binary_garbage", CREATE_CHAT.subject_for(bot), b"\x89PNG\r\n\x1a\n\x00\x00")
    add("binary_garbage", send, b'{"chat_id": "\xff\xfe", "text": "x"}')
    for name in ["Alice", "a", "x" * 40, "-dash", "ünï", "root%"]:
        add(
            "bad_username_token",
            SEND_MESSAGE.subject_for(name),
            _json({"chat_id": own_chat, "text": "x"}),
        )
    add("unknown_area_verb", subjects.command(bot, "chats", "delete"), b"{}", NO_RESPONDERS)
    add("unknown_area_verb", subjects.command(bot, "admin", "shutdown"), b"{}", NO_RESPONDERS)
    add(
        "unknown_area_verb",
        f"{send}.extra",
        _json({"chat_id": own_chat, "text": "x"}),
        NO_RESPONDERS,
    )
    add("unknown_area_verb", f"chat.cmd.{bot}.messages", b"{}", NO_RESPONDERS)
    add(
        "not_a_member",
        send,
        _json({"chat_id": private_chat, "text": "let me in"}),
        frozenset({"forbidden"}),
    )
    add(
        "not_a_member",
        MESSAGE_HISTORY.subject_for(bot),
        _json({"chat_id": private_chat}),
        frozenset({"forbidden"}),
    )
    add(
        "unknown_chat", send, _json({"chat_id": "nope-nope", "text": "x"}), frozenset({"not_found"})
    )
    add(
        "unknown_chat",
        JOIN_CHAT.subject_for(bot),
        _json({"chat_id": "nope-nope"}),
        frozenset({"not_found"}),
    )
    add("null_bytes", send, _json({"chat_id": own_chat + "\x00", "text": "x"}))
    add("null_bytes", CREATE_CHAT.subject_for(bot), _json({"name": "a\x00b"}))
    add(
        "numbers_out_of_range",
        MESSAGE_HISTORY.subject_for(bot),
        _json({"chat_id": own_chat, "limit": 10**30}),
    )
    add(
        "numbers_out_of_range",
        MESSAGE_HISTORY.subject_for(bot),
        b'{"chat_id": "general", "after": NaN}',
    )
    add("lone_surrogate", send, b'{"chat_id": "' + own_chat.encode() + b'", "text": "\\ud800"}')
    return cases


def spoofing_edge(bot: str, chat: str, index: int) -> BadCommand:
    """A send whose header claims the edge relayed it: accepted, but stored as ``via: nats``."""
    return BadCommand(
        "spoofed_edge_header",
        SEND_MESSAGE.subject_for(bot),
        _json({"chat_id": chat, "text": f"spoof {index}"}),
        frozenset({"ok:nats"}),
        headers={storage.EDGE_PROOF_HEADER: "0" * 64 if index % 2 else "forged"},
    )


def flood(cases: list[BadCommand], count: int) -> Iterator[BadCommand]:
    """``count`` bad commands, cycling through ``cases``."""
    return itertools.islice(itertools.cycle(cases), count)
