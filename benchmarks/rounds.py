"""One system's figures over several rounds of a workload, and paired ratios between systems.

On these VMs one run's figures move by up to a quarter from the next. A
workload with ``rounds`` measures each system that many times, alternating
which goes first, and reports the median round: counts add up (a message
lost in any round is lost), figures and per-process CPU take the median, and
a ratio is the median of the rounds' ratios, each between two runs made one
after the other.
"""

import statistics
from typing import Any

__all__ = ["combine_rounds", "paired_ratio"]

# Summed over rounds: what went wrong, and how much was done.
COUNTS = (
    "messages",
    "sockets",
    "expected_deliveries",
    "delivered",
    "lost",
    "undelivered",
    "duplicated",
    "incomplete_messages",
    "failed_acks",
    "connect_retries",
    "sockets_closed_early",
    "history_pages",
    "history_bad_pages",
)
# Joined over rounds.
LISTS = (
    "ack_errors",
    "connect_retry_reasons",
    "generator_cpu",
    "generator_connect_cpu_s",
    "history_page_errors",
)


def combine_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One system's figures from each round of a workload, as one set (see the module).

    A single round is returned as it is; a round that failed makes the whole fail.
    """
    if len(rounds) == 1:
        return rounds[0]
    failed = [figures["error"] for figures in rounds if "error" in figures]
    if failed:
        return {"error": failed[0], "rounds": rounds}
    combined: dict[str, Any] = {}
    for key, first in rounds[0].items():
        values: list[Any] = [figures.get(key) for figures in rounds]
        if key in COUNTS:
            combined[key] = sum(values)
        elif key in LISTS:
            combined[key] = [item for value in values for item in value]
        elif key == "valid":
            combined[key] = all(values)
        elif isinstance(first, dict):
            combined[key] = {name: _median([v[name] for v in values]) for name in first}
        elif isinstance(first, int | float) or first is None:
            combined[key] = _median(values)
        else:
            combined[key] = first
    return combined | {"rounds": rounds}


def paired_ratio(
    ours: dict[str, Any], theirs: dict[str, Any], key: str
) -> tuple[float | None, list[float]]:
    """``ours[key] / theirs[key]``: the median of the rounds' ratios, and those ratios.

    Without rounds on both sides (or with a different number), the ratio of the
    two figures and no list.
    """
    our_rounds, their_rounds = ours.get("rounds"), theirs.get("rounds")
    if our_rounds and their_rounds and len(our_rounds) == len(their_rounds):
        ratios = [
            ratio
            for a, b in zip(our_rounds, their_rounds, strict=True)
            if (ratio := _ratio(a.get(key), b.get(key))) is not None
        ]
        return (round(statistics.median(ratios), 2) if ratios else None), ratios
    return _ratio(ours.get(key), theirs.get(key)), []


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _median(values: list[Any]) -> Any:
    present = [value for value in values if value is not None]
    if not present:
        return None
    middle = statistics.median(present)
    return round(middle, 3) if isinstance(middle, float) else middle
