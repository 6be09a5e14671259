"""End to end: sending messages, who receives them, de-duplication, seqs, history and catch-up."""

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest_asyncio

from services.core.settings import Settings
from services.messages.app import create_messages_service
from tests.support.clients import ChatClient, Users, read_all_after
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_services,
    shared_settings,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP

TEXTS = [
    "hello <b>world</b> & <script>alert('x')</script> &amp; {{ not a template }}",
    "emoji 👩‍👩‍👧‍👦 🎉 and a flag 🇳🇴, RTL שלום, CJK 漢字",
    "  leading and trailing spaces  ",
    "line one\nline two\nthree\ttabbed\n\n",
    "quotes ' \" and \\backslashes\\ and a NUL-free \u200b zero-width space",
    "x" * 4000,
    "😀" * 4000,
]


def in_chat(chat_id: str) -> Any:
    return lambda message: message["chat_id"] == chat_id


async def chat_with(owner: ChatClient, *others: ChatClient, private: bool = False) -> str:
    """A new chat of ``owner`` that ``others`` have joined; its id."""
    chat = await owner.ok(
        "chats:create",
        {"name": "room", "private": private, "members": [o.username for o in others]},
    )
    return chat["id"]


async def send(client: ChatClient, chat_id: str, text: str, **extra: Any) -> dict[str, Any]:
    return await client.ok("messages:send", {"chat_id": chat_id, "text": text, **extra})


async def history(client: ChatClient, chat_id: str, **query: Any) -> dict[str, Any]:
    return await client.ok("messages:history", {"chat_id": chat_id, **query})


def seqs(messages: list[dict[str, Any]]) -> list[int]:
    return [message["seq"] for message in messages]


# messages:send


async def test_sent_message_is_answered_as_stored(users: Users) -> None:
    alice = await users.connect()
    chat_id = await chat_with(alice)
    first = await send(alice, chat_id, "first")
    second = await send(alice, chat_id, "second")
    assert first["chat_id"] == chat_id and first["sender"] == alice.username
    assert first["seq"] == 1 and second["seq"] == 2
    assert first["via"] == "web" and first["text"] == "first"
    assert first["id"] and first["id"] != second["id"]
    sent_at = datetime.fromisoformat(first["sent_at"].replace("Z", "+00:00"))
    assert sent_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(sent_at.tzinfo) - sent_at) < timedelta(minutes=1)
    assert (await history(alice, chat_id))["messages"] == [first, second]
    listed = next(c for c in await alice.ok("chats:list") if c["id"] == chat_id)
    assert listed["last_seq"] == 2


async def test_text_is_stored_and_delivered_exactly_as_sent(users: Users) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat_id = await chat_with(alice, bob)
    sent = [await send(alice, chat_id, text) for text in TEXTS]
    assert [message["text"] for message in sent] == TEXTS
    await bob.wait_for("message", lambda m: m["id"] == sent[-1]["id"])
    assert [m["text"] for m in bob.received("message", in_chat(chat_id))] == TEXTS
    assert [m["text"] for m in (await history(bob, chat_id))["messages"]] == TEXTS


async def test_seqs_count_per_chat(users: Users) -> None:
    alice = await users.connect()
    one, two = await chat_with(alice), await chat_with(alice)
    assert [(await send(alice, one, "a"))["seq"] for _ in range(3)] == [1, 2, 3]
    assert (await send(alice, two, "b"))["seq"] == 1


async def test_posting_needs_membership_even_in_public_chat(users: Users) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat_id = await chat_with(alice)
    request = {"chat_id": chat_id, "text": "let me in"}
    assert await bob.refused("messages:send", request) == "forbidden"
    await bob.ok("chats:join", {"chat_id": chat_id})
    assert (await bob.ok("messages:send", request))["seq"] == 1


async def test_every_member_receives_each_message_once_including_senders_other_tabs(
    users: Users,
) -> None:
    alice = await users.connect()
    alice_tab = await users.connect(alice.username)
    bob = await users.connect()
    chat_id = await chat_with(alice, bob)
    first = await send(alice, chat_id, "one")
    last = await send(alice, chat_id, "two")
    for client in (alice, alice_tab, bob):
        assert await client.wait_for("message", lambda m: m["id"] == last["id"]) == last
        assert client.received("message", in_chat(chat_id)) == [first, last]


# client_id: retries are stored once


async def test_message_sent_twice_with_same_client_id_is_stored_once(users: Users) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat_id = await chat_with(alice, bob)
    first = await send(alice, chat_id, "once", client_id="c-17")
    retry = await send(alice, chat_id, "once", client_id="c-17")
    assert retry == first and first["seq"] == 1
    after = await send(alice, chat_id, "next", client_id="c-18")
    assert after["seq"] == 2
    await bob.wait_for("message", lambda m: m["id"] == after["id"])
    assert bob.received("message", in_chat(chat_id)) == [first, after]
    assert (await history(alice, chat_id))["messages"] == [first, after]


async def test_retry_after_reconnecting_with_same_client_id_is_stored_once(users: Users) -> None:
    alice = await users.connect()
    chat_id = await chat_with(alice)
    first = await send(alice, chat_id, "did this arrive?", client_id="c-9")
    other = await send(alice, chat_id, "and this?", client_id="c-10")
    await alice.sio.disconnect()
    again = await users.connect(alice.username)
    assert await send(again, chat_id, "did this arrive?", client_id="c-9") == first
    assert (await history(again, chat_id))["messages"] == [first, other]


async def test_concurrent_retries_with_same_client_id_are_stored_once(users: Users) -> None:
    alice = await users.connect()
    chat_id = await chat_with(alice)
    replies = await asyncio.gather(
        *(send(alice, chat_id, "hurry", client_id="same") for _ in range(8))
    )
    assert all(reply == replies[0] for reply in replies)
    assert seqs((await history(alice, chat_id))["messages"]) == [1]


async def test_same_client_id_from_another_sender_or_chat_is_another_message(
    users: Users,
) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat_id, other_chat_id = await chat_with(alice, bob), await chat_with(alice)
    mine = await send(alice, chat_id, "hi", client_id="c-1")
    theirs = await send(bob, chat_id, "hi", client_id="c-1")
    elsewhere = await send(alice, other_chat_id, "hi", client_id="c-1")
    assert (mine["seq"], theirs["seq"], elsewhere["seq"]) == (1, 2, 1)
    assert len({mine["id"], theirs["id"], elsewhere["id"]}) == 3


# order under concurrency


async def test_concurrent_senders_get_contiguous_seqs_without_duplicates(users: Users) -> None:
    owner = await users.connect()
    senders = list(await asyncio.gather(*(users.connect() for _ in range(4))))
    clients = [owner, *senders]
    chat_id = await chat_with(owner, *senders)
    replies = await asyncio.gather(
        *(send(client, chat_id, f"{client.username} #{n}") for client in clients for n in range(20))
    )
    assert sorted(seqs(list(replies))) == list(range(1, 101))
    assert len({reply["id"] for reply in replies}) == 100
    stored = (await history(owner, chat_id, limit=100))["messages"]
    assert sorted(stored, key=lambda m: m["seq"]) == stored
    assert {m["id"]: m for m in stored} == {m["id"]: m for m in replies}
    for client in clients:
        await client.wait_for("message", lambda _, c=client: len(c.received("message")) >= 100)
        assert sorted(seqs(client.received("message", in_chat(chat_id)))) == list(range(1, 101))


@pytest_asyncio.fixture(loop_scope="module")
async def second_messages_replica(settings: Settings, services: None) -> AsyncIterator[None]:
    """Another messages service on the same NATS: commands are shared between the two."""
    async with create_messages_service(settings):
        yield


async def test_two_messages_replicas_never_give_out_the_same_seq(
    second_messages_replica: None, users: Users
) -> None:
    clients = list(await asyncio.gather(*(users.connect() for _ in range(3))))
    chat_id = await chat_with(clients[0], *clients[1:])
    replies = await asyncio.gather(
        *(send(client, chat_id, f"n{n}") for client in clients for n in range(20))
    )
    assert sorted(seqs(list(replies))) == list(range(1, 61))
    stored = (await history(clients[0], chat_id, limit=100))["messages"]
    assert seqs(stored) == list(range(1, 61))


# messages:history


async def filled_chat(client: ChatClient, count: int) -> str:
    chat_id = await chat_with(client)
    for n in range(count):
        await send(client, chat_id, f"m{n + 1}")
    return chat_id


async def test_history_of_empty_chat_is_empty(users: Users) -> None:
    alice = await users.connect()
    chat_id = await chat_with(alice)
    assert await history(alice, chat_id) == {
        "messages": [],
        "more": False,
        "truncated": False,
        "revisions": None,
    }


async def test_history_gives_the_newest_page_by_default(users: Users) -> None:
    alice = await users.connect()
    chat_id = await filled_chat(alice, 7)
    page = await history(alice, chat_id, limit=3)
    assert seqs(page["messages"]) == [5, 6, 7] and page["more"] is True
    everything = await history(alice, chat_id)
    assert seqs(everything["messages"]) == [1, 2, 3, 4, 5, 6, 7] and everything["more"] is False
    assert [m["text"] for m in everything["messages"]] == [f"m{n}" for n in range(1, 8)]


async def test_history_pages_back_with_before_to_the_start(users: Users) -> None:
    alice = await users.connect()
    chat_id = await filled_chat(alice, 7)
    pages, before = [], None
    while True:
        query = {"limit": 3} if before is None else {"limit": 3, "before": before}
        page = await history(alice, chat_id, **query)
        pages.append((seqs(page["messages"]), page["more"]))
        if not page["more"]:
            break
        before = page["messages"][0]["seq"]
    assert pages == [([5, 6, 7], True), ([2, 3, 4], True), ([1], False)]


async def test_history_pages_forward_with_after_until_more_is_false(users: Users) -> None:
    alice = await users.connect()
    chat_id = await filled_chat(alice, 7)
    first = await history(alice, chat_id, after=0, limit=3)
    assert seqs(first["messages"]) == [1, 2, 3] and first["more"] is True
    last = await history(alice, chat_id, after=6, limit=3)
    assert seqs(last["messages"]) == [7] and last["more"] is False
    assert await history(alice, chat_id, after=7) == {
        "messages": [],
        "more": False,
        "truncated": False,
        "revisions": None,
    }
    assert seqs(await read_all_after(alice, chat_id, after=0, limit=2)) == list(range(1, 8))


async def test_history_between_after_and_before(users: Users) -> None:
    alice = await users.connect()
    chat_id = await filled_chat(alice, 7)
    page = await history(alice, chat_id, after=2, before=6)
    assert seqs(page["messages"]) == [3, 4, 5] and page["more"] is False
    page = await history(alice, chat_id, after=2, before=6, limit=2)
    assert seqs(page["messages"]) == [3, 4] and page["more"] is True
    request = {"chat_id": chat_id, "after": 5, "before": 5}
    assert await alice.refused("messages:history", request) == "invalid"


async def test_history_limit_is_bounded_from_1_to_100(users: Users) -> None:
    alice = await users.connect()
    chat_id = await filled_chat(alice, 2)
    assert seqs((await history(alice, chat_id, limit=1))["messages"]) == [2]
    assert seqs((await history(alice, chat_id, limit=100))["messages"]) == [1, 2]
    for limit in (0, -1, 101, 1000):
        request = {"chat_id": chat_id, "limit": limit}
        assert await alice.refused("messages:history", request) == "invalid", limit


async def test_history_of_public_chat_is_readable_by_non_member(users: Users) -> None:
    # A design choice: anyone may preview a public chat before joining it.
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat_id = await filled_chat(alice, 2)
    assert [m["text"] for m in (await history(bob, chat_id))["messages"]] == ["m1", "m2"]


async def test_history_of_private_chat_is_forbidden_to_non_member(users: Users) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat_id = await chat_with(alice, private=True)
    await send(alice, chat_id, "secret")
    assert await bob.refused("messages:history", {"chat_id": chat_id}) == "forbidden"


async def test_history_of_unknown_chat_is_not_found(users: Users) -> None:
    alice = await users.connect()
    assert await alice.refused("messages:history", {"chat_id": "no-such-chat"}) == "not_found"


# reconnect catch-up


async def test_reconnecting_client_catches_up_on_every_message_once_in_order(
    users: Users,
) -> None:
    alice, bob = await asyncio.gather(users.connect(), users.connect())
    chat_id = await chat_with(alice, bob)
    for n in range(3):
        await send(alice, chat_id, f"live {n}")
    await bob.wait_for("message", lambda m: m["chat_id"] == chat_id and m["seq"] == 3)
    held = bob.received("message", in_chat(chat_id))
    await bob.sio.disconnect()
    missed = [await send(alice, chat_id, f"missed {n}") for n in range(22)]
    bob_again = await users.connect(bob.username)
    caught_up = await read_all_after(bob_again, chat_id, after=held[-1]["seq"], limit=10)
    assert caught_up == missed
    assert seqs(held + caught_up) == list(range(1, 26))
    live = await send(alice, chat_id, "welcome back")
    assert await bob_again.wait_for("message", in_chat(chat_id)) == live
