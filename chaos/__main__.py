"""``python -m chaos <scenario|all> [options]``: run a fault scenario and print its figures."""

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .figures import Figures
from .scenarios import SCENARIOS, Options, run_scenario


def build_parser() -> argparse.ArgumentParser:
    """The command line; defaults are the full forms of issue 5."""
    defaults = Options()
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--messages", type=int, default=defaults.messages)
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument("--restarts", type=int, default=defaults.restarts)
    parser.add_argument("--period", type=float, default=defaults.period, help="s per restart")
    parser.add_argument("--offline-seconds", type=float, default=defaults.offline_seconds)
    parser.add_argument("--down-seconds", type=float, default=defaults.down_seconds)
    parser.add_argument(
        "--burst-seconds", type=float, default=defaults.burst_seconds, help="spread each burst"
    )
    parser.add_argument("--root", type=Path, help="keep the store and logs here")
    return parser


async def run(names: Sequence[str], options: Options) -> list[Figures]:
    """Run the scenarios one after another, printing each table as it finishes."""
    results = []
    for name in names:
        if options.root is not None:
            options.root = options.root.parent / name if len(names) > 1 else options.root
        figures = await run_scenario(name, options)
        print(figures.table(), "\n", flush=True)
        results.append(figures)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run, print."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    # Fewer messages than users would leave some of them idle: fine, but never zero users.
    options = Options(
        messages=args.messages,
        clients=max(1, args.clients),
        restarts=args.restarts,
        period=args.period,
        offline_seconds=args.offline_seconds,
        down_seconds=args.down_seconds,
        burst_seconds=args.burst_seconds,
        root=args.root,
    )
    results = asyncio.run(run(names, options))
    clean = all(f.lost == 0 and f.duplicates == 0 and f.gaps == 0 for f in results)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
