"""``python -m benchmarks.command_floor`` works: each handler answers every command.

Not how fast: its figures are for benchmarks/FINDINGS.md, from a full-size run.
"""

import subprocess
import sys

from benchmarks.command_floor import HANDLERS, compare


async def test_every_handler_answers_and_is_measured() -> None:
    results = await compare(rate=50, seconds=0.4, rounds=1)
    assert [kind for kind, _ in results] == HANDLERS
    for _, figures in results:
        # Each process did work for each command, and each event came after its request.
        assert figures["handler_us"] > 0 and figures["nats_us"] > 0 and figures["driver_us"] > 0
        assert 0 < figures["event_p50_ms"] <= figures["event_p99_ms"]


def test_the_command_prints_a_row_per_run_of_the_handlers_asked_for() -> None:
    printed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.command_floor",
            "--handlers",
            "nats-py",
            "--rate",
            "50",
            "--seconds",
            "0.2",
            "--rounds",
            "2",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line for line in printed.splitlines() if line.startswith("| nats-py |")]
    assert len(rows) == 2
    assert all(len(row.strip("|").split("|")) == 7 for row in rows)


def test_the_command_refuses_a_rate_that_is_not_positive() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "benchmarks.command_floor", "--rate", "0"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert "must be positive" in refused.stderr


def test_the_command_refuses_a_run_too_short_for_one_command() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "benchmarks.command_floor", "--rate", "1", "--seconds", "0.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "must make at least one command" in refused.stderr
