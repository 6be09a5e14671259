"""``chatbus bench``, added to the ``chatbus`` command from outside the wheel.

``services.ops.cli`` imports this module where it is importable (a checkout) and
calls ``register``; it stays small, so that building the parser costs every
``chatbus`` command nothing: the benchmark itself is imported when it runs.
"""

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.core.settings import Settings
    from services.ops.cli import AddCommand

__all__ = ["add_arguments", "register"]


def register(add: "AddCommand") -> None:
    """Add ``bench`` to the ``chatbus`` command."""
    add_arguments(add("bench", bench, "benchmark chatbus against a plain socket.io server"))


def bench(args: argparse.Namespace, settings: "Settings") -> int:
    """chatbus against a plain python-socketio server, same run, alternating A/B."""
    from .command import run_bench

    return run_bench(args)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``chatbus bench [--smoke] [--out PATH] [--only NAME ...] [--rounds N]``."""
    parser.add_argument(
        "--smoke", action="store_true", help="a quick run (under a minute) proving the bench works"
    )
    parser.add_argument(
        "--out",
        default="benchmarks/results/latest.json",
        help="where to write the JSON report (default: %(default)s)",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="run only these workloads (e.g. room-10)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        metavar="N",
        help="rounds of each workload that runs in rounds (the rooms and the mix; 3 in a full run)",
    )
