"""Running one scenario against one system, and turning what happened into figures.

The runner starts the generator processes with their plans, waits until every
socket is connected, reads each server process's CPU, starts everyone at the
same instant, reads the CPU again once every generator has its results, and
only then lets the sockets close.
"""

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from .measure import cpu_seconds, percentile, rss_kib
from .scenario import Scenario, expected_per_message, generator_plans
from .systems import REPO, System, child_env

__all__ = ["GENERATOR_CPU_LIMIT", "measure"]

# A generator process busier than this share of one core may be what limits the run.
GENERATOR_CPU_LIMIT = 0.85
GO_DELAY_SECONDS = 0.5
READY_TIMEOUT_SECONDS = 600.0
MEMORY_SAMPLE_SECONDS = 2.0
# Quiet: all the system's processes together use at most this share of a core. Not less:
# chatbus's five processes use 0.1-0.2 of a core at rest with 1,000 idle sockets.
QUIET_SHARE = 0.3
SETTLE_WINDOW_SECONDS = 0.5
SETTLE_TIMEOUT_SECONDS = 120.0


class _Generator:
    """One ``python -m benchmarks.generator`` process, fed one plan."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, plan: dict[str, Any]) -> "_Generator":
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.generator",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO,
            env={**os.environ, **child_env()},
            limit=1 << 30,
        )
        generator = cls(process)
        await generator.tell(plan)
        return generator

    async def tell(self, line: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(line).encode() + b"\n")
        await self.process.stdin.drain()

    async def hear(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not raw:
            raise RuntimeError(f"a generator exited ({await self.process.wait()})")
        line: dict[str, Any] = json.loads(raw)
        if "error" in line:
            raise RuntimeError(f"a generator failed: {line['error']}")
        return line

    async def finish(self) -> None:
        if self.process.returncode is None:
            try:
                await self.tell({"close": True})
                await asyncio.wait_for(self.process.wait(), 30)
            except (TimeoutError, ConnectionError):
                self.process.kill()
                await self.process.wait()


async def measure(system: System, scenario: Scenario, tag: str) -> dict[str, Any]:
    """Run ``scenario`` against ``system``; its figures (see ``summarise``)."""
    setup = await system.set_up(scenario, tag)
    processes = min(scenario.processes, len(scenario.sockets))
    plans = generator_plans(scenario, setup, processes)
    pids = system.pids()
    settle_s = await settle(pids)
    rss_idle = {role: rss_kib(pid) for role, pid in pids.items()}
    generators: list[_Generator] = []
    try:
        for plan in plans:
            generators.append(await _Generator.start(plan))
        readies = await asyncio.gather(*(g.hear(READY_TIMEOUT_SECONDS) for g in generators))
        rss_connected = {role: rss_kib(pid) for role, pid in pids.items()}
        # What connecting set off (chatbus: presence events to every socket) is not the workload.
        settle_s += await settle(pids)
        cpu_before = {role: cpu_seconds(pid) for role, pid in pids.items()}
        go_at_ns = time.monotonic_ns() + int(GO_DELAY_SECONDS * 1e9)
        for generator in generators:
            await generator.tell({"go_at_ns": go_at_ns})
        timeout = scenario.send_seconds + 2 * scenario.drain_seconds + 60 + len(scenario.sends) / 50
        hearing = asyncio.gather(*(g.hear(timeout) for g in generators))
        memory = await _sample_memory(pids, hearing) if scenario.sample_memory else []
        results = await hearing
        cpu_after = {role: cpu_seconds(pid) for role, pid in pids.items()}
    finally:
        await asyncio.gather(*(g.finish() for g in generators), return_exceptions=True)
    cpu = {role: cpu_after[role] - cpu_before[role] for role in pids}
    figures = summarise(
        scenario, system, readies, results, cpu, go_at_ns, rss_idle, rss_connected, memory
    )
    return figures | {"settle_s": round(settle_s, 1)}


async def settle(pids: dict[str, int]) -> float:
    """Wait until the system is quiet (its processes together under ``QUIET_SHARE`` of a core).

    Returns the seconds waited; gives up (and goes on) after ``SETTLE_TIMEOUT_SECONDS``.
    """
    started = time.monotonic()
    before = sum(cpu_seconds(pid) for pid in pids.values())
    while time.monotonic() - started < SETTLE_TIMEOUT_SECONDS:
        await asyncio.sleep(SETTLE_WINDOW_SECONDS)
        after = sum(cpu_seconds(pid) for pid in pids.values())
        if after - before <= QUIET_SHARE * SETTLE_WINDOW_SECONDS:
            break
        before = after
    return time.monotonic() - started


async def _sample_memory(
    pids: dict[str, int], hearing: "asyncio.Future[list[dict[str, Any]]]"
) -> list[dict[str, int]]:
    """Every process's RSS every couple of seconds until the results are in."""
    samples: list[dict[str, int]] = []
    while not hearing.done():
        samples.append({role: rss_kib(pid) for role, pid in pids.items()})
        await asyncio.wait([hearing], timeout=MEMORY_SAMPLE_SECONDS)
    return samples


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarise(
    scenario: Scenario,
    system: System,
    readies: list[dict[str, Any]],
    results: list[dict[str, Any]],
    cpu: dict[str, float],
    go_at_ns: int,
    rss_idle: dict[str, int],
    rss_connected: dict[str, int],
    memory: list[dict[str, int]],
) -> dict[str, Any]:
    """The figures of one run: latency, throughput, losses, CPU, memory, connect times."""
    wanted = expected_per_message(scenario)
    acked = {index for result in results for index in result.get("acked_indices", [])}
    fanout_ms: list[float] = []
    incomplete = 0
    lost = 0  # deliveries missing of messages whose send was acknowledged
    for index, expected in enumerate(wanted):
        got = sum(result["counts"][index] for result in results)
        if got == expected:
            fanout_ms.append(max(result["slowest_us"][index] for result in results) / 1000)
        else:
            incomplete += 1
            if index in acked:
                lost += expected - got
    expected_total = sum(result["expected"] for result in results)
    delivered = sum(result["unique"] for result in results)
    last = max((result["last_delivery_ns"] for result in results), default=0)
    window = (last - go_at_ns) / 1e9 if last > go_at_ns else None
    connect_ms = [ms for ready in readies for ms in ready["connect_ms"]]
    ack_ms = [ms for result in results for ms in result["ack_ms"]]
    page_ms = [ms for result in results for ms in result.get("page_ms", [])]
    sockets = len(scenario.sockets)
    front_growth = rss_connected[system.front] - rss_idle[system.front]
    figures: dict[str, Any] = {
        "messages": len(wanted),
        "sockets": sockets,
        "expected_deliveries": expected_total,
        "delivered": delivered,
        "lost": lost,
        # Also what sends that failed or were still unanswered would have delivered.
        "undelivered": expected_total - delivered,
        "duplicated": sum(result["duplicates"] for result in results),
        "incomplete_messages": incomplete,
        "failed_acks": sum(result["failed_acks"] for result in results),
        "ack_errors": [error for result in results for error in result["ack_errors"]][:5],
        "fanout_p50_ms": _ms(percentile(fanout_ms, 0.5)),
        "fanout_p99_ms": _ms(percentile(fanout_ms, 0.99)),
        "fanout_max_ms": _ms(max(fanout_ms, default=None)),
        "ack_p50_ms": _ms(percentile(ack_ms, 0.5)),
        "ack_p99_ms": _ms(percentile(ack_ms, 0.99)),
        "delivered_per_s": round(delivered / window, 1) if window else None,
        "connect_p50_ms": _ms(percentile(connect_ms, 0.5)),
        "connect_p99_ms": _ms(percentile(connect_ms, 0.99)),
        "connect_retries": sum(ready["connect_retries"] for ready in readies),
        "connect_retry_reasons": sorted(
            {reason for ready in readies for reason in ready["connect_retry_reasons"]}
        )[:5],
        "server_cpu_s": {role: round(seconds, 3) for role, seconds in cpu.items()},
        "server_cpu_us_per_delivered": {
            role: round(seconds * 1e6 / delivered, 1) if delivered else None
            for role, seconds in cpu.items()
        },
        "server_cpu_us_per_delivered_total": (
            round(sum(cpu.values()) * 1e6 / delivered, 1) if delivered else None
        ),
        "rss_kib_before_connect": rss_idle,
        "rss_kib_connected": rss_connected,
        "rss_kib_per_connection": round(front_growth / sockets, 2) if sockets else None,
        "generator_cpu": [round(r["cpu_s"] / r["wall_s"], 3) for r in results if r["wall_s"]],
        "generator_connect_cpu_s": [round(ready["connect_cpu_s"], 2) for ready in readies],
        "sockets_closed_early": sum(result["closed_early"] for result in results),
    }
    figures["valid"] = max(figures["generator_cpu"], default=0) <= GENERATOR_CPU_LIMIT
    if page_ms:
        figures |= {
            "history_pages": len(page_ms),
            "history_bad_pages": sum(result.get("bad_pages", 0) for result in results),
            "history_page_errors": [e for r in results for e in r.get("page_errors", [])][:5],
            "history_p50_ms": _ms(percentile(page_ms, 0.5)),
            "history_p99_ms": _ms(percentile(page_ms, 0.99)),
        }
    if memory:
        figures["memory_samples_kib"] = memory
        figures["memory_growth_kib"] = _growth(memory)
    return figures


def _growth(samples: list[dict[str, int]]) -> dict[str, int]:
    """Per process: RSS at the end minus RSS a quarter of the way in (after warm-up)."""
    settled = samples[len(samples) // 4]
    return {role: samples[-1][role] - settled[role] for role in samples[-1]}


def write_json(path: Path, report: dict[str, Any]) -> None:
    """Write ``report`` as indented JSON, creating the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
