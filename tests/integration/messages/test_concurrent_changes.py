"""Two messages replicas changing one message at once: no change lost, a delete is final.

Real nats-server and services; two ``Messenger`` instances, each on its own NATS
connection with its own copies, stand for two replicas of the messages service.
"""

import asyncio
from collections.abc import AsyncIterator

import nats
import pytest
from nats.js import JetStreamContext

from services.contracts import storage
from services.contracts.message_requests import (
    DeleteMessage,
    EditMessage,
    MessageThread,
    ReactToMessage,
    SendMessage,
)
from services.core.errors import NotFound
from services.messages.messenger import Messenger
from services.ops.embedded_nats import EmbeddedNats
from tests.support.clients import ChatClient, Users


@pytest.fixture
async def replicas(
    nats_server: EmbeddedNats, services: None
) -> AsyncIterator[tuple[Messenger, Messenger]]:
    """Two messages replicas beside the stack's own."""
    opened = []
    for _ in range(2):
        nc = await nats.connect(nats_server.url)
        messenger = Messenger()
        await messenger.open(nc)
        opened.append((nc, messenger))
    yield opened[0][1], opened[1][1]
    for nc, messenger in opened:
        await messenger.close()
        await nc.drain()


async def chat_with_message(alice: ChatClient, *members: ChatClient) -> tuple[str, int]:
    chat = await alice.ok("chats:create", {"name": "raced"})
    for member in members:
        await member.ok("chats:join", {"chat_id": chat["id"]})
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "original"})
    return chat["id"], sent["seq"]


async def test_concurrent_edits_on_two_replicas_all_land_and_keep_every_text(
    users: Users, replicas: tuple[Messenger, Messenger]
) -> None:
    alice = await users.connect()
    chat_id, seq = await chat_with_message(alice)
    texts = [f"edit {n}" for n in range(9)]

    await asyncio.gather(
        *(
            replicas[n % 2].edit(
                alice.username, EditMessage(chat_id=chat_id, seq=seq, text=text), seen_revision=None
            )
            for n, text in enumerate(texts)
        )
    )
    page = await alice.ok("messages:history", {"chat_id": chat_id, "revisions": True})
    current = page["messages"][0]["text"]
    earlier = [r["text"] for r in page["revisions"][0]["revisions"]]
    assert earlier[0] == "original"
    assert sorted([*earlier, current]) == sorted(["original", *texts])


async def test_an_edit_racing_a_delete_leaves_only_the_tombstone(
    users: Users, replicas: tuple[Messenger, Messenger], js: JetStreamContext
) -> None:
    alice = await users.connect()
    for round_ in range(5):
        chat_id, seq = await chat_with_message(alice)
        text = f"racing edit {round_}"
        edit = replicas[0].edit(
            alice.username, EditMessage(chat_id=chat_id, seq=seq, text=text), seen_revision=None
        )
        delete = replicas[1].delete(
            alice.username, DeleteMessage(chat_id=chat_id, seq=seq), seen_revision=None
        )
        results = await asyncio.gather(edit, delete, return_exceptions=True)
        assert results[1].deleted  # type: ignore[union-attr]
        assert not isinstance(results[0], BaseException) or isinstance(results[0], NotFound)
        stored = await js.get_msg(
            storage.MESSAGES_STREAM, subject=f"chat.store.{chat_id}.{seq}", seq=1, next=True
        )
        assert b"racing" not in (stored.data or b"") and b"original" not in (stored.data or b"")
        last = await js.get_last_msg(storage.MESSAGES_STREAM, f"chat.store.{chat_id}.{seq}")
        assert last.seq == stored.seq  # the tombstone is all the subject holds


async def test_a_reaction_storm_across_two_replicas_counts_exactly(
    users: Users, replicas: tuple[Messenger, Messenger]
) -> None:
    alice = await users.connect()
    storm = [await users.connect() for _ in range(20)]
    chat_id, seq = await chat_with_message(alice, *storm)

    async def react(n: int, client: ChatClient, on: bool) -> None:
        request = ReactToMessage(chat_id=chat_id, seq=seq, emoji="🔥", on=on)
        await replicas[n % 2].react(client.username, request, seen_revision=None)

    # Each user twice at once, on both replicas: still one reaction each.
    await asyncio.gather(*(react(n + k, c, True) for n, c in enumerate(storm) for k in (0, 1)))
    page = await alice.ok("messages:history", {"chat_id": chat_id})
    (reaction,) = page["messages"][0]["reactions"]
    assert reaction["count"] == 20 and len(reaction["users"]) == 20
    await asyncio.gather(
        *(react(n + k, c, False) for n, c in enumerate(storm[:15]) for k in (0, 1))
    )
    page = await alice.ok("messages:history", {"chat_id": chat_id})
    (reaction,) = page["messages"][0]["reactions"]
    assert reaction["count"] == 5
    assert sorted(reaction["users"]) == sorted(c.username for c in storm[15:])


async def test_replies_racing_on_two_replicas_each_appear_once_in_the_threads_pages(
    users: Users, replicas: tuple[Messenger, Messenger]
) -> None:
    alice = await users.connect()
    chat_id, root = await chat_with_message(alice)

    async def reply(n: int) -> int:
        request = SendMessage(chat_id=chat_id, text=f"reply {n}", reply_to=root)
        sent = await replicas[n % 2].send(
            alice.username, request, via_web=False, seen_revision=None
        )
        return sent.seq

    replies = sorted(await asyncio.gather(*(reply(n) for n in range(80))))
    walked: list[int] = []
    after = None
    while True:
        request = MessageThread(chat_id=chat_id, root=root, after=after, limit=7)
        page = await replicas[0].thread(alice.username, request, seen_revision=None)
        walked += [message.seq for message in page.messages]
        if not page.more:
            break
        after = page.messages[-1].seq
    assert walked == replies
    history = await alice.ok("messages:history", {"chat_id": chat_id, "limit": 1})
    assert history["messages"][0]["seq"] == root + 80  # no gap, no seq twice
    (stored_root,) = (await alice.ok("messages:history", {"chat_id": chat_id, "before": 2}))[
        "messages"
    ]
    assert stored_root["thread"]["count"] == 80
