"""Planning a history page: which seqs it reads, and whether it says `more` and `truncated`."""

import pytest

from services.messages.retention import plan_page


@pytest.mark.parametrize(
    ("cursor", "expected"),
    [
        # (first, last, more, truncated) for a chat holding 21..30 (limit 100 unless given)
        ({"after": 0}, (21, 30, False, True)),
        ({"after": 19}, (21, 30, False, True)),
        ({"after": 20}, (21, 30, False, False)),
        ({"after": 30}, (31, 30, False, False)),
        ({"after": 0, "limit": 4}, (21, 24, True, True)),
        ({}, (21, 30, False, True)),
        ({"limit": 10}, (21, 30, False, False)),
        ({"limit": 11}, (21, 30, False, True)),
        ({"before": 21}, (21, 20, False, True)),
        ({"before": 5, "after": 2}, (21, 20, False, True)),
    ],
)
def test_page_plan_pins_truncated_and_more(
    cursor: dict[str, int], expected: tuple[int, int, bool, bool]
) -> None:
    plan = plan_page(
        newest=30,
        oldest=21,
        before=cursor.get("before"),
        after=cursor.get("after"),
        limit=cursor.get("limit", 100),
    )
    assert (plan.first, plan.last, plan.more, plan.truncated) == expected
