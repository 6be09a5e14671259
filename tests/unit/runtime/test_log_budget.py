"""A log budget: so many lines per window, and a count of the ones it held back."""

import pytest

from services.runtime.log_budget import LogBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_log_budget_logs_its_lines_per_window_and_counts_the_rest() -> None:
    clock = Clock()
    budget = LogBudget(3, 60.0, clock=clock)
    assert [budget.take() for _ in range(1000)] == [0, 0, 0] + [None] * 997
    clock.now += 59.9
    assert budget.take() is None
    clock.now += 0.1
    # The window's first line tells how many went unlogged before it.
    assert [budget.take() for _ in range(4)] == [998, 0, 0, None]


def test_a_log_budget_needs_a_line_and_a_window() -> None:
    for lines, window in ((0, 60.0), (1, 0.0)):
        with pytest.raises(ValueError):
            LogBudget(lines, window)
