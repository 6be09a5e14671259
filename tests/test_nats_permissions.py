"""deploy/nats.conf's users and permissions, on a real nats-server loaded with that file.

The edge and the three services run as their own NATS users and chatting works
with no permission violation; an example bot (weatherbot) can act only as
itself and read only the public room it serves.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.aio.client import Client

from services.chats.app import create_chats_service
from services.contracts import (
    JOIN_CHAT,
    MESSAGE_HISTORY,
    SEND_MESSAGE,
    storage,
    subjects,
)
from services.messages.app import create_messages_service
from services.natsserver import EmbeddedNats
from services.settings import Settings
from services.status.app import create_status_service

from .conftest import running_edge
from .support import PASSWORD, ChatClient, Inbox, NatsUser, Users

NATS_CONF = Path(__file__).resolve().parent.parent / "deploy" / "nats.conf"
ROLES = ("edge", "chats", "messages", "status", "weatherbot", "ops")
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
    server = EmbeddedNats(0, tmp_path / "nats", include=NATS_CONF, on_line=LOG.append)
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


class Bot:
    """weatherbot's own NATS connection, recording the errors the server sends it."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._arrived = asyncio.Condition()
        self.nc = Client()

    async def connect(self, url: str) -> None:
        await self.nc.connect(
            url, inbox_prefix=BOT_INBOX, error_cb=self._error, max_reconnect_attempts=0
        )

    async def violation(self, kind: str, subject: str, timeout: float = 5) -> str:
        """The server's permissions-violation error for ``kind`` ("publish"/"subscription")."""
        wanted = f'permissions violation for {kind} to "{subject}"'.lower()
        async with asyncio.timeout(timeout):
            async with self._arrived:
                while True:
                    for error in self.errors:
                        if wanted in error.lower():
                            return error
                    await self._arrived.wait()

    async def _error(self, error: Exception) -> None:
        async with self._arrived:
            self.errors.append(str(error))
            self._arrived.notify_all()


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

    forged = subjects.command(alice.username, "messages", "send")
    with pytest.raises(nats.errors.TimeoutError):
        await bot.nc.request(
            forged, json.dumps({"chat_id": "general", "text": "forged"}).encode(), timeout=1
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
    js = bot.nc.jetstream(timeout=1)
    with pytest.raises(nats.errors.TimeoutError):
        await js.stream_info(storage.MESSAGES_STREAM)
    await bot.violation("publish", f"$JS.API.STREAM.INFO.{storage.MESSAGES_STREAM}")
    with pytest.raises(nats.errors.TimeoutError):
        await js.key_value(storage.USERS_BUCKET)


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


def test_every_program_has_a_password_from_the_environment() -> None:
    text = NATS_CONF.read_text()
    for role in ROLES:
        assert f"user: {role}\n" in text
        assert f"password: $CHATBUS_NATS_{role.upper()}_PASSWORD\n" in text
    assert "sync_interval: always" in text
