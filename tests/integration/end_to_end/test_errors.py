"""End to end: every error a socket.io client (or the HTTP API) can get, and that none is fatal."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest

from services.core.settings import Settings
from services.edge.tokens import issue_token, token_signing_key
from tests.support.clients import (
    PASSWORD,
    ChatClient,
    Users,
    refused_connection,
    still_usable,
    unique_name,
)
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_services,
    shared_settings,
    shared_users,
)
from tests.support.tokens import claims_for

pytestmark = IN_THE_MODULES_LOOP

UNAUTHORIZED = {"message": "unauthorized", "data": {"code": "unauthorized"}}


# invalid


async def test_payload_fields_of_the_wrong_type_are_invalid(users: Users) -> None:
    alice = await users.connect()
    cases = [
        ("chats:create", {"name": 7}),
        ("chats:create", {"name": "x", "private": "yes"}),
        ("chats:create", {"name": "x", "members": "bob"}),
        ("chats:join", {"chat_id": 5}),
        ("chats:leave", {"chat_id": None}),
        ("chats:invite", {"chat_id": "general", "username": 1}),
        ("messages:send", {"chat_id": "general", "text": ["hi"]}),
        ("messages:send", {"chat_id": "general", "text": "hi", "client_id": 3}),
        ("messages:history", {"chat_id": "general", "limit": "many"}),
        ("messages:history", {"chat_id": "general", "after": 1.5}),
        ("typing", {"chat_id": {"id": "general"}}),
        ("status:set", {"status": "offline"}),
    ]
    for event, payload in cases:
        assert await alice.refused(event, payload) == "invalid", (event, payload)
    await still_usable(alice)


async def test_payload_missing_required_fields_is_invalid(users: Users) -> None:
    alice = await users.connect()
    cases = [
        ("chats:create", {}),
        ("chats:join", {}),
        ("chats:leave", {}),
        ("chats:invite", {"chat_id": "general"}),
        ("chats:invite", {"username": "bob"}),
        ("messages:send", {"chat_id": "general"}),
        ("messages:send", {"text": "hi"}),
        ("messages:history", {}),
        ("typing", {}),
        ("status:set", {}),
    ]
    for event, payload in cases:
        assert await alice.refused(event, payload) == "invalid", (event, payload)
    for event in ("chats:create", "messages:send", "messages:history", "status:set"):
        assert await alice.refused(event) == "invalid", event  # no payload at all
    await still_usable(alice)


async def test_commands_without_fields_accept_no_payload(users: Users) -> None:
    alice = await users.connect()
    for event in ("chats:list", "presence:list"):
        assert (await alice.call(event))["ok"] is True, event


async def test_payload_with_unknown_fields_is_invalid(users: Users) -> None:
    alice = await users.connect()
    chat_id = (await alice.ok("chats:create", {"name": "quiet"}))["id"]
    cases = [
        ("messages:send", {"chat_id": chat_id, "text": "hi", "sender": "mallory"}),
        ("messages:send", {"chat_id": chat_id, "text": "hi", "via": "nats"}),
        ("chats:create", {"name": "x", "owner": "mallory"}),
        ("chats:list", {"all": True}),
        ("status:set", {"status": "away", "username": "mallory"}),
    ]
    for event, payload in cases:
        assert await alice.refused(event, payload) == "invalid", (event, payload)
    assert (await alice.ok("messages:history", {"chat_id": chat_id}))["messages"] == []


async def test_payload_that_is_not_one_object_is_invalid(users: Users) -> None:
    alice = await users.connect()
    for payload in ["general", 42, True, [{"chat_id": "general"}], b"\x00\x01"]:
        assert await alice.refused("chats:join", payload) == "invalid", payload
    two_objects = ({"chat_id": "general"}, {"chat_id": "general"})
    assert await alice.refused("chats:join", two_objects) == "invalid"
    assert all(chat["id"] != "general" for chat in await alice.ok("chats:list"))
    await still_usable(alice)


async def test_blank_message_text_is_invalid(users: Users) -> None:
    alice = await users.connect()
    chat_id = (await alice.ok("chats:create", {"name": "quiet"}))["id"]
    for text in ["", " ", "\n\t \r\n"]:
        request = {"chat_id": chat_id, "text": text}
        assert await alice.refused("messages:send", request) == "invalid", repr(text)
    assert (await alice.ok("messages:history", {"chat_id": chat_id}))["messages"] == []


async def test_message_text_over_4000_characters_is_too_large(users: Users) -> None:
    alice = await users.connect()
    chat_id = (await alice.ok("chats:create", {"name": "quiet"}))["id"]
    for text in ["x" * 4001, "😀" * 4001, "x" * 20_000]:
        request = {"chat_id": chat_id, "text": text}
        assert await alice.refused("messages:send", request) == "too_large", len(text)
    assert (await alice.ok("messages:send", {"chat_id": chat_id, "text": "x" * 4000}))["seq"] == 1


async def test_a_pasted_100_kb_text_is_answered_too_large_on_both_transports(
    users: Users,
) -> None:
    for transports in (["websocket"], ["polling"]):
        alice = await users.connect(transports=transports)
        await alice.ok("chats:join", {"chat_id": "general"})
        pasted = {"chat_id": "general", "text": "y" * 100_000}
        assert await alice.refused("messages:send", pasted) == "too_large", transports
        assert alice.sio.connected
        await alice.ok("messages:send", {"chat_id": "general", "text": "still here"})


async def test_ids_and_names_that_could_break_a_nats_subject_are_invalid(users: Users) -> None:
    alice = await users.connect()
    for chat_id in ["", "a.b", "*", ">", "general.message", "a b", "x" * 65]:
        assert await alice.refused("chats:join", {"chat_id": chat_id}) == "invalid", chat_id
    for username in ["Bob", "b", "bob.x", "*", ">", "x" * 33]:
        invite = {"chat_id": "general", "username": username}
        assert await alice.refused("chats:invite", invite) == "invalid", username
    await still_usable(alice)


# unknown and reserved events


async def test_unknown_event_is_answered_and_the_connection_stays_usable(users: Users) -> None:
    alice = await users.connect()
    for event in ["chats:delete", "messages:edit", "nope", "message", "presence", "connect_error"]:
        for payload in ((), ({},), (({"chat_id": "general"}, 2),)):
            assert await alice.refused(event, *payload) == "invalid", (event, payload)
    await still_usable(alice)


async def test_event_named_like_the_catch_all_is_answered(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("*") == "invalid"
    assert await alice.refused("*", {"chat_id": "general"}) == "invalid"
    await still_usable(alice)


async def test_client_emitted_connect_and_disconnect_are_refused_and_change_nothing(
    users: Users,
) -> None:
    bob = await users.connect()
    alice = await users.connect()
    await bob.wait_for("presence", lambda p: p["username"] == alice.username)
    for event in ("disconnect", "connect"):
        for payload in ((), ({},), ({"token": bob.token},)):
            assert await alice.refused(event, *payload) == "invalid", (event, payload)
    await still_usable(alice)
    await alice.ok("chats:join", {"chat_id": "general"})
    sent = await alice.ok("messages:send", {"chat_id": "general", "text": "still me"})
    assert sent["sender"] == alice.username
    online = {p["username"]: p["status"] for p in await bob.ok("presence:list")}
    assert online[alice.username] == "online"
    await bob.sync()
    assert [
        p["status"] for p in bob.received("presence", lambda p: p["username"] == alice.username)
    ] == ["online"]


# unauthorized at connect


# Ways to present a bad token, by name: each takes a registered username and the signing key.
BAD_AUTH: dict[str, Callable[[str, str], Any]] = {
    "no-auth": lambda user, key: None,
    "no-token": lambda user, key: {},
    "empty-token": lambda user, key: {"token": ""},
    "token-not-a-string": lambda user, key: {"token": 12345},
    "garbage": lambda user, key: {"token": "not.a.jwt"},
    "expired": lambda user, key: {"token": issue_token(user, key, timedelta(seconds=-5))},
    "other-key": lambda user, key: {"token": issue_token(user, key + "-other", timedelta(hours=1))},
    "alg-none": lambda user, key: {"token": jwt.encode(claims_for(user), None, algorithm="none")},
    "other-audience": lambda user, key: {
        "token": jwt.encode(claims_for(user, aud="elsewhere"), token_signing_key(key), "HS256")
    },
    "other-issuer": lambda user, key: {
        "token": jwt.encode(claims_for(user, iss="elsewhere"), token_signing_key(key), "HS256")
    },
    "no-expiry": lambda user, key: {
        "token": jwt.encode(claims_for(user, exp=None), token_signing_key(key), "HS256")
    },
    "bad-subject": lambda user, key: {"token": issue_token("Not A User!", key, timedelta(hours=1))},
}


@pytest.mark.parametrize("kind", BAD_AUTH)
async def test_connection_with_a_bad_token_is_refused_unauthorized(
    kind: str, users: Users, settings: Settings, edge_url: str
) -> None:
    auth = BAD_AUTH[kind](await users.register(), settings.signing_key)
    assert await refused_connection(edge_url, auth) == UNAUTHORIZED


async def test_socket_is_disconnected_when_its_token_expires(
    users: Users, settings: Settings, edge_url: str
) -> None:
    username = await users.register()
    # JWT times are whole seconds, so a token for 3 s is valid for 2 to 3 s (one for 1 s
    # could expire before the connect was checked).
    client = ChatClient(
        edge_url, issue_token(username, settings.signing_key, timedelta(seconds=3)), username
    )
    gone = asyncio.Event()
    client.sio.on("disconnect", lambda *_: gone.set())
    await client.connect()
    async with asyncio.timeout(10):
        await gone.wait()
    assert not client.sio.connected


# forbidden and not_found


async def test_commands_on_an_unknown_chat_are_not_found(users: Users) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat = {"chat_id": "no-such-chat"}
    cases = [
        ("chats:join", chat),
        ("chats:leave", chat),
        ("messages:history", chat),
        ("chats:invite", {**chat, "username": bob.username}),
        ("messages:send", {**chat, "text": "hello?"}),
        ("typing", chat),
    ]
    for event, payload in cases:
        assert await alice.refused(event, payload) == "not_found", event


async def test_acting_in_a_chat_one_is_not_a_member_of_is_forbidden(users: Users) -> None:
    alice, bob, carol = await asyncio.gather(users.connect(), users.connect(), users.connect())
    public = await alice.ok("chats:create", {"name": "open"})
    chat = {"chat_id": public["id"]}
    cases = [
        ("messages:send", {**chat, "text": "hi"}),
        ("typing", chat),
        ("chats:invite", {**chat, "username": carol.username}),
    ]
    for event, payload in cases:
        assert await bob.refused(event, payload) == "forbidden", event
    await alice.sync()
    assert alice.received("typing", lambda e: e["chat_id"] == public["id"]) == []
    # Her own joining, when she created it, and nobody else's.
    joins = alice.received("member", lambda e: e["chat_id"] == public["id"])
    assert [e["username"] for e in joins] == [alice.username]


# unavailable


# HTTP: register and login


async def test_register_answers_201_then_409_for_a_taken_name(users: Users) -> None:
    name = unique_name()
    first = await users.http.post("/api/register", json={"username": name, "password": PASSWORD})
    assert (first.status_code, first.json()) == (201, {"username": name})
    again = await users.http.post("/api/register", json={"username": name, "password": PASSWORD})
    assert again.status_code == 409


async def test_register_refuses_bad_names_and_short_passwords_with_422(users: Users) -> None:
    bodies = [
        {"username": "Alice", "password": PASSWORD},
        {"username": "a", "password": PASSWORD},
        {"username": "al.ice", "password": PASSWORD},
        {"username": "x" * 33, "password": PASSWORD},
        {"username": "-alice", "password": PASSWORD},
        {"username": unique_name(), "password": "short12"},
        {"username": unique_name()},
        {"password": PASSWORD},
    ]
    for body in bodies:
        response = await users.http.post("/api/register", json=body)
        assert response.status_code == 422, body


async def test_login_answers_200_with_a_token_or_401(users: Users) -> None:
    name = await users.register()
    ok = await users.http.post("/api/login", json={"username": name, "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["username"] == name and ok.json()["token"]
    for body in (
        {"username": name, "password": "wrong password"},
        {"username": unique_name(), "password": PASSWORD},
    ):
        assert (await users.http.post("/api/login", json=body)).status_code == 401, body
    client = ChatClient(users.url, ok.json()["token"], name)
    await client.connect()
    await client.sio.disconnect()
