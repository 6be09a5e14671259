"""A per-user command budget: a flooder is answered rate_limited, everyone else is not slowed.

The same rule holds for a browser (socket.io through the edge) and for a bot on
NATS, because it is applied where both arrive: the handler services.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import nats
import pytest
from nats.aio.client import Client

from services.contracts import LIST_CHATS, TYPING
from services.core.settings import Settings
from tests.support.clients import Users
from tests.support.nats_programs import NatsUser, error_code

RATE = 50.0  # commands a second per user, the default
BURST = 100


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with the budget this module measures against."""
    return settings.model_copy(update={"command_rate_per_second": RATE, "command_burst": BURST})


@pytest.fixture
async def nc(settings: Settings) -> AsyncIterator[Client]:
    """A NATS connection for bots."""
    client = await nats.connect(settings.nats_servers)
    yield client
    await client.drain()


async def test_a_flooding_bot_on_nats_is_answered_rate_limited_with_a_wait(
    users: Users, nc: Client
) -> None:
    bot = NatsUser(nc, await users.register())
    replies = await until_refused(lambda: bot.call(LIST_CHATS))
    assert sum(reply["ok"] for reply in replies) >= BURST
    refused = replies[-1]
    assert refused["error"]["code"] == "rate_limited"
    assert refused["error"]["retry_after"] >= 1
    assert refused["error"]["message"]
    # Another user is untouched, and typing notices are not counted.
    assert (await NatsUser(nc, await users.register()).call(LIST_CHATS))["ok"]
    assert error_code(await bot.call(TYPING, {"chat_id": "no-such-chat"})) == "not_found"


async def test_a_flooding_browser_is_answered_rate_limited_and_stays_connected(
    users: Users,
) -> None:
    alice = await users.connect()
    replies = await until_refused(lambda: alice.call("chats:list", {}))
    assert sum(reply["ok"] for reply in replies) >= BURST
    assert replies[-1]["error"]["code"] == "rate_limited"
    assert alice.sio.connected


async def until_refused(call: Callable[[], Awaitable[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Replies to ``call`` made one after another until the first refusal.

    How many calls that takes depends on the machine: the budget refills while they
    run, so on a busy machine a fixed BURST + 20 calls can all pass. Calls faster
    than RATE a second exhaust it; 20 * BURST is plenty.
    """
    replies = []
    for _ in range(20 * BURST):
        replies.append(await call())
        if not replies[-1]["ok"]:
            return replies
    raise AssertionError(f"{len(replies)} calls in a row, none refused")


async def test_the_budget_comes_back_at_the_configured_rate(users: Users, nc: Client) -> None:
    bot = NatsUser(nc, await users.register())
    while (await bot.call(LIST_CHATS))["ok"]:
        pass
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not (await bot.call(LIST_CHATS))["ok"]:
        await asyncio.sleep(0.005)
    # One token takes 1/RATE s to come back (generous bound for a busy machine).
    assert loop.time() - started < 1.0
