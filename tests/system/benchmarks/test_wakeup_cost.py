"""``python -m benchmarks.wakeup_cost`` works: it times round trips between two processes.

Not how fast they are: its figures are for benchmarks/FINDINGS.md.
"""

import subprocess
import sys

from benchmarks.wakeup_cost import ping_pong


def test_a_sleeping_round_trip_is_timed_and_both_sides_cpu_counted() -> None:
    sleeping = ping_pong(200, spin=False)
    assert sleeping.wall_us > 0
    # Two processes each make a syscall per hop: some CPU is always spent, on both sides.
    assert sleeping.cpu_us > 0


def test_a_spinning_round_trip_is_charged_the_time_spent_spinning() -> None:
    spinning = ping_pong(200, spin=True)
    # Neither side ever sleeps: the measuring one alone is busy for nearly all the wall
    # time (less only what the scheduler gives to others).
    assert spinning.cpu_us >= spinning.wall_us * 0.5


def test_the_command_prints_its_table_and_refuses_no_rounds() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "benchmarks.wakeup_cost", "--rounds", "100"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line for line in printed.stdout.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[1:]] == [
        "| sleeping (a wake-up per hop)",
        "| spinning (the TCP alone)",
        "| one process (no hop)",
    ]
    refused = subprocess.run(
        [sys.executable, "-m", "benchmarks.wakeup_cost", "--rounds", "0"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert "--rounds must be positive" in refused.stderr
