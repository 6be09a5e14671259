"""``chatbus bench --only`` and ``--rounds`` pick what runs, and refuse what cannot."""

import argparse
import subprocess
import sys

from benchmarks.command import chosen_workloads
from services.ops.cli import add_bench
from tests.support.paths import ROOT


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_bench(parser)
    return parser.parse_args(argv)


def test_rounds_apply_to_the_workloads_that_run_in_rounds_only() -> None:
    default = {w.name: w.rounds for w in chosen_workloads(parsed())}
    asked = {w.name: w.rounds for w in chosen_workloads(parsed("--rounds", "7"))}
    assert asked.keys() == default.keys()
    for name, rounds in default.items():
        assert asked[name] == (7 if rounds > 1 else 1), name
    assert asked["room-100"] == 7 and asked["history-1M"] == 1


def test_only_and_rounds_together() -> None:
    chosen = chosen_workloads(parsed("--only", "room-100", "room-100x10", "--rounds", "9"))
    assert [(w.name, w.rounds) for w in chosen] == [("room-100", 9), ("room-100x10", 9)]


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
