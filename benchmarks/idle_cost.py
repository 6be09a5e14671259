"""``python -m benchmarks.idle_cost``: what chatbus costs with nothing to do.

Starts nats-server, the three handler services and the edge as ``chatbus bench``
does, connects ``--sockets`` idle clients (none by default; they answer pings
and send nothing), waits until everything has settled, then prints each
process's CPU per second and how often it woke in ``--seconds``; with
sockets, also each process's CPU per connect and the edge's resident memory
per socket (what it grew by while they connected, as the bench's idle rows
count it). An idle process wakes only for its timers and its clients' pings,
and each wake-up costs what ``benchmarks.wakeup_cost`` measures: what a quiet
deployment burns, and what every busy workload pays on top of its messages.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from .command import raise_open_files_limit
from .measure import rss_kib, threads_cpu_ns, threads_wakeups
from .scenario import Setup, idle_scenario
from .systems import Chatbus
from .wire import BenchClient

CONNECTS_AT_ONCE = 50


async def measure_idle(
    seconds: float, settle_seconds: float, sockets: int = 0
) -> dict[str, dict[str, float]]:
    """Role -> CPU ms per second and wake-ups per second, over ``seconds`` of nothing to do.

    With ``sockets``, each row also has ``cpu_us_per_connect`` and the edge's
    ``rss_kib_per_socket``.
    """
    with tempfile.TemporaryDirectory(prefix="chatbus-idle-cost-") as work_dir:
        system = Chatbus()
        async with system.running(Path(work_dir)):
            pids = system.pids()
            clients = []
            if sockets:
                setup, users = await set_up_idle(system, sockets)
                rss_before = rss_kib(pids[system.front])
                cpu_before = {role: threads_cpu_ns(pid) for role, pid in pids.items()}
                clients = await connect_clients(setup, users)
                rss_per_socket = (rss_kib(pids[system.front]) - rss_before) / sockets
                connect_cpu = {
                    role: (threads_cpu_ns(pid) - cpu_before[role]) / 1e3 / sockets
                    for role, pid in pids.items()
                }
            await asyncio.sleep(settle_seconds)
            cpu = {role: threads_cpu_ns(pid) for role, pid in pids.items()}
            wakeups = {role: threads_wakeups(pid) for role, pid in pids.items()}
            started = time.monotonic()
            await asyncio.sleep(seconds)
            elapsed = time.monotonic() - started
            for client in clients:
                await client.close()
            rows = {
                role: {
                    "cpu_ms_per_s": (threads_cpu_ns(pid) - cpu[role]) / 1e6 / elapsed,
                    "wakeups_per_s": (threads_wakeups(pid) - wakeups[role]) / elapsed,
                }
                for role, pid in pids.items()
            }
            if sockets:
                for role, row in rows.items():
                    row["cpu_us_per_connect"] = connect_cpu[role]
                rows[system.front]["rss_kib_per_socket"] = rss_per_socket
            return rows


async def set_up_idle(system: Chatbus, sockets: int) -> tuple[Setup, list[int]]:
    """Users for ``sockets`` clients (a thousand sockets each, as the bench's idle row)."""
    scenario = idle_scenario("idle-cost", idle=sockets, members=1, rate=1, seconds=1)
    setup = await system.set_up(scenario, "idle-cost")
    return setup, scenario.sockets[-sockets:]  # not the busy room's member


async def connect_idle(system: Chatbus, sockets: int) -> list[BenchClient]:
    """``sockets`` idle clients of a few users."""
    return await connect_clients(*await set_up_idle(system, sockets))


async def connect_clients(setup: Setup, users: list[int]) -> list[BenchClient]:
    """A client per entry of ``users`` (the user it logs in as), 50 connecting at once."""
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)

    async def connect(user: int) -> BenchClient:
        async with gate:
            client = BenchClient(setup.url, lambda name, data: None)
            await client.connect(setup.auth[user])
            return client

    return list(await asyncio.gather(*(connect(user) for user in users)))


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
    connects = args.sockets > 0
    sys.stdout.write("| process | CPU ms/s | wake-ups/s |" + (" CPU µs per connect |" * connects))
    sys.stdout.write("\n|---|---|---|" + ("---|" * connects) + "\n")
    for role, row in rows.items():
        line = f"| {role} | {row['cpu_ms_per_s']:.2f} | {row['wakeups_per_s']:.1f} |"
        if connects:
            line += f" {row['cpu_us_per_connect']:.0f} |"
        sys.stdout.write(line + "\n")
    total_cpu = sum(row["cpu_ms_per_s"] for row in rows.values())
    total_wakeups = sum(row["wakeups_per_s"] for row in rows.values())
    total = f"| all | {total_cpu:.2f} | {total_wakeups:.1f} |"
    if connects:
        total += f" {sum(row['cpu_us_per_connect'] for row in rows.values()):.0f} |"
    sys.stdout.write(total + "\n")
    for role, row in rows.items():
        if "rss_kib_per_socket" in row:
            kib = row["rss_kib_per_socket"]
            sys.stdout.write(f"\n{role}: {kib:.2f} KiB of resident memory per socket\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
