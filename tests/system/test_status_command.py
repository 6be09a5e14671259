"""``chatbus status`` against a running stack: the services, NATS, the stream and buckets."""

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import nats
import nats.errors

from services.contracts import storage
from services.core.settings import Settings
from services.ops.embedded_nats import Cluster, EmbeddedNats, free_port
from services.ops.processes import stop_process
from services.ops.status_report import StatusError, gather_status
from tests.support.clients import PASSWORD, ChatClient, unique_name
from tests.support.http import http_client
from tests.support.polling import wait_until
from tests.system.abuse.stack import Stack

STATUS = [sys.executable, "-m", "services.ops.cli", "status"]
BUCKETS = {storage.CHATS_BUCKET, storage.USERS_BUCKET, storage.PRESENCE_BUCKET}


async def chatbus_status(nats_url: str, *args: str) -> tuple[int, str, list[str]]:
    """Run ``chatbus status`` as a process: its exit code, stdout and stderr lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_")}
    env["NATS_URL"] = nats_url
    process = await asyncio.create_subprocess_exec(
        *STATUS,
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    async with asyncio.timeout(30):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode().splitlines()


async def send_messages(edge_url: str, count: int) -> None:
    """Register a user and post ``count`` messages in general, through the edge."""
    username = unique_name("counted")
    async with http_client(base_url=edge_url) as http:
        credentials = {"username": username, "password": PASSWORD}
        assert (await http.post("/api/register", json=credentials)).status_code == 201
        token = (await http.post("/api/login", json=credentials)).json()["token"]
    client = ChatClient(edge_url, token, username)
    await client.connect()
    try:
        await client.ok("chats:join", {"chat_id": "general"})
        for n in range(count):
            await client.ok("messages:send", {"chat_id": "general", "text": f"message {n}"})
    finally:
        await client.sio.disconnect()


async def test_status_lists_services_stream_and_buckets_with_sizes(
    nats_server: EmbeddedNats, stack: Stack
) -> None:
    await send_messages(stack.url, 3)
    monitor = nats_server.monitor_url

    code, out, err = await chatbus_status(nats_server.url, "--json", "--monitor", monitor)
    assert code == 0, (out, err)
    assert err == []
    report: dict[str, Any] = json.loads(out)
    assert report["healthy"] is True and report["problems"] == []
    assert {s["role"]: s["answering"] for s in report["services"]} == {
        "chats": True,
        "messages": True,
        "status": True,
    }
    stores = {store["name"]: store for store in report["stores"]}
    messages = stores[storage.MESSAGES_STREAM]
    assert messages["kind"] == "stream" and messages["messages"] == 3 and messages["bytes"] > 0
    assert BUCKETS <= {name for name, store in stores.items() if store["kind"] == "bucket"}
    assert stores[storage.USERS_BUCKET]["messages"] >= 1
    assert all(store["replicas_current"] == store["replicas"] == 1 for store in stores.values())
    (node,) = report["nodes"]
    assert node["healthy"] is True
    # Each role's NATS connection, as the server sees it.
    assert node["processes"] == {
        "chatbus-chats": 1,
        "chatbus-edge": 1,
        "chatbus-messages": 1,
        "chatbus-status": 1,
    }

    code, text, err = await chatbus_status(nats_server.url, "--monitor", monitor)
    assert code == 0, (text, err)
    print("\n" + text)
    for word in ("chats", "messages", "status", storage.MESSAGES_STREAM, *BUCKETS, "all well"):
        assert word in text

    # One service gone: the report says so, and the exit code too.
    await stop_process(stack.roles["status"].process, grace=10)
    code, text, err = await chatbus_status(nats_server.url)
    assert code == 1
    assert "NOT ANSWERING" in text
    assert err == ["chatbus status: status does not answer"]


async def test_status_without_nats_is_one_line_and_exit_1(tmp_path: Path) -> None:
    nowhere = f"nats://127.0.0.1:{free_port()}"
    code, out, err = await chatbus_status(nowhere)
    assert code == 1
    assert out == ""
    assert len(err) == 1 and err[0].startswith("chatbus status: cannot reach NATS"), err

    code, out, err = await chatbus_status(nowhere, "--monitor", "nats-1:8222")
    assert (code, out) == (1, "")
    assert err == ["chatbus status: --monitor wants an http:// URL, not 'nats-1:8222'"]


async def test_status_shows_replicas_and_nodes_of_a_cluster_losing_a_node(tmp_path: Path) -> None:
    routes = [free_port() for _ in range(3)]
    nodes = [
        EmbeddedNats(
            0,
            tmp_path / f"node{i}",
            name=f"node{i}",
            on_line=lambda line: None,
            cluster=Cluster(
                name="status-test",
                port=routes[i],
                routes=tuple(f"nats-route://127.0.0.1:{port}" for port in routes),
            ),
        )
        for i in range(3)
    ]
    await asyncio.gather(*(node.start() for node in nodes))
    try:
        settings = Settings(nats_url=",".join(node.url for node in nodes), data_dir=tmp_path)
        nc = await nats.connect(settings.nats_servers)
        try:
            js = nc.jetstream()

            async def replicated_bucket() -> bool:
                try:
                    await js.create_key_value(bucket=storage.CHATS_BUCKET, replicas=3)
                except nats.errors.Error:
                    return False  # the cluster is still electing its JetStream leader
                return True

            await wait_until(replicated_bucket, timeout=20, every=0.2)
        finally:
            await nc.close()
        monitors = [node.monitor_url for node in nodes]

        async def settled() -> bool:
            # A new bucket's replicas catch up, and the nodes report healthy, a moment later.
            try:
                return (await gather_status(settings, {}, monitors)).problems == []
            except StatusError:
                return False

        await wait_until(settled, timeout=30, every=0.5)
        report = await gather_status(settings, {}, monitors)
        (bucket,) = [store for store in report.stores if store.name == storage.CHATS_BUCKET]
        assert (bucket.kind, bucket.replicas, bucket.replicas_current) == ("bucket", 3, 3)
        assert [node.cluster for node in report.nodes] == ["status-test"] * 3
        assert all(node.healthy for node in report.nodes) and report.problems == []

        await nodes[2].stop()

        async def degraded() -> bool:
            try:
                report = await gather_status(settings, {}, monitors)
            except StatusError:
                return False  # JetStream elects new leaders for what the dead node led
            return f"{storage.CHATS_BUCKET} has 2/3 replicas current" in report.problems

        took = await wait_until(degraded, timeout=30, every=0.5)
        print(f"\nstatus: a dead node's replicas shown stale within {took:.1f} s")
        code, text, err = await chatbus_status(
            settings.nats_url or "", "--monitor", ",".join(monitors)
        )
        assert code == 1
        assert "UNREACHABLE" in text and "2/3" in text
        assert len(err) == 1 and f"{nodes[2].monitor_url} is unreachable" in err[0]
    finally:
        for node in nodes:
            await node.stop()
