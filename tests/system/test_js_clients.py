"""The protocol as a client in another language sees it: official socket.io client and nats.js."""

import asyncio
import json
import shutil

from services.ops.embedded_nats import EmbeddedNats
from tests.support.paths import JS_TOOLS

SCRIPT = JS_TOOLS / "protocol_check.mjs"


async def test_official_socketio_client_and_nats_js_find_the_protocol_as_designed(
    edge_url: str, nats_server: EmbeddedNats
) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed for this test (make test installs tests/js)"
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        edge_url,
        nats_server.url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode == 0, (out + err).decode()
    report = json.loads(out.decode().strip().splitlines()[-1])
    assert report["failures"] == [] and report["checks"] >= 30, report
