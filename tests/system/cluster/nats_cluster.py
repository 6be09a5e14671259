"""Three nats-server nodes clustered on loopback with JetStream (``EmbeddedNats`` + ``Cluster``)."""

import asyncio
from pathlib import Path

from services.ops.embedded_nats import Cluster, EmbeddedNats, free_port
from services.ops.processes import http_status
from tests.support.polling import wait_until

CLUSTER_NAME = "chatbus"
FORMED_WITHIN_SECONDS = 30.0


class NatsCluster:
    """``size`` JetStream nodes that route to each other; a node can be killed like a crash."""

    def __init__(self, root: Path, size: int = 3) -> None:
        route_ports = [free_port() for _ in range(size)]
        routes = tuple(f"nats-route://127.0.0.1:{port}" for port in route_ports)
        self.nodes = [
            EmbeddedNats(
                0,
                root / f"nats{i}",
                name=f"n{i}",
                cluster=Cluster(CLUSTER_NAME, port, routes),
                on_line=_quiet,
            )
            for i, port in enumerate(route_ports)
        ]

    @property
    def url(self) -> str:
        """Every node's client URL, comma-separated: what ``NATS_URL`` takes for a cluster."""
        return ",".join(node.url for node in self.nodes)

    @property
    def running(self) -> list[EmbeddedNats]:
        """The nodes that have not been killed."""
        return [node for node in self.nodes if node.running]

    async def start(self) -> None:
        """Start every node; return once each reports JetStream healthy (a meta leader chosen)."""
        await asyncio.gather(*(node.start() for node in self.nodes))

        async def formed() -> bool:
            return all(await asyncio.gather(*(self._healthy(n) for n in self.nodes)))

        await wait_until(formed, FORMED_WITHIN_SECONDS, every=0.1)

    async def stop(self) -> None:
        """Stop every node that is still running."""
        await asyncio.gather(*(node.stop() for node in self.nodes), return_exceptions=True)

    def node_on_port(self, port: int) -> EmbeddedNats | None:
        """The node whose client port is ``port``."""
        return next((node for node in self.nodes if node.running and node.port == port), None)

    @staticmethod
    async def _healthy(node: EmbeddedNats) -> bool:
        # In a cluster /healthz answers 200 only once this node follows a JetStream meta leader.
        return await http_status(f"{node.monitor_url}/healthz") == 200


def _quiet(line: str) -> None:
    """Node output is not wanted in the test log (three nodes chat a lot about routes)."""
