"""Typing notices have a budget of their own, checked before the status service reads
anything, and a notice repeated within a second reads nothing either.

JetStream reads are counted as nats-server sees them: a monitoring connection subscribes
to ``$JS.API.>``, where every read of the chats bucket (direct or not) is a request.
"""

import asyncio
from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from services.contracts import CREATE_CHAT, TYPING, storage, subjects
from services.core.settings import Settings
from tests.support.clients import Users
from tests.support.nats_programs import Inbox, NatsUser

RATE = 5.0
BURST = 10
FLOOD = 100


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with the default typing budget spelled out."""
    return settings.model_copy(update={"typing_rate_per_second": RATE, "typing_burst": BURST})


class ChatReads:
    """Requests to JetStream's API about the chats bucket, as nats-server routes them."""

    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def record(self, msg: Msg) -> None:
        if f"KV_{storage.CHATS_BUCKET}" in msg.subject:
            self.subjects.append(msg.subject)


@pytest.fixture
async def monitor(settings: Settings) -> AsyncIterator[tuple[Client, ChatReads]]:
    """A connection that sees every JetStream API request, and what it saw of the chats."""
    client = await nats.connect(settings.nats_servers)
    reads = ChatReads()
    await client.subscribe("$JS.API.>", cb=reads.record)
    await client.flush()
    yield client, reads
    await client.close()


async def counted(monitor: tuple[Client, ChatReads]) -> int:
    """The chats bucket reads so far. Each was sent before its command's reply: once the
    replies are in, a round trip on the monitor's connection has brought them all."""
    client, reads = monitor
    await client.flush()
    return len(reads.subjects)


async def test_a_typing_flood_is_refused_beyond_its_budget_without_reading_jetstream(
    users: Users, nc: Client, monitor: tuple[Client, ChatReads]
) -> None:
    alice = NatsUser(nc, await users.register())
    loop = asyncio.get_running_loop()
    before = await counted(monitor)
    started = loop.time()
    # A chat each time: no announce throttle applies, each one the budget lets by is read.
    replies = [await alice.call(TYPING, {"chat_id": f"nope-{n}"}) for n in range(FLOOD)]
    elapsed = loop.time() - started
    reads = await counted(monitor) - before
    codes = [reply["error"]["code"] for reply in replies]
    refused = [reply for reply in replies if reply["error"]["code"] == "rate_limited"]
    let_by = FLOOD - len(refused)
    print(f"\n{FLOOD} typing notices in {elapsed:.2f} s: {let_by} let by, {reads} chats reads")
    assert set(codes) <= {"not_found", "rate_limited"}, codes
    assert codes[:BURST] == ["not_found"] * BURST
    assert let_by <= BURST + RATE * elapsed + 1
    assert reads <= let_by  # none for a refused one
    assert all(reply["error"]["retry_after"] >= 1 for reply in refused)
    # Alice's commands have their own budget, untouched by her typing.
    assert (await alice.call(CREATE_CHAT, {"name": "still works"}))["ok"]


async def test_another_users_typing_goes_through_a_flood(
    users: Users, nc: Client, monitor: tuple[Client, ChatReads]
) -> None:
    alice, bob = NatsUser(nc, await users.register()), NatsUser(nc, await users.register())
    chat_id = (await bob.ok(CREATE_CHAT, {"name": "typing"}))["id"]
    room = await Inbox.listen(nc, subjects.room_event(chat_id, "typing"))
    for n in range(FLOOD):
        await alice.call(TYPING, {"chat_id": f"nope-{n}"})
    assert (await alice.call(TYPING, {"chat_id": "nope"}))["error"]["code"] == "rate_limited"
    assert await bob.ok(TYPING, {"chat_id": chat_id}) == {}
    assert (await room.wait_for())["username"] == bob.username


async def test_typing_again_within_a_second_reads_nothing(
    users: Users, nc: Client, monitor: tuple[Client, ChatReads]
) -> None:
    alice = NatsUser(nc, await users.register())
    chat_id = (await alice.ok(CREATE_CHAT, {"name": "typing"}))["id"]
    room = await Inbox.listen(nc, subjects.room_event(chat_id, "typing"))
    before = await counted(monitor)
    for _ in range(BURST):
        assert await alice.ok(TYPING, {"chat_id": chat_id}) == {}
    # At most the first one's membership check: none when the status service's copy
    # of the chats already has alice's membership.
    assert await counted(monitor) - before <= 1
    # Events on one subscription arrive in order: once this one is in, every notice is.
    await nc.publish(subjects.room_event(chat_id, "typing"), b'{"username": "marker"}')
    await room.wait_for(lambda event: event["username"] == "marker")
    assert [event["username"] for event in room.received()] == [alice.username, "marker"]


async def test_a_browser_typing_too_fast_is_answered_rate_limited_and_stays_connected(
    users: Users,
) -> None:
    alice = await users.connect()
    chat_id = (await alice.ok("chats:create", {"name": "typing"}))["id"]
    codes = [
        (await alice.call("typing", {"chat_id": chat_id})).get("error", {}).get("code")
        for _ in range(3 * BURST)
    ]
    assert "rate_limited" in codes
    assert alice.sio.connected
