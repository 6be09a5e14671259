"""How a service takes commands (``services/runtime/_faststream/command_subscriber.py``),
on a real nats-server."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from faststream.nats import NatsBroker, NatsRouter
from nats.aio.client import Client
from pydantic import BaseModel

from services.core.settings import Settings
from services.runtime._faststream.command_subscriber import CommandSubscriber
from services.runtime.broker import COMMAND_WORKERS, answers, create_broker, stop_taking_commands
from tests.support.polling import wait_until

SUBJECT = "test.cmd.held"
HELD = COMMAND_WORKERS + 4


class Numbered(BaseModel):
    n: int


@dataclass
class Held:
    """Commands that wait until released, and how many were in hand at most."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    in_hand: int = 0
    most_in_hand: int = 0


@pytest.fixture
async def held(settings: Settings, nc: Client) -> AsyncIterator[tuple[NatsBroker, Held, Client]]:
    broker = create_broker(settings, "test")
    router = NatsRouter()
    state = Held()

    @answers(router, SUBJECT, queue="test", description="A command held until released.")
    async def hold(request: Numbered) -> dict[str, Any]:
        state.in_hand += 1
        state.most_in_hand = max(state.most_in_hand, state.in_hand)
        await state.release.wait()
        state.in_hand -= 1
        return {"n": request.n}

    broker.include_router(router)
    await broker.start()
    # The subscription is on the broker's own connection: once its PING is answered,
    # nats-server has it, and a request from ``nc`` cannot find no responders.
    await broker.connection.flush()
    yield broker, state, nc
    await broker.stop()


def send(nc: Client, count: int) -> list[asyncio.Future[Any]]:
    return [
        asyncio.ensure_future(nc.request(SUBJECT, json.dumps({"n": n}).encode(), timeout=10))
        for n in range(count)
    ]


async def test_commands_are_handled_together_up_to_the_worker_limit(
    held: tuple[NatsBroker, Held, Client],
) -> None:
    broker, state, nc = held
    (subscriber,) = broker.subscribers
    assert isinstance(subscriber, CommandSubscriber)
    replies = send(nc, HELD)

    async def all_slots_taken() -> bool:
        return state.in_hand >= COMMAND_WORKERS

    await wait_until(all_slots_taken)
    assert subscriber.busy
    state.release.set()
    answers_in_order = [json.loads(reply.data) for reply in await asyncio.gather(*replies)]
    assert sorted(answer["n"] for answer in answers_in_order) == list(range(HELD))
    assert state.most_in_hand == COMMAND_WORKERS

    async def idle() -> bool:
        return not subscriber.busy

    await wait_until(idle)


async def test_a_stop_waits_for_the_commands_in_hand_and_answers_them(
    held: tuple[NatsBroker, Held, Client],
) -> None:
    broker, state, nc = held
    # No more than the slots: nats-py's drain would wait for waiting commands itself.
    replies = send(nc, COMMAND_WORKERS)

    async def all_slots_taken() -> bool:
        return state.in_hand == COMMAND_WORKERS

    await wait_until(all_slots_taken)
    stopping = asyncio.ensure_future(stop_taking_commands(broker, timeout=10))
    (subscriber,) = broker.subscribers

    async def drained() -> bool:
        return subscriber.subscription is None

    # Drained: the stop takes no more commands, and is waiting for the ones in hand.
    await wait_until(drained)
    assert not stopping.done(), "stopped with commands in hand"
    state.release.set()
    await stopping
    answered = [json.loads(reply.data)["n"] for reply in await asyncio.gather(*replies)]
    assert sorted(answered) == list(range(COMMAND_WORKERS))


ECHO = "test.cmd.echo"


@pytest.fixture
async def echoing(settings: Settings, nc: Client) -> AsyncIterator[Client]:
    broker = create_broker(settings, "test")
    router = NatsRouter()

    @answers(router, ECHO, queue="test", description="Answers n, refuses a negative one.")
    async def echo(request: Numbered) -> dict[str, Any]:
        if request.n < 0:
            raise ValueError("negative")
        return {"ok": True, "data": {"n": request.n}}

    broker.include_router(router)
    await broker.start()
    # The subscription is on the broker's own connection: once its PING is answered,
    # nats-server has it, and a request from ``nc`` cannot find no responders.
    await broker.connection.flush()
    yield nc
    await broker.stop()


async def test_a_reply_is_json_and_carries_the_commands_correlation_id(echoing: Client) -> None:
    reply = await echoing.request(
        ECHO, b'{"n": 7}', timeout=5, headers={"correlation_id": "corr-7"}
    )
    assert json.loads(reply.data) == {"ok": True, "data": {"n": 7}}
    assert reply.headers is not None
    assert reply.headers.get("content-type") == "application/json"
    assert reply.headers.get("correlation_id") == "corr-7"


async def test_failures_pass_through_the_brokers_middlewares_into_an_envelope(
    echoing: Client,
) -> None:
    refused = json.loads((await echoing.request(ECHO, b'{"n": -1}', timeout=5)).data)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "internal"
    invalid = json.loads((await echoing.request(ECHO, b"not json", timeout=5)).data)
    assert invalid["ok"] is False
    assert invalid["error"]["code"] == "invalid"


SIZED = "test.cmd.sized"
FORGED = "test.cmd.forged"


@dataclass
class Recorded:
    """Log lines of ``chatbus.commands`` and the commands a handler ran."""

    lines: list[str] = field(default_factory=list)
    handled: list[int] = field(default_factory=list)


class _Lines(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
async def guarded(
    settings: Settings, nc: Client
) -> AsyncIterator[tuple[Client, NatsBroker, Recorded]]:
    broker = create_broker(settings, "test")
    router = NatsRouter()
    recorded = Recorded()

    @answers(router, SIZED, queue="test", description="Answers n characters.")
    async def sized(request: Numbered) -> dict[str, Any]:
        return {"ok": True, "data": "x" * request.n}

    @answers(router, FORGED, queue="test", description="Counts what it handles.")
    async def counted(request: Numbered) -> dict[str, Any]:
        recorded.handled.append(request.n)
        return {"ok": True, "data": {"n": request.n}}

    handler = _Lines(recorded.lines)
    logging.getLogger("chatbus.commands").addHandler(handler)
    broker.include_router(router)
    await broker.start()
    await broker.connection.flush()
    yield nc, broker, recorded
    await broker.stop()
    logging.getLogger("chatbus.commands").removeHandler(handler)


async def test_a_reply_over_the_max_payload_is_answered_too_large(
    guarded: tuple[Client, NatsBroker, Recorded],
) -> None:
    nc, broker, recorded = guarded
    limit = broker.connection.max_payload
    fits = json.loads((await nc.request(SIZED, b'{"n": %d}' % (limit - 1000), timeout=5)).data)
    assert fits["ok"] is True and len(fits["data"]) == limit - 1000
    reply = json.loads((await nc.request(SIZED, b'{"n": %d}' % (limit + 1), timeout=5)).data)
    assert reply == {
        "ok": False,
        "error": {
            "code": "too_large",
            "message": "the answer is too large to send; ask for less at once",
        },
    }
    assert any("answered too_large" in line for line in recorded.lines), recorded.lines


@pytest.mark.parametrize(
    "reply_to",
    ["$KV.chat_users.alice", "chat.store.general.1", "_INBOX", "_INBOX_x.>", "_INBOXES.a"],
)
async def test_a_command_whose_reply_subject_is_no_inbox_is_refused_unhandled_and_logged(
    guarded: tuple[Client, NatsBroker, Recorded], reply_to: str
) -> None:
    nc, broker, recorded = guarded
    heard: list[bytes] = []

    async def overheard(msg: Any) -> None:
        heard.append(msg.data)

    await nc.subscribe(">", cb=overheard)
    await nc.flush()
    await nc.publish(FORGED, b'{"n": 1}', reply=reply_to)
    await nc.flush()

    async def logged() -> bool:
        return any(reply_to in line for line in recorded.lines)

    await wait_until(logged)
    (line,) = recorded.lines
    assert line == f"refused a command on {FORGED}: its reply subject {reply_to!r} is not an inbox"
    # Whatever the service published would have reached the server before the log line.
    await broker.connection.flush()
    await nc.flush()
    assert recorded.handled == []
    assert heard == [b'{"n": 1}']  # only the command itself
    answered = json.loads((await nc.request(FORGED, b'{"n": 2}', timeout=5)).data)
    assert answered == {"ok": True, "data": {"n": 2}} and recorded.handled == [2]
