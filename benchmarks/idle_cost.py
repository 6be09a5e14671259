"""``python -m benchmarks.idle_cost``: what chatbus costs with nobody connected.

Starts nats-server, the three handler services and the edge as ``chatbus bench``
does, waits until they have settled, then prints each process's CPU per second
and how often it woke in ``--seconds``. An idle process wakes only for its
timers, and on a VM each wake-up costs tens to hundreds of µs: what a quiet
deployment burns, and what every busy workload pays on top of its messages.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from .measure import threads_cpu_ns, threads_wakeups
from .systems import Chatbus


async def measure_idle(seconds: float, settle_seconds: float) -> dict[str, dict[str, float]]:
    """Role -> CPU ms per second and wake-ups per second, over ``seconds`` of nothing to do."""
    with tempfile.TemporaryDirectory(prefix="chatbus-idle-cost-") as work_dir:
        system = Chatbus()
        async with system.running(Path(work_dir)):
            await asyncio.sleep(settle_seconds)
            pids = system.pids()
            cpu = {role: threads_cpu_ns(pid) for role, pid in pids.items()}
            wakeups = {role: threads_wakeups(pid) for role, pid in pids.items()}
            started = time.monotonic()
            await asyncio.sleep(seconds)
            elapsed = time.monotonic() - started
            return {
                role: {
                    "cpu_ms_per_s": (threads_cpu_ns(pid) - cpu[role]) / 1e6 / elapsed,
                    "wakeups_per_s": (threads_wakeups(pid) - wakeups[role]) / elapsed,
                }
                for role, pid in pids.items()
            }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.idle_cost", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to measure")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait before")
    args = parser.parse_args()
    if args.seconds <= 0 or args.settle < 0:
        parser.error("--seconds must be positive and --settle not negative")
    rows = asyncio.run(measure_idle(args.seconds, args.settle))
    sys.stdout.write("| process | CPU ms/s | wake-ups/s |\n|---|---|---|\n")
    for role, row in rows.items():
        sys.stdout.write(f"| {role} | {row['cpu_ms_per_s']:.2f} | {row['wakeups_per_s']:.1f} |\n")
    total_cpu = sum(row["cpu_ms_per_s"] for row in rows.values())
    total_wakeups = sum(row["wakeups_per_s"] for row in rows.values())
    sys.stdout.write(f"| all | {total_cpu:.2f} | {total_wakeups:.1f} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
