"""Malformed socket.io events a client library can send, grouped by kind.

Every one is application-level: python-socketio's client frames it correctly,
so the edge must answer it through the acknowledgement with a failure
envelope whose code is one of ``expected``. (Broken framing is in
``raw_packets``.)
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

GENERAL = "general"
INVALID = frozenset({"invalid"})
TOO_LARGE = frozenset({"too_large"})
INVALID_OR_TOO_LARGE = frozenset({"invalid", "too_large"})

HUGE = 200_000  # characters: 50 times a message's limit, well under the 1 MiB packet limit


@dataclass(frozen=True)
class BadEvent:
    """One malformed event: its kind, the event name, the arguments, the codes it may get."""

    kind: str
    event: str
    args: tuple[Any, ...]
    expected: frozenset[str] = INVALID


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


def _nested_objects(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def _cases() -> list[BadEvent]:
    send = "messages:send"
    history = "messages:history"
    cases: list[BadEvent] = []

    def add(kind: str, event: str, *args: Any, expected: frozenset[str] = INVALID) -> None:
        cases.append(BadEvent(kind, event, args, expected))

    # Fields of the wrong type.
    add("wrong_type", "chats:create", {"name": 7})
    add("wrong_type", "chats:create", {"name": "x", "private": "yes"})
    add("wrong_type", "chats:create", {"name": "x", "members": "bob"})
    add("wrong_type", "chats:join", {"chat_id": 5})
    add("wrong_type", send, {"chat_id": GENERAL, "text": ["hi"]})
    add("wrong_type", send, {"chat_id": GENERAL, "text": {"t": "hi"}})
    add("wrong_type", history, {"chat_id": GENERAL, "limit": "5"})
    add("wrong_type", "typing", {"chat_id": None})
    add("bool_for_number", history, {"chat_id": GENERAL, "limit": True})
    add("float_for_number", history, {"chat_id": GENERAL, "after": 1.5})
    # Fields missing.
    add("missing_field", send, {"chat_id": GENERAL})
    add("missing_field", send, {"text": "hi"})
    add("missing_field", "chats:invite", {"chat_id": GENERAL})
    add("missing_field", "status:set", {})
    add("missing_field", "chats:create", {})
    # Fields nobody asked for, including ones that try to choose the acting user.
    add("extra_field", send, {"chat_id": GENERAL, "text": "hi", "sender": "bob"})
    add("extra_field", send, {"chat_id": GENERAL, "text": "hi", "username": "bob"})
    add("extra_field", "chats:list", {"as": "root"})
    add("extra_field", "status:set", {"status": "away", "username": "bob"})
    add("extra_field", send, {"chat_id": GENERAL, "text": "hi", "seq": 1, "via": "web"})
    # Huge strings.
    add("huge_text", send, {"chat_id": GENERAL, "text": "x" * HUGE}, expected=TOO_LARGE)
    add("huge_text", send, {"chat_id": GENERAL, "text": "é" * (HUGE // 4)}, expected=TOO_LARGE)
    add("huge_id", send, {"chat_id": "c" * HUGE, "text": "hi"}, expected=INVALID_OR_TOO_LARGE)
    add("huge_id", "chats:create", {"name": "n" * HUGE}, expected=INVALID_OR_TOO_LARGE)
    add(
        "huge_list",
        "chats:create",
        {"name": "n", "members": ["bob"] * 10_000},
        expected=INVALID_OR_TOO_LARGE,
    )
    add("huge_event_name", "x" * 10_000, {})
    # Deep nesting (as deep as the client's JSON encoder goes; deeper ones are raw packets).
    add("deep_nesting", send, {"chat_id": GENERAL, "text": _nested(400)})
    add("deep_nesting", "chats:create", _nested_objects(400))
    # Binary attachments where text belongs, and as the whole payload.
    add("binary", send, {"chat_id": GENERAL, "text": b"\x00\xff" * 100})
    add("binary", "chats:join", {"chat_id": b"general"})
    add("binary", "chats:create", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    add("binary", send, {"chat_id": GENERAL, "text": "hi", "attachment": b"\x00" * 50_000})
    # Events that do not exist, and the reserved ones.
    add("unknown_event", "chats:delete", {"chat_id": GENERAL})
    add("unknown_event", "admin:shutdown", {})
    add("unknown_event", "message", {"chat_id": GENERAL, "text": "hi"})
    add("unknown_event", "", {})
    add("unknown_event", "*", {})
    add("reserved_event", "connect", {"token": "x"})
    add("reserved_event", "connect")
    add("reserved_event", "disconnect", {})
    add("reserved_event", "disconnect")
    # No payload where fields are needed.
    add("no_payload", send)
    add("no_payload", "chats:join")
    add("no_payload", history)
    # Several arguments instead of one object.
    add("several_args", "chats:join", {"chat_id": GENERAL}, {"chat_id": GENERAL})
    add("several_args", send, GENERAL, "hi")
    add("several_args", "chats:list", {}, None, 1)
    # A payload that is not an object.
    add("not_an_object", send, [GENERAL, "hi"])
    add("not_an_object", send, "hi")
    add("not_an_object", "chats:list", 42)
    add("not_an_object", "chats:list", True)
    add("not_an_object", send, None)
    # Unicode oddities.
    add("unicode", send, {"chat_id": GENERAL, "text": "\ud800 lone surrogate"})
    add("unicode", "chats:create", {"name": "\udfff"})
    add("unicode", "chats:join", {"chat_id": "génèral"})
    add("unicode", "chats:join", {"chat_id": "general\u200b"})
    add("unicode", "chats:invite", {"chat_id": GENERAL, "username": "b\u202eob"})
    add("unicode", "chats:create", {"name": "\u0000\u0007"})
    # Numbers out of range.
    add("out_of_range", history, {"chat_id": GENERAL, "limit": 0})
    add("out_of_range", history, {"chat_id": GENERAL, "limit": 101})
    add("out_of_range", history, {"chat_id": GENERAL, "limit": 10**40})
    add("out_of_range", history, {"chat_id": GENERAL, "before": 0})
    add("out_of_range", history, {"chat_id": GENERAL, "after": -(2**63)})
    add("out_of_range", history, {"chat_id": GENERAL, "after": float("nan")})
    add("out_of_range", history, {"chat_id": GENERAL, "before": float("inf")})
    add("out_of_range", history, {"chat_id": GENERAL, "after": 9, "before": 3})
    # Null bytes in names and ids.
    add("null_byte", "chats:join", {"chat_id": "gen\x00eral"})
    add("null_byte", "chats:create", {"name": "a\x00b"})
    add("null_byte", send, {"chat_id": GENERAL, "text": "hi", "client_id": "c\x001"})
    add("null_byte", "chats:invite", {"chat_id": GENERAL, "username": "bob\x00"})
    add("null_byte", "status:set", {"status": "away\x00"})
    # Ids that would break a NATS subject.
    add("subject_injection", "chats:join", {"chat_id": "a.b"})
    add("subject_injection", "chats:join", {"chat_id": ">"})
    add("subject_injection", "chats:invite", {"chat_id": GENERAL, "username": "*"})
    add("subject_injection", send, {"chat_id": "general.>", "text": "hi"})
    # Values outside an enumeration.
    add("bad_enum", "status:set", {"status": "offline"})
    add("bad_enum", "status:set", {"status": "ONLINE"})
    add("bad_enum", "status:set", {"status": ["away"]})
    return cases


CASES = _cases()
KINDS = sorted({case.kind for case in CASES})


def flood(count: int) -> Iterator[BadEvent]:
    """``count`` malformed events, cycling through every case."""
    return itertools.islice(itertools.cycle(CASES), count)
