"""A handler service's metrics: a broker middleware that counts commands.

The services have no HTTP server of their own, and ``chatbus up`` runs three
of them on one host, so their ``MetricsServer`` (``metrics_server.py``) is off
unless ``CHATBUS_METRICS_PORT`` is set (compose.yaml sets it: each container
has its own port space).
"""

import time
from typing import Any

from faststream import BaseMiddleware
from faststream.context import ContextRepo
from faststream.exceptions import IncorrectState
from faststream.message import StreamMessage
from faststream.nats import NatsBroker
from faststream.types import AsyncFuncAny
from nats.aio.client import Client
from prometheus_client import CollectorRegistry

from .metrics import (
    CommandMeter,
    NatsStateCollector,
    command_name,
    register_gc_metrics,
)
from .metrics_server import MetricsServer

__all__ = ["MetricsServer", "ServiceMetrics"]


class ServiceMetrics:
    """One service process's registry: its commands and its NATS connection."""

    def __init__(self, broker: NatsBroker) -> None:
        self.registry = CollectorRegistry()
        self.meter = CommandMeter(self.registry)
        self._broker = broker
        self.registry.register(NatsStateCollector(self._connection))
        register_gc_metrics(self.registry)

    def middleware(self, msg: Any, /, *, context: ContextRepo) -> BaseMiddleware:
        """The FastStream broker middleware; outermost, so it sees the reply envelope."""
        return _CommandTimer(msg, context=context, meter=self.meter)

    @property
    def connected(self) -> bool:
        """Whether the service's NATS connection is up."""
        nc = self._connection()
        return nc is not None and nc.is_connected

    def _connection(self) -> Client | None:
        try:
            return self._broker.connection
        except IncorrectState:  # not connected yet, or stopped
            return None


class _CommandTimer(BaseMiddleware):
    """One command's pass: its name, outcome and duration."""

    def __init__(self, msg: Any, /, *, context: ContextRepo, meter: CommandMeter) -> None:
        super().__init__(msg, context=context)
        self.meter = meter

    async def consume_scope(self, call_next: AsyncFuncAny, msg: StreamMessage[Any]) -> Any:
        started = time.perf_counter()
        reply: Any = {"ok": False, "error": {"code": "internal"}}
        try:
            reply = await call_next(msg)
            return reply
        finally:
            subject = getattr(msg.raw_message, "subject", "")
            self.meter.observe(command_name(subject), reply, time.perf_counter() - started)
