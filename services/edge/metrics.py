"""The edge's metrics: connected sockets, users' commands by outcome, delivery latency, NATS.

``measure_commands`` wraps the command handlers and ``MeasuredFanOut`` is the
fan-out with a clock attached, so the protocol code stays free of metrics.
``internal_metrics_server`` serves ``/metrics`` on ``CHATBUS_METRICS_PORT`` when it
is set; only when it is not (``chatbus up`` on a laptop) does the public port serve it.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from fastapi import APIRouter, Response
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel

from services.contracts import COMMANDS, Message
from services.core.settings import Settings
from services.observability.metrics import (
    CONTENT_TYPE,
    CommandMeter,
    NatsStateCollector,
    exposition,
    register_gc_metrics,
)
from services.observability.metrics_server import MetricsServer

from .fanout import FanOut
from .service_client import ServiceClient
from .sockets import SocketDirectory

__all__ = [
    "EdgeMetrics",
    "MeasuredFanOut",
    "create_metrics_router",
    "measure_commands",
    "internal_metrics_server",
]

# From a message's sent_at to its emit: milliseconds on one host, more across a cluster.
DELIVERY_SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class EdgeMetrics:
    """One edge process's registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.meter = CommandMeter(self.registry)
        register_gc_metrics(self.registry)
        self.delivery = Histogram(
            "chatbus_delivery_seconds",
            "Time from a message's sent_at (when it was stored) to its emit to the chat's sockets.",
            buckets=DELIVERY_SECONDS_BUCKETS,
            registry=self.registry,
        )
        self._service_client: ServiceClient | None = None

    def watch(self, service_client: ServiceClient, sockets: SocketDirectory) -> None:
        """Read the connection count and the NATS state at every scrape."""
        self._service_client = service_client
        self.registry.register(_SocketCount(sockets))
        self.registry.register(
            NatsStateCollector(lambda: service_client.nc if hasattr(service_client, "nc") else None)
        )

    @property
    def connected(self) -> bool:
        """Whether the edge's NATS connection is up (``/healthz`` on the metrics port)."""
        service_client = self._service_client
        return (
            service_client is not None
            and hasattr(service_client, "nc")
            and service_client.connected
        )


def measure_commands(sio: socketio.AsyncServer, metrics: EdgeMetrics) -> None:
    """Wrap each command's socket.io handler to count its acknowledgement by outcome.

    Wrapped at the handler, not the service client, so a command the edge refuses itself
    (a payload that fails validation, a socket not logged in) is counted too.
    """
    for command in COMMANDS:
        handler = sio.handlers["/"][command.event]
        sio.on(command.event, _measured(command.event, handler, metrics.meter))


def _measured(event: str, handler: Callable[..., Awaitable[Any]], meter: CommandMeter) -> Any:
    async def measured(sid: str, *args: Any) -> Any:
        started = time.perf_counter()
        reply = await handler(sid, *args)
        meter.observe(event, reply, time.perf_counter() - started)
        return reply

    measured.__name__ = getattr(handler, "__name__", event)
    return measured


class MeasuredFanOut(FanOut):
    """The fan-out, timing each chat message from its sent_at to its emit."""

    def __init__(
        self, sio: socketio.AsyncServer, sockets: SocketDirectory, metrics: EdgeMetrics
    ) -> None:
        super().__init__(sio, sockets)
        self._delivery = metrics.delivery

    def _emitted(self, event: BaseModel) -> None:
        if isinstance(event, Message):
            self._delivery.observe(max(0.0, time.time() - event.sent_at.timestamp()))


class _SocketCount(Collector):
    def __init__(self, sockets: SocketDirectory) -> None:
        self._sockets = sockets

    def collect(self) -> Any:
        gauge = GaugeMetricFamily(
            "chatbus_connections", "Logged-in socket.io connections on this edge."
        )
        gauge.add_metric([], float(len(self._sockets.usernames)))
        yield gauge


def create_metrics_router(metrics: EdgeMetrics) -> APIRouter:
    """``GET /metrics``: the edge's metrics in Prometheus' text format."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(exposition(metrics.registry), media_type=CONTENT_TYPE)

    return router


def internal_metrics_server(metrics: EdgeMetrics, settings: Settings) -> MetricsServer | None:
    """``/metrics`` and ``/healthz`` on ``CHATBUS_METRICS_PORT``, for the edge to start and
    stop; None when that port is not set (then the public port serves ``/metrics``)."""
    if not settings.metrics_port:
        return None
    return MetricsServer(metrics, settings.host, settings.metrics_port)
