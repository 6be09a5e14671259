"""deploy/nats.conf's users and permissions, on a real nats-server loaded with that file.

The edge and the three services run as their own NATS users and chatting works
with no permission violation; an example bot (weatherbot) can act only as
itself and read only the public room it serves; no program can read another's
replies; and no reply subject a bot names makes a service write or publish
anywhere but an inbox.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import nats
import nats.errors
import nats.js.errors
import pytest
from nats.js import JetStreamContext

from services.chats.app import create_chats_service
from services.contracts import (
    CREATE_CHAT,
    JOIN_CHAT,
    LIST_CHATS,
    LIST_PRESENCE,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    SET_STATUS,
    Command,
    storage,
    subjects,
)
from services.core.settings import Settings
from services.messages.app import create_messages_service
from services.ops.embedded_nats import EmbeddedNats
from services.status.app import create_status_service
from services.storage.jetstream import KV_STREAM_PREFIX
from tests.support.clients import PASSWORD, ChatClient, Users
from tests.support.nats_programs import Inbox, NatsProgram, NatsUser
from tests.support.paths import DEPLOY_NATS_CONF
from tests.support.polling import wait_until
from tests.support.serving import running_edge

ROLES = ("edge", "chats", "messages", "status", "weatherbot", "ops", "admin")
BOT = "weatherbot"
BOT_INBOX = "_INBOX_weatherbot"


def password(role: str) -> str:
    return f"test-password-for-{role}"


@pytest.fixture
async def nats_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[EmbeddedNats]:
    """nats-server with deploy/nats.conf included (its users and permissions), on loopback."""
    for role in ROLES:
        monkeypatch.setenv(f"CHATBUS_NATS_{role.upper()}_PASSWORD", password(role))
    server = EmbeddedNats(0, tmp_path / "nats", include=DEPLOY_NATS_CONF, on_line=LOG.append)
    LOG.clear()
    await server.start()
    yield server
    await server.stop()


LOG: list[str] = []


def url_for(server: EmbeddedNats, role: str) -> str:
    return server.url.replace("nats://", f"nats://{role}:{password(role)}@")


def as_role(settings: Settings, server: EmbeddedNats, role: str) -> Settings:
    return settings.model_copy(update={"nats_url": url_for(server, role)})


@pytest.fixture
async def edge_url(nats_server: EmbeddedNats, settings: Settings) -> AsyncIterator[str]:
    """The three services and the edge, each connected as its own NATS user."""
    apps = [
        create_chats_service(as_role(settings, nats_server, "chats")),
        create_messages_service(as_role(settings, nats_server, "messages")),
        create_status_service(as_role(settings, nats_server, "status")),
    ]
    async with contextlib.AsyncExitStack() as stack:
        for app in apps:
            await stack.enter_async_context(app)
        async with running_edge(as_role(settings, nats_server, "edge")) as url:
            yield url


class Program(NatsProgram):
    """A program's own connection, by default with weatherbot's inbox prefix."""

    async def connect(self, url: str, inbox_prefix: str = BOT_INBOX) -> None:
        await super().connect(url, inbox_prefix)


Bot = Program


@pytest.fixture
async def bot(nats_server: EmbeddedNats, users: Users) -> AsyncIterator[Bot]:
    """weatherbot, registered over HTTP, connected as its NATS user, a member of general."""
    await users.register(BOT)
    robot = Bot()
    await robot.connect(url_for(nats_server, BOT))
    joined = await NatsUser(robot.nc, BOT).call(JOIN_CHAT, {"chat_id": "general"})
    assert joined["ok"] is True, joined
    yield robot
    await robot.nc.close()


async def general_member(users: Users) -> ChatClient:
    client = await users.connect()
    await client.ok("chats:join", {"chat_id": "general"})
    return client


def violations_by(*roles: str) -> list[str]:
    return [
        line for line in LOG if "Violation" in line and any(f'user:{r}"' in line for r in roles)
    ]


async def test_chatting_works_with_every_program_as_its_own_user(users: Users) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat = await alice.ok("chats:create", {"name": "secured", "private": True})
    await alice.ok("chats:invite", {"chat_id": chat["id"], "username": bob.username})
    await bob.ok("chats:join", {"chat_id": chat["id"]})
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "hello bob"})
    await bob.wait_for("message", lambda m: m["id"] == sent["id"])
    page = await bob.ok("messages:history", {"chat_id": chat["id"], "after": 0})
    assert [m["text"] for m in page["messages"]] == ["hello bob"]
    await alice.ok("typing", {"chat_id": chat["id"]})
    await bob.wait_for("typing", lambda t: t["username"] == alice.username)
    await alice.ok("status:set", {"status": "busy"})
    await bob.wait_for(
        "presence", lambda p: p["username"] == alice.username and p["status"] == "busy"
    )
    assert violations_by(*ROLES[:4]) == []


async def test_messages_that_live_work_with_every_program_as_its_own_user(users: Users) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat = await alice.ok("chats:create", {"name": "living"})
    chat_id = chat["id"]
    await bob.ok("chats:join", {"chat_id": chat_id})
    sent = await alice.ok("messages:send", {"chat_id": chat_id, "text": f"@{bob.username} hi"})
    await bob.wait_for("mention", lambda m: m["seq"] == sent["seq"])
    seq = sent["seq"]
    await alice.ok("messages:edit", {"chat_id": chat_id, "seq": seq, "text": "hi there"})
    react = {"chat_id": chat_id, "seq": seq, "emoji": "👍", "on": True}
    await bob.ok("messages:react", react)
    await bob.ok("messages:react", {**react, "on": False})
    await bob.ok("messages:send", {"chat_id": chat_id, "text": "reply", "reply_to": seq})
    thread = await alice.ok("messages:thread", {"chat_id": chat_id, "root": seq})
    assert [m["text"] for m in thread["messages"]] == ["reply"]
    assert len((await bob.ok("mentions:list", {}))["mentions"]) == 1
    page = await alice.ok("messages:history", {"chat_id": chat_id, "revisions": True})
    assert page["revisions"][0]["seq"] == seq
    await alice.ok("messages:delete", {"chat_id": chat_id, "seq": seq})
    await bob.wait_for("message_changed", lambda m: m["seq"] == seq and m["deleted"])
    assert violations_by(*ROLES[:4]) == []


async def test_a_password_change_disconnects_other_sockets_with_every_program_as_its_own_user(
    users: Users, edge_url: str
) -> None:
    alice = await users.register()
    used, other = await users.token(alice), await users.token(alice)
    dropped = ChatClient(edge_url, other, alice)
    gone = asyncio.Event()
    dropped.sio.on("disconnect", lambda *_: gone.set())
    await dropped.connect()
    response = await users.http.post(
        "/api/password",
        json={"old_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers={"Authorization": f"Bearer {used}"},
    )
    assert response.status_code == 204, response.text
    async with asyncio.timeout(10):
        await gone.wait()
    assert violations_by(*ROLES[:4]) == []


async def test_bot_acts_as_itself_and_never_as_someone_else(users: Users, bot: Bot) -> None:
    alice = await general_member(users)
    reply = await NatsUser(bot.nc, BOT).call(SEND_MESSAGE, {"chat_id": "general", "text": "sunny"})
    assert reply["ok"] is True, reply
    heard = await alice.wait_for("message", lambda m: m["text"] == "sunny")
    assert (heard["sender"], heard["via"]) == (BOT, "nats")

    # Refused by nats-server, so no service hears it, and the request would get no answer.
    forged = subjects.command(alice.username, "messages", "send")
    await bot.nc.publish(
        forged,
        json.dumps({"chat_id": "general", "text": "forged"}).encode(),
        reply=bot.nc.new_inbox(),
    )
    await bot.violation("publish", forged)
    await alice.sync()
    assert alice.received("message", lambda m: m["text"] == "forged") == []
    assert bot.nc.is_connected
    # Only the bot overstepped: the edge and the services stayed within their rights.
    assert violations_by(*ROLES[:4]) == []


@pytest.mark.parametrize(
    "subject",
    [
        subjects.CONNECTION_OPENED,
        subjects.CONNECTION_CLOSED,
        subjects.EDGE_HEARTBEAT,
        subjects.REGISTER_USER,
        subjects.LOGIN,
        subjects.stored_message("general", 1),
        f"$KV.{storage.USERS_BUCKET}.mallory",
        f"$JS.API.STREAM.INFO.{storage.MESSAGES_STREAM}",
        f"$JS.API.DIRECT.GET.{storage.MESSAGES_STREAM}",
    ],
)
async def test_bot_cannot_publish_internal_subjects(bot: Bot, subject: str) -> None:
    await bot.nc.publish(subject, b"{}")
    await bot.violation("publish", subject)


@pytest.mark.parametrize(
    "subject",
    [
        subjects.ALL_STORED_MESSAGES,
        f"$KV.{storage.CHATS_BUCKET}.>",
        "$JS.API.>",
        subjects.ALL_ROOM_EVENTS,
        subjects.ALL_PRESENCE,
        "chat.auth.*",
        "chat.conn.*",
        "_INBOX.>",
        subjects.ALL_COMMANDS,
    ],
)
async def test_bot_cannot_subscribe_beyond_its_room_and_inbox(bot: Bot, subject: str) -> None:
    await bot.nc.subscribe(subject)
    await bot.violation("subscription", subject)


async def test_bot_cannot_use_the_jetstream_api(bot: Bot) -> None:
    # What the JetStream client would send to read a stream's or a bucket's state.
    for stream in (storage.MESSAGES_STREAM, f"{KV_STREAM_PREFIX}{storage.USERS_BUCKET}"):
        info = f"$JS.API.STREAM.INFO.{stream}"
        await bot.nc.publish(info, b"", reply=bot.nc.new_inbox())
        await bot.violation("publish", info)


async def test_bot_cannot_overhear_a_private_room(users: Users, bot: Bot) -> None:
    alice = await general_member(users)
    private = await alice.ok("chats:create", {"name": "secret", "private": True})
    private_room = f"chat.room.{private['id']}.>"
    everything = await Inbox.listen(bot.nc, private_room)
    await bot.violation("subscription", private_room)
    general = await Inbox.listen(bot.nc, "chat.room.general.>")

    await alice.ok("messages:send", {"chat_id": private["id"], "text": "for my eyes only"})
    marker = await alice.ok("messages:send", {"chat_id": "general", "text": "after the secret"})
    # Events reach a subscriber in the order the server got them: once the general
    # message is in, the private one would have been too.
    await general.wait_for(lambda m: m.get("id") == marker["id"])
    assert everything.items == []
    assert [m for m in general.items if m.get("text") == "for my eyes only"] == []
    # And the bot cannot ask for that history as itself.
    reply = await NatsUser(bot.nc, BOT).call(
        MESSAGE_HISTORY, {"chat_id": private["id"], "after": 0}
    )
    assert reply["ok"] is False and reply["error"]["code"] == "forbidden", reply


@pytest.mark.parametrize(
    ("user", "others"),
    [
        ("ops", ["_INBOX.>", "_INBOX_edge.>", "_INBOX_chats.>", "_INBOX_weatherbot.>"]),
        ("edge", ["_INBOX.>", "_INBOX_ops.>", "_INBOX_messages.>", "_INBOX_admin.>"]),
        ("messages", ["_INBOX.>", "_INBOX_edge.>", "_INBOX_status.>"]),
    ],
)
async def test_no_program_can_read_another_programs_replies(
    nats_server: EmbeddedNats, user: str, others: list[str]
) -> None:
    program = Program()
    await program.connect(url_for(nats_server, user), inbox_prefix=subjects.inbox_prefix(user))
    try:
        own = await Inbox.listen(program.nc, subjects.inbox_of(user))
        for inbox in others:
            await program.nc.subscribe(inbox)
            await program.violation("subscription", inbox)
        # Its own prefix works: the server answers it there.
        await program.nc.publish("$JS.API.INFO", b"", reply=f"{subjects.inbox_prefix(user)}.x")
        if user == "edge":  # the edge may not use the JetStream API at all
            await program.violation("publish", "$JS.API.INFO")
        else:
            await own.wait_for()
        assert program.nc.is_connected
    finally:
        await program.nc.close()


class Logged(logging.Handler):
    """The lines a logger writes, to wait for."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def refusals() -> Iterator[Logged]:
    logged = Logged()
    logger = logging.getLogger("chatbus.commands")
    logger.addHandler(logged)
    yield logged
    logger.removeHandler(logged)


async def stored_state(js: JetStreamContext) -> dict[str, tuple[int, int]]:
    """Every stream's and bucket's (messages, last sequence)."""
    return {
        info.config.name or "": (info.state.messages, info.state.last_seq)
        for info in await js.streams_info()
    }


async def next_seq(js: JetStreamContext, chat_id: str) -> int:
    try:
        newest = await js.get_last_msg(storage.MESSAGES_STREAM, subjects.stored_messages(chat_id))
    except nats.js.errors.NotFoundError:
        return 1
    return int((newest.subject or "").rsplit(".", 1)[1]) + 1


# Per service: a command with a side effect, and a read-only one of the same service whose
# answer (on the same connection, so after anything it published before) marks the end.
FORGED_COMMANDS = [
    (CREATE_CHAT, {"name": "forged"}, LIST_CHATS, {}),
    (
        SEND_MESSAGE,
        {"chat_id": "general", "text": "forged"},
        MESSAGE_HISTORY,
        {"chat_id": "general"},
    ),
    (LIST_PRESENCE, {}, LIST_PRESENCE, {}),
    (SET_STATUS, {"status": "busy"}, LIST_PRESENCE, {}),
]


@pytest.mark.parametrize(
    ("command", "payload", "round_trip", "round_trip_payload"),
    FORGED_COMMANDS,
    ids=["chats", "messages", "status-list", "status-set"],
)
async def test_a_bots_forged_reply_subject_makes_no_service_write_or_publish(
    nats_server: EmbeddedNats,
    users: Users,
    bot: Bot,
    refusals: Logged,
    command: Command,
    payload: dict[str, Any],
    round_trip: Command,
    round_trip_payload: dict[str, Any],
) -> None:
    alice = await general_member(users)
    await alice.ok("messages:send", {"chat_id": "general", "text": "before"})
    admin = await nats.connect(url_for(nats_server, "admin"), inbox_prefix="_INBOX_admin")
    try:
        js = admin.jetstream()
        targets = [
            f"$KV.{storage.USERS_BUCKET}.{alice.username}",
            f"$KV.{storage.CHATS_BUCKET}.general",
            f"$JS.API.STREAM.PURGE.{storage.MESSAGES_STREAM}",
            "$O.files.C.forged",
            subjects.stored_message("general", await next_seq(js, "general")),
            subjects.room_event("general", "message"),
            f"chat.user.{alice.username}.chat",
        ]
        heard = [await Inbox.listen(admin, target) for target in targets]
        before = await stored_state(js)
        subject = command.subject_for(BOT)
        for target in targets:
            await bot.nc.publish(subject, json.dumps(payload).encode(), reply=target)
        await bot.nc.flush()

        async def all_refused_or_something_heard() -> bool:
            refused = [t for t in targets if any(repr(t) in line for line in refusals.lines)]
            return len(refused) == len(targets) or any(inbox.items for inbox in heard)

        await wait_until(all_refused_or_something_heard)
        await NatsUser(bot.nc, BOT).call(round_trip, round_trip_payload)
        await admin.flush()
        assert {
            t: inbox.items for t, inbox in zip(targets, heard, strict=True) if inbox.items
        } == {}
        assert await stored_state(js) == before
        for target in targets:
            lines = [line for line in refusals.lines if repr(target) in line]
            assert lines == [
                f"refused a command on {subject}: its reply subject {target!r} is not an inbox"
            ]
    finally:
        await admin.close()
    page = await alice.ok("messages:history", {"chat_id": "general", "after": 0})
    assert [m["text"] for m in page["messages"]] == ["before"]
    assert violations_by("chats", "messages", "status") == []


FLOOD = 1000


async def test_a_flood_of_forged_reply_subjects_writes_nothing_and_logs_within_a_budget(
    nats_server: EmbeddedNats, users: Users, bot: Bot, refusals: Logged
) -> None:
    alice = await general_member(users)
    admin = await nats.connect(url_for(nats_server, "admin"), inbox_prefix="_INBOX_admin")
    try:
        js = admin.jetstream()
        heard = [
            await Inbox.listen(admin, pattern)
            for pattern in (
                "$KV.>",
                "$JS.API.STREAM.PURGE.>",
                "$O.>",
                "chat.store.>",
                "chat.user.>",
            )
        ]
        before = await stored_state(js)
        kinds = [
            f"$KV.{storage.USERS_BUCKET}.{alice.username}",
            f"$KV.{storage.CHATS_BUCKET}.general",
            f"$JS.API.STREAM.PURGE.{storage.MESSAGES_STREAM}",
            "$O.files.C.forged",
            "chat.store.general.{n}",
            f"chat.user.{alice.username}.chat",
        ]
        subject = LIST_PRESENCE.subject_for(BOT)
        for n in range(FLOOD):
            target = kinds[n % len(kinds)].replace("{n}", str(n + 2))
            await bot.nc.publish(subject, b"{}", reply=target)
        # Taken in order by the same subscriber, after every forged one.
        assert (await NatsUser(bot.nc, BOT).call(LIST_PRESENCE))["ok"] is True
        await admin.flush()
        stored = await stored_state(js)
    finally:
        await admin.close()
    forged_lines = [line for line in refusals.lines if "is not an inbox" in line]
    print(
        f"\n{FLOOD} forged reply subjects: {sum(len(i.items) for i in heard)} heard, "
        f"{sum(1 for name in stored if stored[name] != before.get(name))} stores changed, "
        f"{len(forged_lines)} log lines"
    )
    assert [inbox.items for inbox in heard] == [[]] * len(heard)
    assert stored == before
    assert len(forged_lines) == 10
