"""Retention: a chat keeps its newest N messages, or messages for a time; history says what is gone.

Real nats-server, real services and edge, real socket.io clients. The limits are
set the way an operator sets them (Settings from CHATBUS_RETENTION_*).
"""

from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from nats.aio.client import Client

from services.contracts import storage, subjects
from services.core.settings import Settings
from services.messages.retention import Retention
from services.ops.embedded_nats import EmbeddedNats
from tests.support.clients import ChatClient, Users, read_all_after
from tests.support.polling import wait_until


@pytest.fixture
def retention() -> dict[str, Any]:
    """Retention settings; each test parametrizes its own."""
    return {}


@pytest.fixture
def settings(settings: Settings, retention: dict[str, Any]) -> Settings:
    """The suite's settings with this test's retention limits."""
    return settings.model_copy(update=retention)


@pytest.fixture
async def nc(nats_server: EmbeddedNats) -> AsyncIterator[Client]:
    """A plain NATS connection, to look at the stream the way an operator would."""
    connection = await nats.connect(nats_server.url)
    yield connection
    await connection.drain()


async def stored_count(nc: Client, chat_id: str) -> int:
    """How many of the chat's messages the stream physically holds."""
    info = await nc.jetstream().stream_info(
        storage.MESSAGES_STREAM, subjects_filter=subjects.stored_messages(chat_id)
    )
    return sum((info.state.subjects or {}).values())


async def chat_with(alice: ChatClient, count: int) -> str:
    """A new chat of alice's holding ``count`` messages, seqs 1..count."""
    chat = await alice.ok("chats:create", {"name": "retained"})
    for n in range(1, count + 1):
        sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": f"m{n}"})
        assert sent["seq"] == n
    return str(chat["id"])


async def history(alice: ChatClient, chat_id: str, **cursor: int) -> dict[str, Any]:
    page: dict[str, Any] = await alice.ok("messages:history", {"chat_id": chat_id, **cursor})
    return page


def seqs(page: dict[str, Any]) -> list[int]:
    return [message["seq"] for message in page["messages"]]


async def listed_last_seq(alice: ChatClient, chat_id: str) -> int:
    chats = await alice.ok("chats:list")
    return int(next(chat["last_seq"] for chat in chats if chat["id"] == chat_id))


@pytest.mark.parametrize("retention", [{"retention_max_messages_per_chat": 10}])
async def test_chat_keeps_its_newest_messages_and_history_says_older_ones_are_gone(
    users: Users, nc: Client
) -> None:
    alice = await users.connect()
    chat_id = await chat_with(alice, 30)

    page = await history(alice, chat_id, after=0)
    assert seqs(page) == list(range(21, 31))
    assert page["truncated"] is True
    assert page["more"] is False
    # A limit of 10 purges on every append past it: exactly the newest 10 are stored.
    assert await stored_count(nc, chat_id) == 10

    # Walking back from the newest: nothing truncated until the page reaches below seq 21.
    newest = await history(alice, chat_id, limit=5)
    assert (seqs(newest), newest["more"], newest["truncated"]) == (
        [26, 27, 28, 29, 30],
        True,
        False,
    )
    older = await history(alice, chat_id, before=26, limit=5)
    assert (seqs(older), older["more"], older["truncated"]) == ([21, 22, 23, 24, 25], False, False)
    gone = await history(alice, chat_id, before=21)
    assert (seqs(gone), gone["more"], gone["truncated"]) == ([], False, True)
    straddling = await history(alice, chat_id, before=24, limit=5)
    assert (seqs(straddling), straddling["more"], straddling["truncated"]) == (
        [21, 22, 23],
        False,
        True,
    )

    # A client that is up to date is not told about old removals.
    recent = await history(alice, chat_id, after=25)
    assert (seqs(recent), recent["truncated"]) == ([26, 27, 28, 29, 30], False)
    # A client catching up from far behind reaches the newest in one page, not 2 empty ones.
    assert [m["seq"] for m in await read_all_after(alice, chat_id, 0, limit=10)] == list(
        range(21, 31)
    )

    assert await listed_last_seq(alice, chat_id) == 30
    after_purge = await alice.ok("messages:send", {"chat_id": chat_id, "text": "on we go"})
    assert after_purge["seq"] == 31


@pytest.mark.parametrize("retention", [{"retention_max_messages_per_chat": 20}])
async def test_purges_are_amortised_but_history_shows_exactly_the_limit(
    users: Users, nc: Client
) -> None:
    alice = await users.connect()
    chat_id = await chat_with(alice, 45)

    # Limit 20 purges every 2nd append past it: the last purge (at seq 44) kept 25..44,
    # then 45 arrived, so 21 are stored while history shows the newest 20.
    assert Retention(max_age_seconds=0.0, max_messages_per_chat=20).purge_every == 2
    assert await stored_count(nc, chat_id) == 21
    page = await history(alice, chat_id, after=0, limit=100)
    assert (seqs(page), page["more"], page["truncated"]) == (list(range(26, 46)), False, True)
    assert await listed_last_seq(alice, chat_id) == 45


@pytest.mark.parametrize("retention", [{"retention_max_age_seconds": 1.0}])
async def test_expired_messages_are_reported_and_seqs_go_on_after_a_chat_empties(
    users: Users, nc: Client
) -> None:
    alice = await users.connect()
    chat_id = await chat_with(alice, 3)
    info = await nc.jetstream().stream_info(storage.MESSAGES_STREAM)
    assert info.config.max_age == pytest.approx(1.0)

    async def chat_is_empty() -> bool:
        return await stored_count(nc, chat_id) == 0

    waited = await wait_until(chat_is_empty, timeout=15, every=0.1)
    print(f"\nmessages with max age 1 s were gone after {waited:.1f} s")

    page = await history(alice, chat_id, after=0)
    assert (seqs(page), page["more"], page["truncated"]) == ([], False, True)
    assert await listed_last_seq(alice, chat_id) == 3

    fresh = await alice.ok("messages:send", {"chat_id": chat_id, "text": "still here"})
    assert fresh["seq"] == 4
    page = await history(alice, chat_id, after=0)
    assert (seqs(page), page["truncated"]) == ([4], True)
    up_to_date = await history(alice, chat_id, after=3)
    assert (seqs(up_to_date), up_to_date["truncated"]) == ([4], False)


async def test_changing_the_max_age_updates_the_existing_stream(
    nats_server: EmbeddedNats, settings: Settings, nc: Client
) -> None:
    from services.messages.app import create_messages_service

    for max_age in (0.0, 7200.0, 0.0):
        app = create_messages_service(
            settings.model_copy(update={"retention_max_age_seconds": max_age})
        )
        async with app:
            info = await nc.jetstream().stream_info(storage.MESSAGES_STREAM)
            assert info.config.max_age == pytest.approx(max_age)
