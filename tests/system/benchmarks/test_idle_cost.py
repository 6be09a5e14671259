"""``python -m benchmarks.idle_cost`` works: it measures every process of an idle chatbus.

Not how little they cost: its figures are for benchmarks/FINDINGS.md.
"""

import subprocess
import sys
from pathlib import Path

from benchmarks.idle_cost import connect_idle, measure_idle
from benchmarks.systems import Chatbus
from tests.support.metrics import scrape, value


async def test_it_measures_every_process_while_nobody_is_connected() -> None:
    rows = await measure_idle(seconds=1.0, settle_seconds=0.5)
    assert set(rows) == {"nats", "chats", "messages", "status", "edge"}
    assert all(set(row) == {"cpu_ms_per_s", "wakeups_per_s"} for row in rows.values())
    # nats-server's timers wake it many times a second: the counts are read, not zero.
    assert rows["nats"]["wakeups_per_s"] > 0 and rows["nats"]["cpu_ms_per_s"] > 0


def test_the_command_refuses_a_measurement_of_no_time() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "benchmarks.idle_cost", "--seconds", "0"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert "--seconds must be positive" in refused.stderr


async def test_its_idle_clients_are_connected_to_the_edge(tmp_path: Path) -> None:
    system = Chatbus()
    async with system.running(tmp_path):
        clients = await connect_idle(system, 30)
        try:
            samples = await scrape(f"{system.url}/metrics")
            assert value(samples, "chatbus_connections") == 30
        finally:
            for client in clients:
                await client.close()
