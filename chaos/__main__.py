"""``python -m chaos <scenario|all> [options]``: run fault scenarios and print their figures.

With no options each scenario runs its full form (``FULL_FORMS``), as README reports it.
The exit code is 1 when a message was lost, never stored, stored twice or left a gap.
"""

import argparse
import asyncio
import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .figures import Figures
from .scenarios import FULL_FORMS, SCENARIOS, Options, run_scenario

# Option name -> (type, help); every one defaults to the scenario's full form.
SIZES: dict[str, tuple[type, str]] = {
    "messages": (int, "messages in the burst"),
    "clients": (int, "socket.io users sending"),
    "restarts": (int, "nats-server restarts (nats-restarts)"),
    "period": (float, "seconds per restart (nats-restarts)"),
    "offline_seconds": (float, "seconds the user stays away (offline)"),
    "down_seconds": (float, "seconds nats-server stays dead (nats-kill)"),
    "burst_seconds": (float, "spread each burst over this long (0: as fast as acked)"),
}


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    for name, (kind, what) in SIZES.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=kind, help=what)
    parser.add_argument("--root", type=Path, help="keep each scenario's store and logs here")
    return parser


async def run(names: Sequence[str], overrides: dict[str, Any], root: Path | None) -> list[Figures]:
    """Run the scenarios one after another, printing each table as it finishes."""
    results = []
    for name in names:
        options = dataclasses.replace(FULL_FORMS.get(name, Options()), **overrides)
        options.root = root / name if root is not None else None
        figures = await run_scenario(name, options)
        print(figures.table(), "\n", flush=True)
        results.append(figures)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run, print."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    overrides = {name: getattr(args, name) for name in SIZES if getattr(args, name) is not None}
    results = asyncio.run(run(names, overrides, args.root))
    clean = all(
        f.lost == f.never_stored == f.duplicates == f.gaps == f.visible_duplicates == 0
        for f in results
    )
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
