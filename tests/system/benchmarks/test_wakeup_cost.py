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


def test_a_sleeping_side_waits_at_each_round_trip_and_a_spinning_one_never() -> None:
    # What tells the two ways apart on any machine: how much CPU spinning gets depends on
    # what else runs, but a side that polls never blocks, and one that waits in recv does
    # whenever the other's byte is not there yet, which a hop to another process ensures.
    sleeping = ping_pong(200, spin=False)
    spinning = ping_pong(200, spin=True)
    assert sleeping.waits >= 0.2
    assert spinning.waits <= 0.02
    assert spinning.cpu_us > 0


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
