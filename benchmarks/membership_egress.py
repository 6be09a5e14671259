"""``python -m benchmarks.membership_egress``: what a join or leave sends to whom.

Starts chatbus as ``chatbus bench`` does, connects ``--sockets`` clients of users
who are not in ``general``, and has one more user join and leave ``general``
``--toggles`` times each. Every socket counts the events and bytes it receives.
Then a public chat is created, which everyone hears of: once every socket has
that, it has everything the edge sent it before, and the counts are final.
"""

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from .command import raise_open_files_limit
from .scenario import idle_scenario
from .systems import Chatbus
from .wire import BenchClient

CONNECTS_AT_ONCE = 50
GENERAL = "general"


class Counted:
    """One socket's received events about ``general``: how many, how many bytes."""

    def __init__(self) -> None:
        self.events = 0
        self.bytes = 0
        self.chat_ids: set[str] = set()
        self.arrived = asyncio.Event()

    def __call__(self, name: str, data: Any) -> None:
        if not isinstance(data, dict):
            return
        chat_id = data.get("chat_id", data.get("id"))
        if chat_id == GENERAL:
            self.events += 1
            self.bytes += len(json.dumps(data, separators=(",", ":")))
        if name == "chat":
            self.chat_ids.add(chat_id or "")
            self.arrived.set()


async def measure(sockets: int, toggles: int) -> dict[str, dict[str, float]]:
    """Per toggle (a join and a leave): events and bytes to the toggler and to the others."""
    with tempfile.TemporaryDirectory(prefix="chatbus-membership-egress-") as work_dir:
        system = Chatbus()
        async with system.running(Path(work_dir)):
            scenario = idle_scenario("egress", idle=sockets, members=1, rate=1, seconds=1)
            setup = await system.set_up(scenario, "egress")
            gate = asyncio.Semaphore(CONNECTS_AT_ONCE)

            async def connect(user: int) -> tuple[BenchClient, Counted]:
                counted = Counted()
                async with gate:
                    client = BenchClient(setup.url, counted)
                    await client.connect(setup.auth[user])
                return client, counted

            toggler, mine = await connect(scenario.sockets[0])
            others = list(
                await asyncio.gather(*(connect(user) for user in scenario.sockets[-sockets:]))
            )
            for _ in range(toggles):
                await toggler.call("chats:join", {"chat_id": GENERAL})
                await toggler.call("chats:leave", {"chat_id": GENERAL})
            marker = await toggler.call("chats:create", {"name": "egress marker"})
            marker_id = marker["data"]["id"]
            for _, counted in [(toggler, mine), *others]:
                while marker_id not in counted.chat_ids:
                    counted.arrived.clear()
                    await counted.arrived.wait()
            for client, _ in [(toggler, mine), *others]:
                await client.close()
    return {
        "toggler": {"events": mine.events / toggles, "bytes": mine.bytes / toggles},
        "others": {
            "events": sum(counted.events for _, counted in others) / toggles,
            "bytes": sum(counted.bytes for _, counted in others) / toggles,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.membership_egress", description=__doc__
    )
    parser.add_argument("--sockets", type=int, default=1000, help="sockets of other users")
    parser.add_argument("--toggles", type=int, default=20, help="joins and leaves of general")
    args = parser.parse_args()
    if args.sockets < 1 or args.toggles < 1:
        parser.error("--sockets and --toggles must be at least 1")
    raise_open_files_limit()
    rows = asyncio.run(measure(args.sockets, args.toggles))
    sys.stdout.write(
        f"per join+leave of {GENERAL}, {args.sockets} other sockets connected\n"
        "| who | events | bytes |\n|---|---|---|\n"
    )
    for who, row in rows.items():
        sys.stdout.write(f"| {who} | {row['events']:.1f} | {row['bytes']:.0f} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
