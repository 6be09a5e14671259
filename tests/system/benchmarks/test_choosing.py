"""``chatbus bench --only`` and ``--rounds`` pick what runs, and refuse what cannot."""

import subprocess
import sys

from tests.support.paths import ROOT


def bench(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.ops.cli", "bench", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_refuses_no_rounds_before_starting_anything() -> None:
    refused = bench("--only", "room-2", "--rounds", "0")
    assert refused.returncode == 2
    assert "chatbus bench: --rounds must be at least 1, not 0" in refused.stderr
    assert refused.stdout == ""


def test_the_command_names_the_workloads_when_one_is_unknown() -> None:
    refused = bench("--only", "room-3")
    assert refused.returncode == 2
    assert "no workload ['room-3']; choose from room-2, room-10" in refused.stderr
