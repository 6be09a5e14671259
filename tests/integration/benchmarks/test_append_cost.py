"""``python -m benchmarks.append_cost`` works: it appends, checks every seq and prints figures.

Not how fast: its figures are for benchmarks/FINDINGS.md, from a full-size run.
"""

import subprocess
import sys

import pytest

from benchmarks.append_cost import measure_growth


@pytest.mark.parametrize("wildcard_check", [False, True])
async def test_it_measures_each_stretch_of_appends(wildcard_check: bool) -> None:
    rows = await measure_growth([40, 100], wildcard_check)
    assert [row["stored"] for row in rows] == [40, 100]
    assert all(row["nats_us"] >= 0 and row["appends_per_s"] > 0 for row in rows)


def test_the_command_prints_a_table_and_refuses_counts_out_of_order() -> None:
    run = [sys.executable, "-m", "benchmarks.append_cost", "--up-to"]
    table = subprocess.run([*run, "20", "30"], capture_output=True, text=True, check=True)
    assert [line.split("|")[1].strip() for line in table.stdout.splitlines()[2:]] == ["20", "30"]
    refused = subprocess.run([*run, "30", "20"], capture_output=True, text=True)
    assert refused.returncode == 2
    assert "ascending order" in refused.stderr
