"""Programs on NATS (bots, scripts) use the same subjects and rules as the edge.

The acting user is the subject's ``<username>`` token; messages that came
straight from NATS say ``via: "nats"``; malformed input is answered, never fatal.
"""

import io
import json
from typing import Any

import nats
import nats.errors
import pytest
import pytest_asyncio
from nats.aio.client import Client

from services.contracts import (
    BROWSE_CHATS,
    COMMANDS,
    CREATE_CHAT,
    GET_CHAT,
    JOIN_CHAT,
    LEAVE_CHAT,
    LIST_CHATS,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    SET_STATUS,
    TYPING,
    Command,
    storage,
    subjects,
)
from services.core.identity import edge_proof
from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats
from services.ops.workspace_admins import set_role
from tests.support.clients import ChatClient, Users
from tests.support.nats_programs import Inbox, NatsUser, error_code, request_raw
from tests.support.polling import wait_until
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    module_settings,
    shared_edge_url,
    shared_nats_server,
    shared_nc,
    shared_services,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP

GENERAL = "general"


@pytest.fixture(scope="module", name="settings")
def settings_without_typing_budget(
    nats_server: EmbeddedNats, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The module's settings without the typing budget: one bot sends a dozen malformed
    typing notices in a row here, and that budget has its own tests."""
    shared = module_settings(nats_server, tmp_path_factory)
    return shared.model_copy(update={"typing_rate_per_second": 0})


@pytest_asyncio.fixture(loop_scope="module")
async def bot(users: Users, nc: Client) -> NatsUser:
    """A user registered over HTTP who then speaks NATS only, a member of "general"."""
    bot = NatsUser(nc, await users.register())
    await bot.ok(JOIN_CHAT, {"chat_id": GENERAL})
    return bot


async def newest_in_general(user: NatsUser) -> int:
    """The seq of the newest message in general, which the module's other tests post in."""
    return int((await user.ok(GET_CHAT, {"chat_id": GENERAL}))["last_seq"])


async def member_of_general(users: Users) -> ChatClient:
    client = await users.connect()
    await client.ok("chats:join", {"chat_id": GENERAL})
    return client


async def test_message_posted_over_nats_is_stored_as_via_nats_and_reaches_members(
    users: Users, bot: NatsUser
) -> None:
    alice = await member_of_general(users)
    newest = await newest_in_general(bot)
    sent = await bot.ok(SEND_MESSAGE, {"chat_id": GENERAL, "text": "beep <b>boop</b>"})
    assert sent["sender"] == bot.username and sent["via"] == "nats"
    assert sent["text"] == "beep <b>boop</b>" and sent["seq"] == newest + 1
    assert await alice.wait_for("message", lambda m: m["id"] == sent["id"]) == sent


@pytest.mark.parametrize(
    ("command", "payload"),
    [
        (SEND_MESSAGE, {"chat_id": GENERAL, "text": "hi", "sender": "alice"}),
        (SEND_MESSAGE, {"chat_id": GENERAL, "text": "hi", "username": "alice"}),
        (CREATE_CHAT, {"name": "mine", "owner": "alice"}),
        (SET_STATUS, {"status": "away", "username": "alice"}),
    ],
    ids=["send-as-sender", "send-as-username", "create-with-owner", "status-for-username"],
)
async def test_a_payload_cannot_name_the_acting_user(
    bot: NatsUser, command: Command, payload: dict[str, Any]
) -> None:
    assert error_code(await bot.call(command, payload)) == "invalid"


async def test_the_subjects_username_is_the_acting_user(users: Users, nc: Client) -> None:
    # In production NATS permissions stop a program publishing under another user's name.
    alice = await member_of_general(users)
    as_alice = NatsUser(nc, alice.username)
    sent = await as_alice.ok(SEND_MESSAGE, {"chat_id": GENERAL, "text": "who am i"})
    assert sent["sender"] == alice.username and sent["via"] == "nats"


@pytest.mark.parametrize("proof", ["forged", "", edge_proof("not-the-signing-key")])
async def test_a_forged_edge_header_still_marks_the_message_as_via_nats(
    bot: NatsUser, settings: Settings, proof: str
) -> None:
    payload = {"chat_id": GENERAL, "text": "i am the edge"}
    body = json.dumps(payload).encode()
    subject = SEND_MESSAGE.subject_for(bot.username)
    forged = await request_raw(bot.nc, subject, body, {storage.EDGE_PROOF_HEADER: proof})
    assert forged["ok"] and forged["data"]["via"] == "nats", forged
    # The control: the real proof, which only the edge can compute, does mark it `web`.
    genuine = {storage.EDGE_PROOF_HEADER: edge_proof(settings.signing_key)}
    assert (await request_raw(bot.nc, subject, body, genuine))["data"]["via"] == "web"


async def test_an_unregistered_name_cannot_create_join_post_or_set_a_status(
    users: Users, nc: Client
) -> None:
    ghost = NatsUser(nc, "ghost-never-registered")
    assert error_code(await ghost.call(CREATE_CHAT, {"name": "haunt"})) == "unauthorized"
    assert error_code(await ghost.call(JOIN_CHAT, {"chat_id": GENERAL})) == "unauthorized"
    assert error_code(await ghost.call(SEND_MESSAGE, {"chat_id": GENERAL, "text": "boo"})) in {
        "unauthorized",
        "forbidden",
    }
    assert error_code(await ghost.call(SET_STATUS, {"status": "busy"})) == "unauthorized"
    alice = await users.connect()
    found = await alice.ok("chats:browse", {"query": "haunt"})
    assert found["chats"] == []
    members = await alice.ok("chats:members", {"chat_id": GENERAL})
    assert all(m["username"] != "ghost-never-registered" for m in members["members"])


@pytest.mark.parametrize("proof", [None, "forged", edge_proof("not-the-signing-key")])
async def test_only_the_edge_may_log_in_register_or_open_connections(
    users: Users, nc: Client, settings: Settings, proof: str | None
) -> None:
    # Otherwise a bot could mark anyone online, or try passwords with a made-up client
    # address and so get round the per-address login throttle.
    victim = await users.register()
    headers = None if proof is None else {storage.EDGE_PROOF_HEADER: proof}
    attempts = {
        subjects.LOGIN: {"username": victim, "password": "a guess at it", "address": "10.0.0.1"},
        subjects.REGISTER_USER: {
            "username": "squatter",
            "password": "long enough",
            "address": "10.0.0.1",
        },
        subjects.CONNECTION_OPENED: {"edge_id": "e1", "connection_id": "c1", "username": victim},
        subjects.CONNECTION_CLOSED: {"edge_id": "e1", "connection_id": "c1", "username": victim},
    }
    for subject, payload in attempts.items():
        reply = await request_raw(nc, subject, json.dumps(payload).encode(), headers)
        assert error_code(reply) == "forbidden", (subject, reply)
    watcher = await users.connect()
    assert victim not in {p["username"] for p in await watcher.ok("presence:list")}
    # The control: the same login with the edge's proof is judged on the password.
    genuine = {storage.EDGE_PROOF_HEADER: edge_proof(settings.signing_key)}
    login = json.dumps(attempts[subjects.LOGIN]).encode()
    assert error_code(await request_raw(nc, subjects.LOGIN, login, genuine)) == "unauthorized"


# Malformed input, command by command.

NOT_AN_OBJECT: dict[str, bytes] = {
    "not json": b"hello there",
    "not utf-8": b"\xc3\x28{",
    "json array": b'["general"]',
    "json string": b'"general"',
    "json number": b"42",
    "json null": b"null",
    "truncated": b'{"chat_id": "gen',
    "deeply nested": b"[" * 50_000,
    "unknown field": b'{"sender": "alice"}',
}
WRONG_FIELDS: dict[str, list[dict[str, Any]]] = {
    "chats:list": [{"all": True}],
    "chats:browse": [{"limit": 0}, {"after": "a b"}, {"query": ["x"]}],
    "chats:get": [{}, {"chat_id": "*"}],
    "chats:members": [{}, {"chat_id": GENERAL, "limit": 1000}, {"chat_id": GENERAL, "after": "X"}],
    "chats:create": [
        {},
        {"name": 5},
        {"name": " "},
        {"name": "x", "private": "yes"},
        {"name": "x", "members": ["Not Valid"]},
    ],
    "chats:join": [{}, {"chat_id": 7}, {"chat_id": "a.b"}, {"chat_id": "x" * 65}],
    "chats:leave": [{}, {"chat_id": None}, {"chat_id": "*"}],
    "chats:invite": [{}, {"chat_id": GENERAL}, {"chat_id": GENERAL, "username": "Bad Name"}],
    "messages:send": [
        {},
        {"chat_id": GENERAL},
        {"chat_id": GENERAL, "text": ""},
        {"chat_id": GENERAL, "text": "   "},
        {"chat_id": GENERAL, "text": ["hi"]},
        {"chat_id": GENERAL, "text": "hi", "client_id": "no spaces please"},
    ],
    "messages:history": [
        {},
        {"chat_id": GENERAL, "limit": 1000},
        {"chat_id": GENERAL, "after": "3"},
        {"chat_id": GENERAL, "before": 0},
    ],
    "messages:thread": [{}, {"chat_id": GENERAL}, {"chat_id": GENERAL, "root": 0}],
    "messages:edit": [
        {},
        {"chat_id": GENERAL, "seq": 1},
        {"chat_id": GENERAL, "seq": 1, "text": " "},
        {"chat_id": GENERAL, "seq": "1", "text": "x"},
    ],
    "messages:delete": [{}, {"chat_id": GENERAL}, {"chat_id": GENERAL, "seq": -1}],
    "messages:react": [
        {},
        {"chat_id": GENERAL, "seq": 1, "emoji": "👍"},
        {"chat_id": GENERAL, "seq": 1, "emoji": "no", "on": True},
        {"chat_id": GENERAL, "seq": 1, "emoji": "👍" * 5, "on": True},
    ],
    "mentions:list": [{"limit": 0}, {"before": "x"}, {"before": 5}],
    "typing": [{}, {"chat_id": ""}, {"chat_id": GENERAL, "until": 5}],
    "status:set": [{}, {"status": "offline"}, {"status": "sleeping"}, {"status": True}],
    "presence:list": [{"status": "online"}],
    "chats:update": [{"chat_id": GENERAL}, {"chat_id": GENERAL, "name": " "}],
    "chats:kick": [{"chat_id": GENERAL}, {"chat_id": GENERAL, "username": "Bad Name"}],
    "chats:set_role": [{"chat_id": GENERAL, "username": "bob", "role": "owner"}],
    "chats:open_dm": [{}, {"username": "Bad Name"}],
    "chats:pin": [{"chat_id": GENERAL, "seq": 0, "pinned": True}, {"chat_id": GENERAL, "seq": 1}],
    "chats:mute": [{"chat_id": GENERAL}, {"chat_id": GENERAL, "muted": "yes"}],
    "reads:mark": [{"chat_id": GENERAL}, {"chat_id": GENERAL, "seq": "3"}],
    "users:get": [{}, {"username": "Bad Name"}],
    "users:search": [{}, {"query": ""}, {"query": "x", "limit": 0}],
    "users:update": [{}, {"about": ["x"]}],
    "users:deactivate": [{"username": "bob"}, {"username": "bob", "deactivated": 1}],
}
HUGE_TEXTS = {"4001 characters": "x" * 4001, "half a megabyte": "y" * 500_000}
BAD_SUBJECT_USERNAMES = ["BadUser", "-bot", "x", "b" * 33, "bot!"]
NEEDS_FIELDS = {
    "chats:get",
    "chats:members",
    "chats:create",
    "chats:join",
    "chats:leave",
    "chats:invite",
    "messages:send",
    "messages:history",
    "messages:thread",
    "messages:edit",
    "messages:delete",
    "messages:react",
    "typing",
    "status:set",
}
# The commands whose good request names a message of the bot's own.
ON_A_MESSAGE = {"messages:thread", "messages:edit", "messages:delete", "messages:react"}


def good_payload(command: Command, friend: str, seq: int = 1) -> dict[str, Any]:
    """A well-formed request; one that succeeds for a registered member of "general"
    (``seq``: a message they sent there), but for those ``good_request`` prepares."""
    return {
        "chats:list": {},
        "chats:browse": {},
        "chats:get": {"chat_id": GENERAL},
        "chats:members": {"chat_id": GENERAL},
        "chats:create": {"name": "still fine"},
        "chats:join": {"chat_id": GENERAL},
        "chats:leave": {"chat_id": GENERAL},
        "chats:invite": {"chat_id": GENERAL, "username": friend},
        "messages:send": {"chat_id": GENERAL, "text": "still here"},
        "messages:history": {"chat_id": GENERAL},
        "messages:thread": {"chat_id": GENERAL, "root": seq},
        "messages:edit": {"chat_id": GENERAL, "seq": seq, "text": "edited"},
        "messages:delete": {"chat_id": GENERAL, "seq": seq},
        "messages:react": {"chat_id": GENERAL, "seq": seq, "emoji": "👍", "on": True},
        "mentions:list": {},
        "typing": {"chat_id": GENERAL},
        "status:set": {"status": "away"},
        "presence:list": {},
        "chats:open_dm": {"username": friend},
        "chats:mute": {"chat_id": GENERAL, "muted": True},
        "reads:mark": {"chat_id": GENERAL, "seq": 0},
        "users:get": {"username": friend},
        "users:search": {"query": friend},
        "users:update": {"about": "a bot"},
        # Well formed, and refused to a plain member of general (see good_request).
        "chats:update": {"chat_id": GENERAL, "topic": "mine"},
        "chats:kick": {"chat_id": GENERAL, "username": friend},
        "chats:set_role": {"chat_id": GENERAL, "username": friend, "role": "admin"},
        "chats:pin": {"chat_id": GENERAL, "seq": 1, "pinned": True},
        "users:deactivate": {"username": friend, "deactivated": False},
    }[command.event]


async def good_request(
    command: Command, bot: NatsUser, friend: str, settings: Settings
) -> dict[str, Any]:
    """``good_payload``, or for what needs more than general: a message of the bot's own, a
    chat the bot owns (with a message and ``friend`` in it), or the bot made a workspace
    admin."""
    if command.event == "users:deactivate":
        await set_role(settings, bot.username, "admin", io.StringIO())
        return {"username": friend, "deactivated": False}
    if command.event in ON_A_MESSAGE:
        sent = await bot.ok(SEND_MESSAGE, {"chat_id": GENERAL, "text": "mine"})
        return good_payload(command, friend, sent["seq"])
    if command.event not in {"chats:update", "chats:kick", "chats:set_role", "chats:pin"}:
        return good_payload(command, friend)
    chat = await bot.ok(CREATE_CHAT, {"name": "the bot's", "members": [friend]})
    await bot.ok(SEND_MESSAGE, {"chat_id": chat["id"], "text": "to pin"})
    return {
        "chats:update": {"chat_id": chat["id"], "topic": "still fine"},
        "chats:kick": {"chat_id": chat["id"], "username": friend},
        "chats:set_role": {"chat_id": chat["id"], "username": friend, "role": "admin"},
        "chats:pin": {"chat_id": chat["id"], "seq": 1, "pinned": True},
    }[command.event]


def bad_requests(command: Command, username: str) -> dict[str, tuple[str, bytes]]:
    """Every malformed request for ``command``: label -> (subject, body)."""
    subject = command.subject_for(username)
    bad = {label: (subject, body) for label, body in NOT_AN_OBJECT.items()}
    for index, payload in enumerate(WRONG_FIELDS[command.event]):
        bad[f"fields #{index} {payload}"[:60]] = (subject, json.dumps(payload).encode())
    if command.event in NEEDS_FIELDS:
        bad["empty body"] = (subject, b"")
    if command is SEND_MESSAGE:
        for label, text in HUGE_TEXTS.items():
            bad[label] = (subject, json.dumps({"chat_id": GENERAL, "text": text}).encode())
    valid = json.dumps(good_payload(command, "someone")).encode()
    for name in BAD_SUBJECT_USERNAMES:
        bad[f"subject user {name!r}"] = (command.subject_for(name), valid)
    return bad


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.event)
async def test_malformed_requests_are_answered_invalid_and_good_ones_still_work(
    users: Users, bot: NatsUser, command: Command, settings: Settings
) -> None:
    answers = {}
    for label, (subject, body) in bad_requests(command, bot.username).items():
        answers[label] = error_code(await request_raw(bot.nc, subject, body))
    # Oversize text may be told apart as too_large; everything else is invalid.
    expected = {
        label: "too_large" if label in HUGE_TEXTS and code == "too_large" else "invalid"
        for label, code in answers.items()
    }
    assert answers == expected
    friend = await users.register()
    request = await good_request(command, bot, friend, settings)
    assert (await bot.call(command, request))["ok"] is True


async def test_a_username_token_with_a_dot_or_an_unknown_verb_reaches_no_handler(
    bot: NatsUser,
) -> None:
    for subject in [
        "chat.cmd.Bad.User.chats.list",
        f"chat.cmd.{bot.username}.chats.delete",
        f"chat.cmd.{bot.username}.messages",
    ]:
        with pytest.raises(nats.errors.NoRespondersError):
            await bot.nc.request(subject, b"{}", timeout=2)
    assert (await bot.call(LIST_CHATS))["ok"] is True


async def test_malformed_messages_without_a_reply_subject_are_dropped_and_handlers_keep_working(
    bot: NatsUser,
) -> None:
    newest = await newest_in_general(bot)
    for command in COMMANDS:
        for body in [b"garbage", b"[]", b'{"sender": "x"}', b"[" * 50_000]:
            await bot.nc.publish(command.subject_for(bot.username), body)
    await bot.nc.publish(subjects.CONNECTION_OPENED, b"{}")
    await bot.nc.publish(subjects.EDGE_HEARTBEAT, b"not json")
    await bot.nc.flush()
    sent = await bot.ok(SEND_MESSAGE, {"chat_id": GENERAL, "text": "after the junk"})
    history = await bot.ok(MESSAGE_HISTORY, {"chat_id": GENERAL, "after": newest})
    assert [message["id"] for message in history["messages"]] == [sent["id"]]
    assert (await bot.call(SET_STATUS, {"status": "busy"}))["ok"] is True
    assert (await bot.call(TYPING, {"chat_id": GENERAL}))["ok"] is True


# Events on NATS.


async def test_room_subscribers_see_every_message_once_it_is_stored(
    users: Users, bot: NatsUser
) -> None:
    room = await Inbox.listen(bot.nc, subjects.room_event(GENERAL, "message"))
    newest = await newest_in_general(bot)
    alice = await member_of_general(users)
    from_web = await alice.ok("messages:send", {"chat_id": GENERAL, "text": "from the web"})
    from_nats = await bot.ok(SEND_MESSAGE, {"chat_id": GENERAL, "text": "from nats"})
    await room.wait_for(lambda m: m["id"] == from_nats["id"])
    assert room.items == [from_web, from_nats]
    assert [m["via"] for m in room.items] == ["web", "nats"]
    stored = await bot.ok(MESSAGE_HISTORY, {"chat_id": GENERAL, "after": newest})
    assert stored == {
        "messages": [from_web, from_nats],
        "more": False,
        "truncated": False,
        "revisions": None,
    }


async def test_presence_changes_are_published_per_user(users: Users, nc: Client) -> None:
    presence = await Inbox.listen(nc, subjects.ALL_PRESENCE)
    alice = await users.connect()
    online = await presence.wait_for(lambda p: p["username"] == alice.username)
    assert online["status"] == "online"
    await alice.ok("status:set", {"status": "busy"})
    await alice.sio.disconnect()
    await presence.wait_for(lambda p: p["username"] == alice.username and p["status"] == "offline")
    mine = [
        (subject, item["status"])
        for subject, item in zip(presence.subjects, presence.items, strict=True)
        if item["username"] == alice.username
    ]
    assert mine == [
        (subjects.presence(alice.username), status) for status in ["online", "busy", "offline"]
    ]


async def test_typing_and_leaving_over_nats_reach_socket_clients(
    users: Users, bot: NatsUser
) -> None:
    alice = await users.connect()
    chat = await alice.ok("chats:create", {"name": "bots welcome", "private": True})
    await alice.ok("chats:invite", {"chat_id": chat["id"], "username": bot.username})
    await bot.ok(TYPING, {"chat_id": chat["id"]})
    typing = await alice.wait_for("typing", lambda t: t["username"] == bot.username)
    assert typing["chat_id"] == chat["id"]
    await bot.ok(LEAVE_CHAT, {"chat_id": chat["id"]})
    left = await alice.wait_for(
        "member", lambda m: m["username"] == bot.username and m["action"] == "left"
    )
    assert left["chat_id"] == chat["id"]


async def test_a_bot_registered_over_http_answers_a_question_asked_in_the_browser(
    users: Users, nc: Client
) -> None:
    weatherbot = NatsUser(nc, await users.register("weatherbot"))
    await weatherbot.ok(JOIN_CHAT, {"chat_id": GENERAL})
    questions = await Inbox.listen(nc, subjects.room_event(GENERAL, "message"))
    alice = await member_of_general(users)

    asked = await alice.ok("messages:send", {"chat_id": GENERAL, "text": "weather today?"})
    heard = await questions.wait_for(lambda m: m["sender"] == alice.username)
    answer = await weatherbot.ok(
        SEND_MESSAGE, {"chat_id": heard["chat_id"], "text": f"@{heard['sender']}: sunny"}
    )

    received = await alice.wait_for("message", lambda m: m["sender"] == "weatherbot")
    assert received == answer
    assert received["text"] == f"@{alice.username}: sunny" and received["via"] == "nats"
    assert received["seq"] == asked["seq"] + 1


async def test_a_chat_stored_by_another_program_as_junk_is_left_out_of_every_list(
    users: Users, bot: NatsUser, nc: Client
) -> None:
    # One undecodable record in the bucket must not fail every chats:list (and so every
    # connect) with an internal error.
    chats = await nc.jetstream().key_value(storage.CHATS_BUCKET)
    await chats.put("junk", b"{not a chat")
    # A good record written after it: once it is listed, the junk has reached the copy.
    late = json.loads((await chats.get(GENERAL)).value or b"") | {"id": "late", "name": "late"}
    await chats.put("late", json.dumps(late).encode())

    async def listed_without_junk() -> bool:
        ids = {chat["id"] for chat in (await bot.ok(BROWSE_CHATS, {}))["chats"]}
        assert "junk" not in ids
        return "late" in ids

    await wait_until(listed_without_junk, timeout=5)
    alice = await users.connect()
    await alice.ok("chats:join", {"chat_id": "late"})
    ids = {chat["id"] for chat in await alice.ok("chats:list", {})}
    assert ids == {"late"}
