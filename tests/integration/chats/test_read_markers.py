"""Read markers: server-side, forward only, on every socket of the user, in chats:list."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from nats.aio.client import Client

from services.contracts import (
    CREATE_CHAT,
    LIST_CHATS,
    MARK_READ,
    SEND_MESSAGE,
    subjects,
)
from services.core.settings import Settings
from services.ops.embedded_nats import free_port
from tests.support.clients import ChatClient, Users, user_pool
from tests.support.nats_programs import Inbox, NatsUser, error_code
from tests.support.polling import wait_until
from tests.support.serving import running_edge
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_js,
    shared_nats_server,
    shared_nc,
    shared_services,
    shared_settings,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP


def view_of(chats: list[dict[str, Any]], chat_id: str) -> dict[str, Any]:
    (view,) = [chat for chat in chats if chat["id"] == chat_id]
    return view


async def chat_with_messages(owner: ChatClient, count: int, *members: str) -> str:
    chat = await owner.ok("chats:create", {"name": "reads", "members": list(members)})
    for n in range(count):
        await owner.ok("messages:send", {"chat_id": chat["id"], "text": f"m{n}"})
    return str(chat["id"])


async def second_device(users: Users, client: ChatClient) -> ChatClient:
    return await users.connect(client.username)


@pytest_asyncio.fixture(loop_scope="module")
async def second_edge(settings: Settings, services: None) -> AsyncIterator[str]:
    """Another edge on the module's NATS: a second device that went elsewhere."""
    async with running_edge(settings.model_copy(update={"port": free_port()})) as url:
        yield url


async def test_a_mark_moves_the_marker_forward_and_never_back(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_with_messages(alice, 5, bob.username)
    assert await bob.ok("reads:mark", {"chat_id": chat_id, "seq": 3}) == {
        "chat_id": chat_id,
        "read_seq": 3,
    }
    back = await bob.ok("reads:mark", {"chat_id": chat_id, "seq": 1})
    assert back["read_seq"] == 3
    view = view_of(await bob.ok("chats:list"), chat_id)
    assert (view["read_seq"], view["unread"], view["last_seq"]) == (3, 2, 5)


async def test_a_mark_past_the_newest_message_is_clamped_to_it(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_with_messages(alice, 2, bob.username)
    marked = await bob.ok("reads:mark", {"chat_id": chat_id, "seq": 1000})
    assert marked["read_seq"] == 2
    await alice.ok("messages:send", {"chat_id": chat_id, "text": "third"})
    assert view_of(await bob.ok("chats:list"), chat_id)["unread"] == 1


async def test_marks_by_non_members_and_in_unknown_chats_are_refused(users: Users) -> None:
    alice, mallory = await users.connect(), await users.connect()
    chat_id = await chat_with_messages(alice, 1)  # public, mallory is no member
    assert await mallory.refused("reads:mark", {"chat_id": chat_id, "seq": 1}) == "forbidden"
    assert await mallory.refused("reads:mark", {"chat_id": "nosuchchat", "seq": 1}) == "not_found"
    assert await mallory.refused("reads:mark", {"chat_id": chat_id, "seq": -1}) == "invalid"
    assert await mallory.refused("reads:mark", {"chat_id": chat_id}) == "invalid"


async def test_every_socket_of_the_user_hears_the_mark_and_nobody_else(users: Users) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    chat_id = await chat_with_messages(alice, 4, bob.username, carol.username)
    laptop, phone = bob, await second_device(users, bob)
    await phone.ok("reads:mark", {"chat_id": chat_id, "seq": 4})
    for device in (laptop, phone):
        heard = await device.wait_for("read", lambda r: r["chat_id"] == chat_id)
        assert heard == {"chat_id": chat_id, "read_seq": 4}
    await carol.sync()
    assert not carol.received("read", lambda r: r["chat_id"] == chat_id)
    assert view_of(await laptop.ok("chats:list"), chat_id)["unread"] == 0


async def test_a_mark_on_one_edge_reaches_the_users_socket_on_another(
    users: Users, second_edge: str
) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_with_messages(alice, 3, bob.username)
    async with user_pool(second_edge) as elsewhere:
        phone = await elsewhere.connect(bob.username)
        await phone.ok("reads:mark", {"chat_id": chat_id, "seq": 2})
        heard = await bob.wait_for("read", lambda r: r["chat_id"] == chat_id)
        assert heard["read_seq"] == 2


async def test_two_devices_marking_at_once_end_at_the_higher_seq(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_with_messages(alice, 20, bob.username)
    laptop, phone = bob, await second_device(users, bob)
    # Interleaved marks from both devices, all in flight together.
    marks = [
        device.ok("reads:mark", {"chat_id": chat_id, "seq": seq})
        for seq in range(1, 21)
        for device in ((laptop,) if seq % 2 else (phone,))
    ]
    await asyncio.gather(*marks)
    view = view_of(await phone.ok("chats:list"), chat_id)
    assert (view["read_seq"], view["unread"]) == (20, 0)


async def test_a_new_member_finds_the_chat_read_up_to_their_join(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_with_messages(alice, 6)
    await bob.ok("chats:join", {"chat_id": chat_id})
    view = view_of(await bob.ok("chats:list"), chat_id)
    assert (view["read_seq"], view["unread"], view["last_seq"]) == (6, 0, 6)
    await alice.ok("messages:send", {"chat_id": chat_id, "text": "after the join"})
    assert view_of(await bob.ok("chats:list"), chat_id)["unread"] == 1


async def test_ones_own_messages_are_not_unread(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_with_messages(alice, 2, bob.username)
    sent = await bob.ok("messages:send", {"chat_id": chat_id, "text": "mine"})
    # The marker moves past what one sends, and every socket of the sender hears it.
    await bob.wait_for("read", lambda r: r == {"chat_id": chat_id, "read_seq": sent["seq"]})
    mine = view_of(await bob.ok("chats:list"), chat_id)
    assert (mine["read_seq"], mine["unread"]) == (3, 0)
    await alice.wait_for("read", lambda r: r["chat_id"] == chat_id and r["read_seq"] == 2)
    theirs = view_of(await alice.ok("chats:list"), chat_id)
    assert (theirs["read_seq"], theirs["unread"]) == (2, 1)


async def test_read_markers_over_nats_follow_the_same_rules(users: Users, nc: Client) -> None:
    alice = NatsUser(nc, await users.register())
    bob = NatsUser(nc, await users.register())
    outsider = NatsUser(nc, await users.register())
    chat = await alice.ok(CREATE_CHAT, {"name": "bots", "members": [bob.username]})
    for n in range(3):
        await alice.ok(SEND_MESSAGE, {"chat_id": chat["id"], "text": f"m{n}"})
    heard = await Inbox.listen(nc, subjects.user_event(bob.username, "read"))
    assert await bob.ok(MARK_READ, {"chat_id": chat["id"], "seq": 9}) == {
        "chat_id": chat["id"],
        "read_seq": 3,
    }
    assert (await heard.wait_for())["read_seq"] == 3
    assert (await bob.ok(MARK_READ, {"chat_id": chat["id"], "seq": 1}))["read_seq"] == 3
    listed = view_of(await bob.ok(LIST_CHATS), chat["id"])
    assert (listed["read_seq"], listed["unread"]) == (3, 0)
    assert error_code(await outsider.call(MARK_READ, {"chat_id": chat["id"], "seq": 1})) == (
        "forbidden"
    )
    with contextlib.suppress(Exception):
        await nc.flush()


async def test_unread_mentions_count_those_above_the_marker(users: Users) -> None:
    alice, bob, carol = await users.connect(), await users.connect(), await users.connect()
    chat = await alice.ok(
        "chats:create", {"name": "mentions", "members": [bob.username, carol.username]}
    )
    chat_id = chat["id"]
    texts = ["m1", f"@{bob.username} two", f"@{carol.username} three", f"@{bob.username} 4"]
    texts.append(f"five @{bob.username}")
    for text in texts:
        await alice.ok("messages:send", {"chat_id": chat_id, "text": text})

    async def mentions_of(client: ChatClient) -> int:
        return int(view_of(await client.ok("chats:list"), chat_id)["mentions"])

    async def all_counted() -> bool:
        return (await mentions_of(bob), await mentions_of(carol)) == (3, 1)

    await wait_until(all_counted)
    assert await mentions_of(alice) == 0  # the sender mentions nobody of themselves
    await bob.ok("reads:mark", {"chat_id": chat_id, "seq": 4})
    assert await mentions_of(bob) == 1
    await bob.ok("reads:mark", {"chat_id": chat_id, "seq": 5})
    assert await mentions_of(bob) == 0
