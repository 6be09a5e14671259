"""``python -m benchmarks.append_cost`` prints a table and refuses counts out of order."""

import subprocess
import sys


def test_the_command_prints_a_table_and_refuses_counts_out_of_order() -> None:
    run = [sys.executable, "-m", "benchmarks.append_cost", "--up-to"]
    table = subprocess.run([*run, "20", "30"], capture_output=True, text=True, check=True)
    assert [line.split("|")[1].strip() for line in table.stdout.splitlines()[2:]] == ["20", "30"]
    refused = subprocess.run([*run, "30", "20"], capture_output=True, text=True)
    assert refused.returncode == 2
    assert "ascending order" in refused.stderr
