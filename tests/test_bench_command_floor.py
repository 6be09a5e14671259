"""``python -m benchmarks.command_floor`` works: each handler answers every command.

Not how fast: its figures are for benchmarks/FINDINGS.md, from a full-size run.
"""

import subprocess
import sys

from benchmarks.command_floor import HANDLERS, compare


async def test_every_handler_answers_and_is_measured() -> None:
    results = await compare(rate=50, seconds=0.4, rounds=1)
    assert [kind for kind, _ in results] == HANDLERS
    assert all(figures["handler_us"] >= 0 and figures["nats_us"] >= 0 for _, figures in results)


def test_the_command_refuses_a_rate_that_is_not_positive() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "benchmarks.command_floor", "--rate", "0"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert "must be positive" in refused.stderr
