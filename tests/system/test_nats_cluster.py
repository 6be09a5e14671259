"""Three embedded nats-servers with cluster settings form one JetStream cluster."""

import asyncio
from pathlib import Path

import nats
from nats.js.api import StreamConfig

from services.ops.embedded_nats import Cluster, EmbeddedNats, free_port
from tests.support.polling import wait_until


async def test_three_nodes_with_cluster_settings_form_a_jetstream_cluster(
    tmp_path: Path,
) -> None:
    route_ports = [free_port() for _ in range(3)]
    routes = tuple(f"nats-route://127.0.0.1:{port}" for port in route_ports)
    nodes = [
        EmbeddedNats(0, tmp_path / f"n{i}", cluster=Cluster("chatbus", port, routes))
        for i, port in enumerate(route_ports)
    ]
    assert 'name: "chatbus"' in nodes[0].config_text()
    assert f'listen: "127.0.0.1:{route_ports[0]}"' in nodes[0].config_text()
    try:
        await asyncio.gather(*(node.start() for node in nodes))
        client = await nats.connect([node.url for node in nodes])
        try:
            js = client.jetstream()

            # A replicated stream needs the meta leader, which needs all three routed.
            async def replicated_stream_added() -> bool:
                try:
                    await js.add_stream(StreamConfig(name="R3", subjects=["r3.>"], num_replicas=3))
                except nats.errors.Error:
                    return False
                return True

            await wait_until(replicated_stream_added, timeout=20, every=0.2)
            info = await js.stream_info("R3")
            assert info.cluster is not None
            assert len(info.cluster.replicas or []) == 2  # plus the leader
        finally:
            await client.close()
    finally:
        await asyncio.gather(*(node.stop() for node in nodes))
