"""``python -m benchmarks.idle_cost``: what chatbus costs with nothing to do.

Starts nats-server, the three handler services and the edge as ``chatbus bench``
does, connects ``--sockets`` idle clients (none by default; they answer pings
and send nothing), waits until everything has settled, then prints each
process's CPU per second and how often it woke in ``--seconds``. An idle
process wakes only for its timers and its clients' pings, and each wake-up
costs what ``benchmarks.wakeup_cost`` measures: what a quiet deployment burns,
and what every busy workload pays on top of its messages.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from .command import raise_open_files_limit
from .measure import threads_cpu_ns, threads_wakeups
from .scenario import idle_scenario
from .systems import Chatbus
from .wire import LeanSocket

CONNECTS_AT_ONCE = 50


async def measure_idle(
    seconds: float, settle_seconds: float, sockets: int = 0
) -> dict[str, dict[str, float]]:
    """Role -> CPU ms per second and wake-ups per second, over ``seconds`` of nothing to do."""
    with tempfile.TemporaryDirectory(prefix="chatbus-idle-cost-") as work_dir:
        system = Chatbus()
        async with system.running(Path(work_dir)):
            clients = await connect_idle(system, sockets) if sockets else []
            await asyncio.sleep(settle_seconds)
            pids = system.pids()
            cpu = {role: threads_cpu_ns(pid) for role, pid in pids.items()}
            wakeups = {role: threads_wakeups(pid) for role, pid in pids.items()}
            started = time.monotonic()
            await asyncio.sleep(seconds)
            elapsed = time.monotonic() - started
            for client in clients:
                await client.close()
            return {
                role: {
                    "cpu_ms_per_s": (threads_cpu_ns(pid) - cpu[role]) / 1e6 / elapsed,
                    "wakeups_per_s": (threads_wakeups(pid) - wakeups[role]) / elapsed,
                }
                for role, pid in pids.items()
            }


async def connect_idle(system: Chatbus, sockets: int) -> list[LeanSocket]:
    """``sockets`` clients of a few users (a thousand each, as the bench's idle row)."""
    scenario = idle_scenario("idle-cost", idle=sockets, members=1, rate=1, seconds=1)
    setup = await system.set_up(scenario, "idle-cost")
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)

    async def connect(user: int) -> LeanSocket:
        async with gate:
            client = LeanSocket(setup.url, lambda name, data: None)
            await client.connect(setup.auth[user])
            return client

    users_of_idle_sockets = scenario.sockets[-sockets:]  # not the busy room's member
    return list(await asyncio.gather(*(connect(user) for user in users_of_idle_sockets)))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.idle_cost", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to measure")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait before")
    parser.add_argument("--sockets", type=int, default=0, help="idle clients to connect first")
    args = parser.parse_args()
    if args.seconds <= 0 or args.settle < 0 or args.sockets < 0:
        parser.error("--seconds must be positive, --settle and --sockets not negative")
    raise_open_files_limit()
    rows = asyncio.run(measure_idle(args.seconds, args.settle, args.sockets))
    sys.stdout.write("| process | CPU ms/s | wake-ups/s |\n|---|---|---|\n")
    for role, row in rows.items():
        sys.stdout.write(f"| {role} | {row['cpu_ms_per_s']:.2f} | {row['wakeups_per_s']:.1f} |\n")
    total_cpu = sum(row["cpu_ms_per_s"] for row in rows.values())
    total_wakeups = sum(row["wakeups_per_s"] for row in rows.values())
    sys.stdout.write(f"| all | {total_cpu:.2f} | {total_wakeups:.1f} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
