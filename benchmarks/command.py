"""``chatbus bench``: every workload against chatbus and the baseline, alternating A/B.

In full mode each workload gets a newly started pair of systems (the smoke
run shares one pair); within a workload, one system is measured, then the
other, the order swapping from one workload to the next so that neither
always goes first. A workload with several rounds repeats that, swapping the
order each round, and reports the median round (``rounds``). Prints the
markdown table, writes the JSON report, and exits 1 when a run was not clean
(a message lost or duplicated, a failed send or history page, a generator
over its CPU limit, a workload that failed) — not when a speed target is missed.
"""

import argparse
import asyncio
import contextlib
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .report import check_targets, markdown_table
from .rounds import combine_rounds
from .runner import measure, write_json
from .scenario import Scenario
from .systems import Baseline, Chatbus, System
from .workloads import full_workloads, smoke_workloads

__all__ = ["chosen_workloads", "raise_open_files_limit", "run_bench"]

# Sockets on both ends of 10,000 idle clients, plus nats-server's and the stores' files.
WANTED_OPEN_FILES = 65_536


def run_bench(args: argparse.Namespace) -> int:
    """Run the benchmark; 0 when every workload ran cleanly."""
    try:
        workloads = chosen_workloads(args)
    except ValueError as error:
        sys.stderr.write(f"chatbus bench: {error}\n")
        return 2
    raise_open_files_limit()
    mode = "smoke" if args.smoke else "full"
    # The smoke run shares one pair of systems: starting chatbus costs seconds it has not got.
    report = asyncio.run(_bench(workloads, mode, fresh=not args.smoke))
    sys.stdout.write(markdown_table(report["workloads"]) + "\n")
    write_json(Path(args.out), report)
    sys.stdout.write(f"\nJSON report: {args.out}\n")
    if not report["clean"]:
        sys.stdout.write("the benchmark did not run cleanly: see the rows marked **no** above\n")
    return 0 if report["clean"] else 1


def chosen_workloads(args: argparse.Namespace) -> list[Scenario]:
    """The workloads ``--smoke``, ``--only`` and ``--rounds`` ask for.

    ``--rounds`` applies to the workloads that run in rounds (the rooms and the mix):
    a ratio near its target is settled by more rounds, not by a second look.
    """
    workloads = smoke_workloads() if args.smoke else full_workloads()
    if args.only:
        unknown = set(args.only) - {w.name for w in workloads}
        if unknown:
            names = ", ".join(w.name for w in workloads)
            raise ValueError(f"no workload {sorted(unknown)}; choose from {names}")
        workloads = [w for w in workloads if w.name in args.only]
    if args.rounds is not None:
        if args.rounds < 1:
            raise ValueError(f"--rounds must be at least 1, not {args.rounds}")
        workloads = [replace(w, rounds=args.rounds) if w.rounds > 1 else w for w in workloads]
    return workloads


@contextlib.asynccontextmanager
async def _both_running(work: Path) -> AsyncIterator[tuple[Chatbus, Baseline]]:
    chatbus, baseline = Chatbus(), Baseline()
    async with chatbus.running(work / "chatbus"), baseline.running(work):
        yield chatbus, baseline


async def _workload(
    number: int, scenario: Scenario, chatbus: Chatbus, baseline: Baseline, run_tag: str
) -> dict[str, Any]:
    """One workload on both systems, in an order that swaps from one workload (and one
    round) to the next, so that neither system always goes first."""
    systems: list[System] = [chatbus, baseline] if scenario.baseline else [chatbus]
    if number % 2:
        systems.reverse()
    rounds: dict[str, list[dict[str, Any]]] = {system.name: [] for system in systems}
    orders: list[list[str]] = []
    for round_number in range(scenario.rounds):
        order = systems if round_number % 2 == 0 else systems[::-1]
        orders.append([system.name for system in order])
        for system in order:
            tag = f"b{run_tag}w{number}r{round_number}{system.name[0]}"
            try:
                figures = await measure(system, scenario, tag)
            except Exception as error:  # reported in the table; the other workloads still run
                figures = {"error": f"{type(error).__name__}: {error}"}
            rounds[system.name].append(figures)
            of = f" (round {round_number + 1} of {scenario.rounds})" if scenario.rounds > 1 else ""
            sys.stderr.write(f"bench: {scenario.name} on {system.name} done{of}\n")
    combined = {name: combine_rounds(figures) for name, figures in rounds.items()}
    return {
        "name": scenario.name,
        "kind": scenario.kind,
        "params": scenario.params,
        "rounds": scenario.rounds,
        "order": orders[0],
        "orders": orders,
        "figures": combined,
        "checks": check_targets(scenario, combined),
    }


async def _bench(workloads: list[Scenario], mode: str, fresh: bool) -> dict[str, Any]:
    """Every workload; with ``fresh``, each on newly started systems (no state, no memory
    left over from the one before: RSS per connection is only meaningful on a fresh edge)."""
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    run_tag = format(int(time.time()) % 46656, "x")
    with tempfile.TemporaryDirectory(prefix="chatbus-bench-") as work:
        if fresh:
            for number, scenario in enumerate(workloads):
                async with _both_running(Path(work) / str(number)) as (chatbus, baseline):
                    results.append(await _workload(number, scenario, chatbus, baseline, run_tag))
        else:
            async with _both_running(Path(work)) as (chatbus, baseline):
                for number, scenario in enumerate(workloads):
                    results.append(await _workload(number, scenario, chatbus, baseline, run_tag))
    return {
        "mode": mode,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "fresh_systems_per_workload": fresh,
        "machine": _machine(),
        "clean": all(_clean(workload) for workload in results),
        "targets_met": all(
            row["met"] is not False for workload in results for row in workload["checks"]
        ),
        "workloads": results,
    }


def _clean(workload: dict[str, Any]) -> bool:
    """Whether the benchmark itself worked: nothing lost, no errors, generators not saturated."""
    for figures in workload["figures"].values():
        if "error" in figures:
            return False
        if figures["lost"] or figures["duplicated"] or figures["failed_acks"]:
            return False
        if figures.get("history_bad_pages") or not figures["valid"]:
            return False
    return True


def _machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_kib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_mib": memory_kib // 1024,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def raise_open_files_limit() -> None:
    """As many open sockets as the idle rows need, if the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WANTED_OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, WANTED_OPEN_FILES)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
