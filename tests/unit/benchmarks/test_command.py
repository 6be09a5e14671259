"""``chatbus bench --only`` and ``--rounds`` pick what runs."""

import argparse

from benchmarks.chatbus_command import add_arguments
from benchmarks.command import chosen_workloads


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
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
