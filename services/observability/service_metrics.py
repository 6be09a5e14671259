"""A handler service's metrics: a broker middleware that counts commands, a tiny HTTP server.

The services have no HTTP server of their own, and ``chatbus up`` runs three
of them on one host, so the server is off unless ``CHATBUS_METRICS_PORT`` is
set (compose.yaml sets it: each container has its own port space). It runs
in a thread with the standard library's WSGI server, so a slow scrape never
holds the event loop and the service's delicate shutdown stays as it is.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from faststream import BaseMiddleware
from faststream._internal.basic_types import AsyncFuncAny
from faststream._internal.context.repository import ContextRepo
from faststream.exceptions import IncorrectState
from faststream.message import StreamMessage
from faststream.nats import NatsBroker
from nats.aio.client import Client
from prometheus_client import CollectorRegistry

from .metrics import (
    CONTENT_TYPE,
    CommandMeter,
    NatsStateCollector,
    command_name,
    exposition,
    register_gc_metrics,
)

__all__ = ["MetricsServer", "ServiceMetrics"]

log = logging.getLogger("chatbus.metrics")

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


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


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds would fill the log: say nothing."""


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class MetricsServer:
    """``/metrics`` and ``/healthz`` of one service on ``host:port``, in a thread."""

    def __init__(self, metrics: ServiceMetrics, host: str, port: int) -> None:
        self._metrics = metrics
        self._host = host
        self._port = port
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the one asked for, or the one chosen for 0)."""
        return self._server.server_port if self._server else self._port

    def start(self) -> None:
        """Listen and serve in a daemon thread; on a port in use, say so and serve chat anyway."""
        try:
            self._server = make_server(
                self._host,
                self._port,
                self._app,
                server_class=_ThreadingWSGIServer,
                handler_class=_QuietHandler,
            )
        except OSError as error:
            # Chat matters more than its metrics: Prometheus will show this target as down.
            log.error("no metrics: cannot listen on %s:%d (%s)", self._host, self._port, error)
            return
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="chatbus-metrics", daemon=True
        )
        self._thread.start()
        log.info("metrics at http://%s:%d/metrics", self._host, self.port)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=1)
        self._server = None

    def _app(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            body = exposition(self._metrics.registry)
            start_response("200 OK", [("Content-Type", CONTENT_TYPE)])
            return [body]
        if path == "/healthz":
            healthy = self._metrics.connected
            start_response("200 OK" if healthy else "503 Service Unavailable", _TEXT)
            return [b"ok\n" if healthy else b"nats unavailable\n"]
        start_response("404 Not Found", _TEXT)
        return [b"not found\n"]


_TEXT = [("Content-Type", "text/plain; charset=utf-8")]
