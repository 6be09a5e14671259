"""The workloads of ``chatbus bench`` (README's Benchmark table) and of its smoke form.

Sending rates are chosen so that the baseline keeps up on a 2-core machine
(a few thousand deliveries per second): latency is then measured on an
unsaturated server, and CPU per delivered message compares like with like.
"""

from .scenario import (
    Scenario,
    history_scenario,
    idle_scenario,
    room_scenario,
    zipf_mix_scenario,
)

__all__ = ["full_workloads", "smoke_workloads"]

# Rounds of each workload whose figures are compared: one run's figures move with the
# machine's speed, the median of paired rounds much less.
# Not the idle, history and sustained ones: RSS per connection needs an edge nobody used
# before, and those are long.
ROUNDS = 3


def smoke_workloads() -> list[Scenario]:
    """Under a minute in all: proves the benchmark works, says nothing about speed."""
    return [
        room_scenario(
            "room-2", members=2, senders=1, rate=100, seconds=2, drain_seconds=10, rounds=2
        ),
        room_scenario("room-10", members=10, senders=1, rate=100, seconds=2, drain_seconds=10),
        idle_scenario("idle-20", idle=20, members=2, rate=50, seconds=1, drain_seconds=10),
        history_scenario("history-600", chats=5, per_chat=120, pages=20),
    ]


def full_workloads() -> list[Scenario]:
    """The workloads of README's Benchmark table."""
    return [
        room_scenario("room-2", members=2, senders=1, rate=200, seconds=10, rounds=ROUNDS),
        room_scenario("room-10", members=10, senders=1, rate=200, seconds=10, rounds=ROUNDS),
        room_scenario("room-10x10", members=10, senders=10, rate=200, seconds=10, rounds=ROUNDS),
        room_scenario("room-100", members=100, senders=1, rate=40, seconds=10, rounds=ROUNDS),
        room_scenario("room-100x10", members=100, senders=10, rate=40, seconds=10, rounds=ROUNDS),
        room_scenario(
            "room-500", members=500, senders=1, rate=10, seconds=20, processes=4, rounds=ROUNDS
        ),
        room_scenario(
            "room-500x10", members=500, senders=10, rate=10, seconds=20, processes=4, rounds=ROUNDS
        ),
        zipf_mix_scenario(
            "mix-1000x5", rooms=1000, size=5, rate=200, seconds=10, processes=4, rounds=ROUNDS
        ),
        idle_scenario("idle-1000", idle=1000, members=10, rate=100, seconds=5, processes=4),
        idle_scenario("idle-10000", idle=10000, members=10, rate=100, seconds=5, processes=8),
        history_scenario("history-1M", chats=1000, per_chat=1000, pages=1000),
        room_scenario(
            "sustained-100",
            members=100,
            senders=10,
            rate=1000,
            seconds=60,
            processes=4,
            # Overloaded, chatbus ends about 40 s behind: with less, deliveries still on
            # their way when the generator stops listening would be counted as lost.
            drain_seconds=90,
            sample_memory=True,
        ),
    ]
