"""The edge's batched Engine.IO pings (services/edge/_transport/ping_batches.py)."""

import asyncio

from services.edge._transport.ping_batches import PingBatches

TICK = 0.05


async def test_pings_due_in_one_tick_go_together_never_early_and_later_ones_after() -> None:
    loop = asyncio.get_running_loop()
    sent: dict[str, float] = {}
    due: dict[str, float] = {}
    all_sent = asyncio.Event()
    # Bumped after each callback that pings: pings sent in one callback see the same turn.
    turns = [0]
    turn_of: dict[str, int] = {}

    def next_turn() -> None:
        turns[0] += 1

    def ping(name: str) -> None:
        sent[name] = loop.time()
        turn_of[name] = turns[0]
        loop.call_soon(next_turn)
        if len(sent) == len(due):
            all_sent.set()

    batches = PingBatches(ping, tick_seconds=TICK)

    # Aligned to a tick's start, so the first three fall due within one tick.
    start = (int(loop.time() / TICK) + 1) * TICK
    await asyncio.sleep(max(0.0, start - loop.time()))
    for name, delay in (("a", 0.2 * TICK), ("b", 0.4 * TICK), ("c", 0.6 * TICK), ("d", 3 * TICK)):
        due[name] = loop.time() + delay
        batches.schedule(delay, name)
    async with asyncio.timeout(5):
        await all_sent.wait()

    assert turn_of["a"] == turn_of["b"] == turn_of["c"], "one timer sends the whole tick"
    assert turn_of["d"] > turn_of["c"]
    assert all(sent[name] >= due[name] for name in due), (sent, due)


async def test_a_failing_ping_does_not_stop_the_rest_of_its_batch() -> None:
    done = asyncio.Event()

    def ping(sid: str) -> None:
        if sid == "broken":
            raise ConnectionError("gone")
        done.set()

    batches = PingBatches(ping, tick_seconds=TICK)
    batches.schedule(0.01, "broken")
    batches.schedule(0.01, "fine")
    async with asyncio.timeout(5):
        await done.wait()
