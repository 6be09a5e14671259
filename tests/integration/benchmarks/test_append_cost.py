"""``python -m benchmarks.append_cost`` works: it appends, checks every seq and prints figures.

Not how fast: its figures are for benchmarks/FINDINGS.md, from a full-size run.
"""

import pytest

from benchmarks.append_cost import measure_growth


@pytest.mark.parametrize("wildcard_check", [False, True])
async def test_it_measures_each_stretch_of_appends(wildcard_check: bool) -> None:
    rows = await measure_growth([40, 100], wildcard_check)
    assert [row["stored"] for row in rows] == [40, 100]
    assert all(row["nats_us"] >= 0 and row["appends_per_s"] > 0 for row in rows)
