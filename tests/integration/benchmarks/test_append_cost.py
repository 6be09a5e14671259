"""``python -m benchmarks.append_cost`` works: it appends, checks every seq and prints figures.

Not how fast: its figures are for benchmarks/FINDINGS.md, from a full-size run.
"""

import pytest

from benchmarks.append_cost import measure_growth


@pytest.mark.parametrize("wildcard_check", [False, True])
async def test_it_measures_each_stretch_of_appends(wildcard_check: bool) -> None:
    rows = await measure_growth([40, 1000], wildcard_check)
    assert [row["stored"] for row in rows] == [40, 1000]
    assert all(row["appends_per_s"] > 0 for row in rows)
    # nats-server's CPU is read in 10 ms ticks: a short stretch may show none, but 960
    # appends cost it several ticks on any machine, so reading no CPU means reading wrong.
    assert rows[-1]["nats_us"] > 0
