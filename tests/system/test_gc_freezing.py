"""What survives a full collection is frozen, a thaw frees frozen cycles, and every role does it."""

import asyncio
import os
import sys

import httpx

from services.ops.embedded_nats import EmbeddedNats, free_port
from services.ops.processes import spawn, stop_process
from tests.support.http import http_client
from tests.support.metrics import scrape, value
from tests.support.polling import wait_until


async def test_a_service_process_freezes_what_it_started_with(
    nats_server: EmbeddedNats, tmp_path: os.PathLike[str]
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_")}
    env |= {
        "NATS_URL": nats_server.url,
        "CHATBUS_DATA_DIR": str(tmp_path),
        "CHATBUS_METRICS_PORT": str(port),
        "CHATBUS_HOST": "127.0.0.1",
    }
    process = await spawn([sys.executable, "-m", "services.ops.cli", "service", "chats"], env=env)
    try:

        async def serving() -> bool:
            try:
                async with http_client() as http:
                    return (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_until(serving, timeout=30)
        samples = await scrape(f"http://127.0.0.1:{port}/metrics")
        assert value(samples, "chatbus_gc_frozen_objects") > 10_000
        assert value(samples, "python_gc_collections_total", generation="2") >= 1
    finally:
        await asyncio.shield(stop_process(process, grace=10))
