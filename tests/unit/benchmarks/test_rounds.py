"""Several rounds of a workload are reported as their median round, ratios paired by round."""

from typing import Any

from benchmarks.report import check_targets, markdown_table
from benchmarks.rounds import combine_rounds, paired_ratio
from benchmarks.workloads import full_workloads


def _figures(**changes: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "messages": 100,
        "sockets": 2,
        "expected_deliveries": 200,
        "delivered": 200,
        "lost": 0,
        "undelivered": 0,
        "duplicated": 0,
        "incomplete_messages": 0,
        "failed_acks": 0,
        "ack_errors": [],
        "fanout_p50_ms": 1.0,
        "fanout_p99_ms": 2.0,
        "delivered_per_s": 400.0,
        "connect_p50_ms": 5.0,
        "connect_p99_ms": 9.0,
        "connect_retries": 0,
        "connect_retry_reasons": [],
        "server_cpu_s": {"edge": 0.1, "nats": 0.05},
        "server_cpu_us_per_delivered_total": 100.0,
        "generator_cpu": [0.05, 0.06],
        "sockets_closed_early": 0,
        "valid": True,
    }
    return figures | changes


def test_counts_add_up_and_figures_take_the_median_round() -> None:
    rounds = [
        _figures(fanout_p50_ms=1.0, lost=1, server_cpu_s={"edge": 0.3, "nats": 0.05}),
        _figures(fanout_p50_ms=9.0, ack_errors=["timeout"]),
        _figures(fanout_p50_ms=2.0, server_cpu_s={"edge": 0.2, "nats": 0.01}),
    ]
    combined = combine_rounds(rounds)
    assert combined["fanout_p50_ms"] == 2.0  # one slow round does not move it
    assert combined["lost"] == 1  # a message lost in any round is lost
    assert combined["delivered"] == 600 and combined["messages"] == 300
    assert combined["server_cpu_s"] == {"edge": 0.2, "nats": 0.05}
    assert combined["ack_errors"] == ["timeout"]
    assert combined["generator_cpu"] == [0.05, 0.06] * 3
    assert combined["rounds"] == rounds


def test_one_round_is_reported_as_it_is_and_a_failed_round_fails_the_whole() -> None:
    single = _figures()
    assert combine_rounds([single]) is single
    combined = combine_rounds([_figures(), {"error": "RuntimeError: a generator exited (1)"}])
    assert combined["error"] == "RuntimeError: a generator exited (1)"
    assert combine_rounds([_figures(), _figures(valid=False)])["valid"] is False


def test_a_ratio_is_the_median_of_the_rounds_ratios_not_the_ratio_of_medians() -> None:
    # Each round's pair ran back to back; the machine got slower for both in round 2.
    ours = combine_rounds([_figures(fanout_p50_ms=v) for v in (1.0, 3.0, 1.2)])
    theirs = combine_rounds([_figures(fanout_p50_ms=v) for v in (1.0, 3.0, 0.6)])
    ratio, ratios = paired_ratio(ours, theirs, "fanout_p50_ms")
    assert ratios == [1.0, 1.0, 2.0]
    assert ratio == 1.0  # the ratio of the medians would say 1.2 / 1.0


def test_the_table_shows_the_median_ratio_and_the_range_of_the_rounds() -> None:
    scenario = next(w for w in full_workloads() if w.name == "room-10")
    assert scenario.rounds > 1
    ours = combine_rounds(
        [_figures(server_cpu_us_per_delivered_total=v) for v in (100.0, 160.0, 90.0)]
    )
    theirs = combine_rounds([_figures(server_cpu_us_per_delivered_total=100.0)] * 3)
    checks = check_targets(scenario, {"chatbus": ours, "baseline": theirs})
    cpu = next(row for row in checks if row["metric"].startswith("server CPU"))
    assert cpu["ratio"] == 1.0 and cpu["round_ratios"] == [1.0, 1.6, 0.9]
    assert cpu["met"] is False
    table = markdown_table([{"name": "room-10", "checks": checks}])
    assert "| 100.0 | 100.0 | 1.0 (0.9–1.6) | ≤ 0.8× | **no** |" in table
