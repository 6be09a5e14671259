"""The options of ``chatbus bench``: kept apart so the ``chatbus`` command stays quick to load."""

import argparse
from pathlib import Path

__all__ = ["DEFAULT_OUT", "add_arguments"]

DEFAULT_OUT = Path("benchmarks/results/latest.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``chatbus bench [--smoke] [--out PATH] [--only NAME ...]``."""
    parser.add_argument(
        "--smoke", action="store_true", help="a quick run (under a minute) proving the bench works"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to write the JSON report (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="run only these workloads (e.g. room-10 idle-1000)",
    )
