"""``chatbus bench --smoke`` works: it measures both systems and loses nothing.

This checks the benchmark itself (table, JSON, figures for every workload, no
message lost or duplicated), never how fast chatbus is.
"""

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.paths import ROOT

SMOKE_BOUND_SECONDS = 100


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """One ``chatbus bench --smoke`` run: its output and its JSON report."""
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    result = subprocess.run(
        [sys.executable, "-m", "services.ops.cli", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SMOKE_BOUND_SECONDS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, json.loads(out.read_text())


def test_smoke_bench_prints_the_table_of_both_systems(
    smoke_run: tuple[str, dict[str, Any]],
) -> None:
    output, report = smoke_run
    assert "| workload | metric | chatbus | baseline | ratio | target | met |" in output
    for workload in report["workloads"]:
        assert f"| {workload['name']} | lost / duplicated / failed sends |" in output


def test_smoke_bench_loses_and_duplicates_nothing(smoke_run: tuple[str, dict[str, Any]]) -> None:
    _, report = smoke_run
    assert report["mode"] == "smoke" and report["clean"] is True
    for workload in report["workloads"]:
        for system, figures in workload["figures"].items():
            where = f"{workload['name']} on {system}"
            assert figures["lost"] == 0, where
            assert figures["duplicated"] == 0, where
            assert figures["failed_acks"] == 0, where
            assert figures["delivered"] == figures["expected_deliveries"], where
            assert figures["valid"] is True, where


def test_smoke_bench_has_figures_for_every_workload(smoke_run: tuple[str, dict[str, Any]]) -> None:
    _, report = smoke_run
    kinds = {workload["kind"] for workload in report["workloads"]}
    assert {"room", "idle", "history"} <= kinds
    assert report["machine"]["cores"] >= 1
    for workload in report["workloads"]:
        systems = set(workload["figures"])
        assert systems == (
            {"chatbus"} if workload["kind"] == "history" else {"chatbus", "baseline"}
        )
        for figures in workload["figures"].values():
            assert figures["connect_p50_ms"] is not None
            assert figures["generator_cpu"], workload["name"]
            if figures["messages"]:
                assert figures["delivered"] > 0
                assert figures["fanout_p50_ms"] is not None
                assert figures["fanout_p99_ms"] >= figures["fanout_p50_ms"]
                assert figures["delivered_per_s"] > 0
                assert figures["server_cpu_us_per_delivered_total"] is not None
        if workload["kind"] == "idle":
            assert workload["figures"]["chatbus"]["rss_kib_per_connection"] is not None
        if workload["kind"] == "history":
            history = workload["figures"]["chatbus"]
            assert history["history_pages"] > 0 and history["history_bad_pages"] == 0
            assert history["history_p99_ms"] is not None


def test_smoke_bench_alternates_which_system_goes_first(
    smoke_run: tuple[str, dict[str, Any]],
) -> None:
    _, report = smoke_run
    orders = [w["order"] for w in report["workloads"] if len(w["order"]) == 2]
    assert ["chatbus", "baseline"] in orders and ["baseline", "chatbus"] in orders


def test_smoke_bench_runs_rounds_in_alternating_order_and_pairs_their_ratios(
    smoke_run: tuple[str, dict[str, Any]],
) -> None:
    output, report = smoke_run
    workload = next(w for w in report["workloads"] if w["rounds"] > 1)
    first, second = workload["orders"][:2]
    assert first == second[::-1] and sorted(first) == ["baseline", "chatbus"]
    ratios = []
    for figures in workload["figures"].values():
        rounds = figures["rounds"]
        assert len(rounds) == workload["rounds"]
        assert figures["delivered"] == sum(r["delivered"] for r in rounds)
        for one in rounds:
            assert one["delivered"] == one["expected_deliveries"] > 0
        ratios.append([r["server_cpu_us_per_delivered_total"] for r in rounds])
    cpu = next(r for r in workload["checks"] if r["metric"].startswith("server CPU"))
    ours, theirs = ratios if list(workload["figures"]) == ["chatbus", "baseline"] else ratios[::-1]
    assert cpu["round_ratios"] == [round(a / b, 2) for a, b in zip(ours, theirs, strict=True)]
    assert f"({min(cpu['round_ratios'])}–{max(cpu['round_ratios'])})" in output
