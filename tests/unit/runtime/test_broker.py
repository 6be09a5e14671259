"""The handlers' validation, on FastStream's in-memory test broker: no NATS, no storage.

The service objects are built but never opened, so any request that got past
validation would fail with ``internal`` when it touched storage. Every bad
payload must be answered ``invalid`` before that.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from faststream.nats import NatsBroker, TestNatsBroker

from services.chats.router import create_chats_router
from services.chats.rules import ChatRules
from services.contracts import (
    BROWSE_CHATS,
    COMMANDS,
    CREATE_CHAT,
    INVITE_TO_CHAT,
    LIST_CHATS,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    SET_STATUS,
    Command,
    subjects,
)
from services.core.settings import Settings
from services.messages.messenger import Messenger
from services.messages.router import create_messages_router
from services.runtime.broker import create_broker
from services.status.router import create_status_router
from services.status.state import StatusState

# Bodies no command accepts: they are not a JSON object, or carry a field no command has.
NOT_AN_OBJECT = [
    pytest.param(b"not json", id="not-json"),
    pytest.param(b"\xff\xfe\x00", id="not-utf8"),
    pytest.param(b"[1, 2]", id="json-array"),
    pytest.param(b'"chat"', id="json-string"),
    pytest.param(b"42", id="json-number"),
    pytest.param(b"null", id="json-null"),
    pytest.param(b"true", id="json-bool"),
    pytest.param(b'{"chat_id": ', id="truncated-json"),
    pytest.param(b"[" * 100_000, id="deeply-nested-json"),
    pytest.param(b'{"sender": "mallory"}', id="unknown-field"),
]

# Per command: payloads that are JSON objects but wrong for it (missing, mistyped, out of range).
WRONG_FIELDS: dict[str, list[dict[str, Any]]] = {
    "chats:create": [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": 7},
        {"name": "tab\there"},
        {"name": "ok", "private": "yes"},
        {"name": "ok", "members": "bob"},
        {"name": "ok", "members": ["Bob"]},
        {"name": "ok", "owner": "mallory"},
        {"name": "ok", "topic": "two\nlines"},
        {"name": "ok", "topic": 3},
    ],
    "chats:join": [{}, {"chat_id": ""}, {"chat_id": "a.b"}, {"chat_id": 5}, {"chat_id": "x" * 65}],
    "chats:leave": [{}, {"chat_id": "a b"}, {"chat_id": None}, {"chat_id": ["general"]}],
    "chats:invite": [
        {},
        {"chat_id": "general"},
        {"username": "bob"},
        {"chat_id": "general", "username": "B"},
        {"chat_id": "general", "username": "bob.x"},
    ],
    "messages:send": [
        {},
        {"chat_id": "general"},
        {"text": "hi"},
        {"chat_id": "general", "text": ""},
        {"chat_id": "general", "text": " \n\t "},
        {"chat_id": "general", "text": 12},
        {"chat_id": "general", "text": "hi", "client_id": "has space"},
        {"chat_id": "general", "text": "hi", "client_id": ""},
        {"chat_id": "general", "text": "hi", "sender": "mallory"},
        {"chat_id": "general", "text": "hi", "via": "web"},
    ],
    "messages:history": [
        {},
        {"chat_id": "general", "limit": 0},
        {"chat_id": "general", "limit": 101},
        {"chat_id": "general", "before": 0},
        {"chat_id": "general", "after": -1},
        {"chat_id": "general", "limit": "many"},
        {"chat_id": "general", "limit": "5"},
        {"chat_id": "general", "after": 1.5},
    ],
    "messages:thread": [{}, {"chat_id": "general"}, {"chat_id": "general", "root": 0}],
    "messages:edit": [
        {},
        {"chat_id": "general", "seq": 1},
        {"chat_id": "general", "seq": 1, "text": ""},
        {"chat_id": "general", "seq": 0, "text": "x"},
        {"chat_id": "general", "seq": 1, "text": "x", "sender": "mallory"},
    ],
    "messages:delete": [{}, {"chat_id": "general"}, {"chat_id": "general", "seq": "one"}],
    "messages:react": [
        {},
        {"chat_id": "general", "seq": 1, "emoji": "👍"},
        {"chat_id": "general", "seq": 1, "emoji": "x", "on": True},
        {"chat_id": "general", "seq": 1, "emoji": "👍👍👍👍👍", "on": True},
        {"chat_id": "general", "seq": 1, "emoji": "👍", "on": "yes"},
    ],
    "mentions:list": [{"limit": 0}, {"limit": 101}, {"before": "abc"}, {"before": 3}],
    "typing": [{}, {"chat_id": ""}, {"chat_id": "general", "username": "bob"}],
    "status:set": [
        {},
        {"status": "offline"},
        {"status": "ONLINE"},
        {"status": None},
        {"status": 1},
        {"status": "away", "username": "bob"},
    ],
    "chats:list": [{"private": True}],
    "chats:browse": [
        {"limit": 0},
        {"limit": 101},
        {"after": "a.b"},
        {"query": 5},
        {"limit": "5"},
    ],
    "chats:get": [{}, {"chat_id": "a.b"}, {"chat_id": 3}],
    "chats:members": [
        {},
        {"chat_id": "general", "limit": 0},
        {"chat_id": "general", "limit": 501},
        {"chat_id": "general", "after": "Bob"},
    ],
    "presence:list": [{"status": "online"}],
    "chats:update": [
        {"chat_id": "general"},
        {"chat_id": "general", "name": ""},
        {"chat_id": "general", "name": "two\nlines"},
        {"chat_id": "general", "topic": 5},
        {"name": "x"},
    ],
    "chats:kick": [{}, {"chat_id": "general"}, {"chat_id": "general", "username": "Bob"}],
    "chats:set_role": [
        {"chat_id": "general", "username": "bob"},
        {"chat_id": "general", "username": "bob", "role": "owner"},
        {"chat_id": "general", "username": "bob", "role": "ADMIN"},
    ],
    "chats:open_dm": [{}, {"username": "B"}, {"username": ["bob"]}],
    "chats:pin": [
        {"chat_id": "general", "seq": 1},
        {"chat_id": "general", "seq": 0, "pinned": True},
        {"chat_id": "general", "seq": 1, "pinned": "yes"},
    ],
    "chats:mute": [{"chat_id": "general"}, {"chat_id": "general", "muted": 1}],
    "reads:mark": [{"chat_id": "general"}, {"chat_id": "general", "seq": -1}, {"seq": 1}],
    "users:get": [{}, {"username": "Bob"}],
    "users:search": [{}, {"query": ""}, {"query": "   "}, {"query": "b", "limit": 51}],
    "users:update": [{}, {"display_name": "two\nlines"}, {"about": 5}, {"role": "admin"}],
    "users:deactivate": [{"username": "bob"}, {"username": "bob", "deactivated": "yes"}],
}

# Payloads over a size limit: refused as `invalid`, or as `too_large` so a client knows to shorten.
OVERSIZE: list[tuple[Command, dict[str, Any]]] = [
    (CREATE_CHAT, {"name": "x" * 81}),
    (CREATE_CHAT, {"name": "ok", "members": ["bob"] * 101}),
    (CREATE_CHAT, {"name": "ok", "topic": "t" * 251}),
    (BROWSE_CHATS, {"query": "q" * 81}),
    (SEND_MESSAGE, {"chat_id": "general", "text": "x" * 4001}),
    (SEND_MESSAGE, {"chat_id": "general", "text": "y" * 200_000}),
]

VALID_PAYLOADS: dict[str, dict[str, Any]] = {
    "chats:list": {},
    "chats:browse": {},
    "chats:get": {"chat_id": "general"},
    "chats:members": {"chat_id": "general"},
    "chats:create": {"name": "x"},
    "chats:join": {"chat_id": "general"},
    "chats:leave": {"chat_id": "general"},
    "chats:invite": {"chat_id": "general", "username": "bob"},
    "messages:send": {"chat_id": "general", "text": "hi"},
    "messages:history": {"chat_id": "general"},
    "messages:thread": {"chat_id": "general", "root": 1},
    "messages:edit": {"chat_id": "general", "seq": 1, "text": "hi"},
    "messages:delete": {"chat_id": "general", "seq": 1},
    "messages:react": {"chat_id": "general", "seq": 1, "emoji": "👍", "on": True},
    "mentions:list": {},
    "typing": {"chat_id": "general"},
    "status:set": {"status": "away"},
    "presence:list": {},
    "chats:update": {"chat_id": "general", "topic": "t"},
    "chats:kick": {"chat_id": "general", "username": "bob"},
    "chats:set_role": {"chat_id": "general", "username": "bob", "role": "admin"},
    "chats:open_dm": {"username": "bob"},
    "chats:pin": {"chat_id": "general", "seq": 1, "pinned": True},
    "chats:mute": {"chat_id": "general", "muted": True},
    "reads:mark": {"chat_id": "general", "seq": 1},
    "users:get": {"username": "bob"},
    "users:search": {"query": "bo"},
    "users:update": {"about": "hi"},
    "users:deactivate": {"username": "bob", "deactivated": True},
}
BAD_SUBJECT_USERNAMES = ["Alice", "a", "-alice", "_alice", "x" * 33, "al%ce"]


def every_command(values: dict[str, list[Any]] | None = None) -> list[Any]:
    """``(command, value)`` params for each command and each of its values."""
    if values is None:
        return [pytest.param(command, id=command.event) for command in COMMANDS]
    return [
        pytest.param(command, value, id=f"{command.event}-{index}")
        for command in COMMANDS
        for index, value in enumerate(values[command.event])
    ]


# One broker for the whole module: its handlers keep no state, and building it takes longer
# than the hundreds of requests below together.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def handlers() -> AsyncIterator[NatsBroker]:
    """Every command handler on one test broker, over storage that was never opened.

    No command or typing budget: every request below is alice's, far more than a budget lets
    through.
    """
    settings = Settings(
        nats_url="nats://127.0.0.1:1",
        secret="unit-test-signing-key" * 3,
        command_rate_per_second=0,
        typing_rate_per_second=0,
    )
    broker = create_broker(settings, "chatbus-unit")
    broker.include_router(create_chats_router(ChatRules(), settings.signing_key))
    broker.include_router(create_messages_router(Messenger(), settings.signing_key))
    status = StatusState(settings)
    broker.include_router(create_status_router(status, settings.signing_key))
    async with TestNatsBroker(broker) as test_broker:
        yield test_broker


async def ask(broker: NatsBroker, subject: str, body: bytes) -> dict[str, Any]:
    """A request on the test broker; the reply envelope."""
    reply = await broker.request(body, subject)
    envelope: dict[str, Any] = await reply.decode()  # type: ignore[assignment]
    return envelope


def assert_invalid(envelope: dict[str, Any]) -> None:
    assert envelope["ok"] is False, envelope
    assert envelope["error"]["code"] == "invalid", envelope
    assert envelope["error"]["message"], envelope


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
@pytest.mark.parametrize("command", every_command())
async def test_command_that_is_not_a_json_object_of_known_fields_is_invalid(
    handlers: NatsBroker, command: Command, body: bytes
) -> None:
    assert_invalid(await ask(handlers, command.subject_for("alice"), body))


@pytest.mark.parametrize(("command", "payload"), every_command(WRONG_FIELDS))
async def test_command_with_missing_mistyped_or_out_of_range_fields_is_invalid(
    handlers: NatsBroker, command: Command, payload: dict[str, Any]
) -> None:
    assert_invalid(await ask(handlers, command.subject_for("alice"), json.dumps(payload).encode()))


@pytest.mark.parametrize(
    ("command", "payload"),
    OVERSIZE,
    ids=[f"{command.event}-{index}" for index, (command, _) in enumerate(OVERSIZE)],
)
async def test_command_with_a_value_over_its_size_limit_is_refused_before_storage(
    handlers: NatsBroker, command: Command, payload: dict[str, Any]
) -> None:
    envelope = await ask(handlers, command.subject_for("alice"), json.dumps(payload).encode())
    assert envelope["ok"] is False and envelope["error"]["code"] in {"invalid", "too_large"}


@pytest.mark.parametrize("username", BAD_SUBJECT_USERNAMES)
@pytest.mark.parametrize("command", every_command())
async def test_command_on_a_subject_whose_username_is_malformed_is_invalid(
    handlers: NatsBroker, command: Command, username: str
) -> None:
    body = json.dumps(VALID_PAYLOADS[command.event]).encode()
    assert_invalid(await ask(handlers, command.subject_for(username), body))


@pytest.mark.parametrize(
    "command", [CREATE_CHAT, INVITE_TO_CHAT, SEND_MESSAGE, MESSAGE_HISTORY, SET_STATUS]
)
@pytest.mark.parametrize("body", [b"", b"   ", b"{}"], ids=["empty", "blank", "empty-object"])
async def test_empty_body_of_a_command_that_needs_fields_is_invalid_and_names_them(
    handlers: NatsBroker, command: Command, body: bytes
) -> None:
    envelope = await ask(handlers, command.subject_for("alice"), body)
    assert_invalid(envelope)
    assert "required" in envelope["error"]["message"].lower()


async def test_a_valid_command_reaches_the_service_past_validation(handlers: NatsBroker) -> None:
    # The control for the tests above: an unopened service fails with `internal`, not `invalid`.
    envelope = await ask(handlers, LIST_CHATS.subject_for("alice"), b"{}")
    assert envelope["ok"] is False and envelope["error"] == {
        "code": "internal",
        "message": "internal error",
    }


async def test_malformed_command_without_a_reply_subject_is_dropped_and_handlers_keep_working(
    handlers: NatsBroker,
) -> None:
    await handlers.publish(b"not json", SEND_MESSAGE.subject_for("alice"))
    await handlers.publish(b"[]", subjects.EDGE_HEARTBEAT)
    body = json.dumps({"chat_id": "general", "text": ""}).encode()
    assert_invalid(await ask(handlers, SEND_MESSAGE.subject_for("alice"), body))


@pytest.mark.parametrize(
    ("subject", "payload"),
    [
        (subjects.REGISTER_USER, {"username": "Alice", "password": "long enough"}),
        (subjects.REGISTER_USER, {"username": "alice", "password": "short"}),
        (subjects.REGISTER_USER, {"username": "alice"}),
        (subjects.LOGIN, {"username": "alice"}),
        (subjects.LOGIN, {"username": ["alice"], "password": "long enough"}),
        (subjects.CONNECTION_OPENED, {"edge_id": "e1", "connection_id": "c.1", "username": "al"}),
        (subjects.CONNECTION_CLOSED, {"edge_id": "e 1", "connection_id": "c1", "username": "al"}),
        (subjects.CONNECTION_OPENED, {"edge_id": "e1", "connection_id": "c1"}),
    ],
)
async def test_malformed_edge_to_service_request_is_invalid(
    handlers: NatsBroker, subject: str, payload: dict[str, Any]
) -> None:
    assert_invalid(await ask(handlers, subject, json.dumps(payload).encode()))


# envelope_for: the one place an exception becomes a reply.
