"""Direct messages: one chat per pair, private, two members, closed to everyone else."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest_asyncio
from nats.aio.client import Client

from services.chats.app import create_chats_service
from services.chats.direct_messages import dm_id
from services.contracts import OPEN_DM
from services.core.settings import Settings
from tests.support.clients import Users
from tests.support.nats_programs import NatsUser, error_code
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_nc,
    shared_services,
    shared_settings,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP


@pytest_asyncio.fixture(loop_scope="module")
async def more_chats_replicas(settings: Settings, services: None) -> AsyncIterator[None]:
    """Three more chats services beside the module's: commands are shared among all four."""
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(3):
            await stack.enter_async_context(create_chats_service(settings))
        yield


async def test_a_dm_is_private_between_the_two_and_named_by_them(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat = await alice.ok("chats:open_dm", {"username": bob.username})
    first, second = sorted((alice.username, bob.username))
    assert chat["kind"] == "dm" and chat["private"] is True
    assert chat["name"] == f"{first},{second}" and chat["member_count"] == 2
    assert chat["id"] == dm_id(bob.username, alice.username)
    # Bob hears of it and finds it in his list; the same chat from his side.
    told = await bob.wait_for("chat", lambda c: c["id"] == chat["id"])
    assert told["kind"] == "dm"
    assert chat["id"] in {c["id"] for c in await bob.ok("chats:list")}
    again = await bob.ok("chats:open_dm", {"username": alice.username})
    assert again["id"] == chat["id"]
    sent = await bob.ok("messages:send", {"chat_id": chat["id"], "text": "hi"})
    assert (await alice.wait_for("message", lambda m: m["id"] == sent["id"]))["text"] == "hi"


async def test_nobody_else_joins_is_invited_to_or_reads_a_dm(users: Users) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    chat = await alice.ok("chats:open_dm", {"username": bob.username})
    assert await carol.refused("chats:join", {"chat_id": chat["id"]}) == "forbidden"
    invite = {"chat_id": chat["id"], "username": carol.username}
    assert await alice.refused("chats:invite", invite) == "forbidden"
    assert await carol.refused("messages:history", {"chat_id": chat["id"]}) == "forbidden"
    kick = {"chat_id": chat["id"], "username": bob.username}
    assert await alice.refused("chats:kick", kick) == "forbidden"
    rename = {"chat_id": chat["id"], "name": "ours"}
    assert await alice.refused("chats:update", rename) == "forbidden"
    members = await alice.ok("chats:members", {"chat_id": chat["id"]})
    assert sorted(m["username"] for m in members["members"]) == sorted(
        (alice.username, bob.username)
    )


async def test_a_dm_with_oneself_or_nobody_is_refused(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("chats:open_dm", {"username": alice.username}) == "invalid"
    assert await alice.refused("chats:open_dm", {"username": "nobody-here"}) == "not_found"


async def test_dms_do_not_count_as_owned_channels(users: Users) -> None:
    alice = await users.connect()
    others = [await users.register() for _ in range(3)]
    for other in others:
        await alice.ok("chats:open_dm", {"username": other})
    listed = await alice.ok("chats:list")
    assert sum(1 for c in listed if c["kind"] == "dm") == 3


async def test_two_opening_at_once_on_several_replicas_get_one_chat(
    users: Users, nc: Client, more_chats_replicas: None
) -> None:
    for _ in range(5):
        alice = NatsUser(nc, await users.register())
        bob = NatsUser(nc, await users.register())
        opened = await asyncio.gather(
            *(
                user.ok(OPEN_DM, {"username": other.username})
                for user, other in [(alice, bob), (bob, alice)] * 4
            )
        )
        assert len({chat["id"] for chat in opened}) == 1
        assert all(chat["member_count"] == 2 for chat in opened[-2:])
        assert error_code(await alice.call(OPEN_DM, {"username": alice.username})) == "invalid"
