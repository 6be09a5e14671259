"""The targets of README's Benchmark table checked against the figures, as markdown.

Each row: a workload, a metric, chatbus's figure, the baseline's, their
ratio, the target and whether it is met (blank where a row only informs).
"""

from typing import Any

from .rounds import paired_ratio
from .scenario import Scenario

__all__ = ["check_targets", "markdown_table"]

CPU_RATIO = 0.8
P50_RATIO = 1.2
P99_RATIO = 1.5
IDLE_KIB = 32.0
IDLE_CLIENTS = 10_000
HISTORY_P99_MS = 20.0
SUSTAINED_P99_MS = 100.0
# "Memory flat": no process grew by more than this after the first quarter of the run.
FLAT_GROWTH = 0.10
FLAT_SLACK_KIB = 8 * 1024
LATENCY_ROOMS = (10, 100)


def _row(
    metric: str,
    chatbus: Any,
    baseline: Any = None,
    target: str = "",
    met: bool | None = None,
    ratio: float | None = None,
    ratios: list[float] | None = None,
) -> dict[str, Any]:
    row = {
        "metric": metric,
        "chatbus": chatbus,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": met,
    }
    return row | ({"round_ratios": ratios} if ratios else {})


def check_targets(scenario: Scenario, figures: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of one workload: its figures beside the targets that apply to it."""
    failed = {system: f["error"] for system, f in figures.items() if "error" in f}
    if "chatbus" in failed:
        return [_row("error", failed.get("chatbus"), failed.get("baseline"), "runs", False)]
    ours = figures["chatbus"]
    theirs: dict[str, Any] = {} if failed else figures.get("baseline", {})
    rows: list[dict[str, Any]] = []
    if failed:
        rows.append(_row("error", None, failed["baseline"], "runs", False))
    figures = {"chatbus": ours, **({"baseline": theirs} if theirs else {})}
    clean = all(
        f["lost"] == 0 and f["duplicated"] == 0 and f["failed_acks"] == 0 for f in figures.values()
    )
    rows.append(
        _row(
            "lost / duplicated / failed sends",
            f"{ours['lost']} / {ours['duplicated']} / {ours['failed_acks']}",
            f"{theirs['lost']} / {theirs['duplicated']} / {theirs['failed_acks']}"
            if theirs
            else None,
            "0 / 0 / 0",
            clean,
        )
    )
    if ours["messages"]:
        cpu, base_cpu = (
            ours["server_cpu_us_per_delivered_total"],
            theirs.get("server_cpu_us_per_delivered_total"),
        )
        ratio, ratios = paired_ratio(ours, theirs, "server_cpu_us_per_delivered_total")
        rows.append(
            _row(
                "server CPU µs per delivered msg (all processes)",
                cpu,
                base_cpu,
                f"≤ {CPU_RATIO}×" if theirs else "",
                ratio <= CPU_RATIO if ratio is not None else None,
                ratio,
                ratios,
            )
        )
        latency_target = scenario.kind == "room" and scenario.params["members"] in LATENCY_ROOMS
        latency_target = latency_target and not scenario.sample_memory
        for name, bound in (("p50", P50_RATIO), ("p99", P99_RATIO)):
            key = f"fanout_{name}_ms"
            ratio, ratios = paired_ratio(ours, theirs, key)
            rows.append(
                _row(
                    f"fan-out latency {name} ms",
                    ours[key],
                    theirs.get(key),
                    f"≤ {bound}×" if latency_target else "",
                    (ratio <= bound if ratio is not None else False) if latency_target else None,
                    ratio,
                    ratios,
                )
            )
        ratio, ratios = paired_ratio(ours, theirs, "delivered_per_s")
        rows.append(
            _row(
                "delivered msgs/s",
                ours["delivered_per_s"],
                theirs.get("delivered_per_s"),
                ratio=ratio,
                ratios=ratios,
            )
        )
    rows.append(
        _row(
            "connect p50 / p99 ms (retries)",
            _connects(ours),
            _connects(theirs) if theirs else None,
        )
    )
    if scenario.kind == "idle":
        idle = scenario.params["idle"]
        per = ours["rss_kib_per_connection"]
        rows.append(
            _row(
                "RSS KiB per connection (front process)",
                per,
                theirs.get("rss_kib_per_connection"),
                f"≤ {IDLE_KIB:g} KiB",
                per is not None and per <= IDLE_KIB,
                paired_ratio(ours, theirs, "rss_kib_per_connection")[0],
            )
        )
        if idle >= IDLE_CLIENTS:
            connected = ours["sockets"] - ours["sockets_closed_early"]
            rows.append(
                _row(
                    "clients connected on one edge",
                    connected,
                    theirs["sockets"] - theirs["sockets_closed_early"] if theirs else None,
                    f"≥ {IDLE_CLIENTS:,}",
                    connected >= IDLE_CLIENTS,
                )
            )
    if scenario.kind == "history":
        p99 = ours.get("history_p99_ms")
        rows.append(
            _row(
                f"history page of 50, p50 / p99 ms ({scenario.params['stored']:,} stored)",
                f"{ours.get('history_p50_ms')} / {p99}",
                None,
                f"p99 ≤ {HISTORY_P99_MS:g} ms",
                p99 is not None and p99 <= HISTORY_P99_MS and ours["history_bad_pages"] == 0,
            )
        )
    if scenario.sample_memory:
        p99 = ours["fanout_p99_ms"]
        rows.append(
            _row(
                "sustained fan-out p99 ms",
                p99,
                theirs.get("fanout_p99_ms"),
                f"≤ {SUSTAINED_P99_MS:g} ms",
                p99 is not None and p99 <= SUSTAINED_P99_MS,
            )
        )
        growth = ours.get("memory_growth_kib", {})
        settled = ours["memory_samples_kib"][len(ours["memory_samples_kib"]) // 4]
        flat = all(
            grown <= settled[role] * FLAT_GROWTH + FLAT_SLACK_KIB for role, grown in growth.items()
        )
        rows.append(
            _row(
                "RSS growth KiB after warm-up",
                growth,
                theirs.get("memory_growth_kib"),
                "flat",
                flat,
            )
        )
    generator = max((cpu for f in figures.values() for cpu in f["generator_cpu"]), default=0.0)
    rows.append(
        _row(
            "busiest generator process, share of a core",
            max(ours["generator_cpu"], default=0.0),
            max(theirs["generator_cpu"], default=0.0) if theirs else None,
            "≤ 0.85 (else invalid)",
            generator <= 0.85,
        )
    )
    return rows


def _connects(figures: dict[str, Any]) -> str:
    retries = figures["connect_retries"]
    return f"{figures['connect_p50_ms']} / {figures['connect_p99_ms']}" + (
        f" ({retries} retried)" if retries else ""
    )


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def _ratio_cell(row: dict[str, Any]) -> str:
    """The ratio, and with rounds the lowest and highest round's: ``0.9 (0.86–0.95)``."""
    ratios = row.get("round_ratios")
    if not ratios or row["ratio"] is None:
        return _cell(row["ratio"])
    return f"{row['ratio']} ({min(ratios)}–{max(ratios)})"


def markdown_table(workloads: list[dict[str, Any]]) -> str:
    """All workloads' rows as one markdown table."""
    lines = [
        "| workload | metric | chatbus | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for workload in workloads:
        for row in workload["checks"]:
            cells = [
                workload["name"],
                row["metric"],
                _cell(row["chatbus"]),
                _cell(row["baseline"]),
                _ratio_cell(row),
                row["target"] or "",
                _cell(row["met"]) if row["met"] is not None else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
