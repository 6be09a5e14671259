"""A per-user command budget: a burst, then the rate, and how long to wait."""

import pytest

from services.runtime.rate_limits import CommandBudget


def test_a_budget_gives_a_burst_then_the_rate_and_says_how_long_to_wait() -> None:
    now = [0.0]
    budget = CommandBudget(rate=10, burst=5, clock=lambda: now[0])
    assert [budget.take("alice") for _ in range(5)] == [0.0] * 5
    assert budget.take("alice") == pytest.approx(0.1)
    assert budget.take("bob") == 0.0  # each user has their own bucket
    now[0] += 0.25  # two and a half tokens come back
    assert [budget.take("alice") for _ in range(3)][:2] == [0.0, 0.0]
    now[0] += 100
    assert sum(budget.take("alice") == 0.0 for _ in range(10)) == 5  # never more than the burst
