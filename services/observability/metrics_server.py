"""``/metrics`` and ``/healthz`` on a port of their own, for Prometheus and health checks.

A handler service has no other HTTP server; the edge serves these here, and not
on its public port, when ``CHATBUS_METRICS_PORT`` is set, so a proxy in front of
it cannot expose them. The server runs in a thread with the standard library's
WSGI server, so a slow scrape never holds the event loop and a process's
delicate shutdown stays as it is.
"""

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any, Protocol
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry

from .metrics import CONTENT_TYPE, exposition

__all__ = ["MetricsServer", "Scraped"]

log = logging.getLogger("chatbus.metrics")

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class Scraped(Protocol):
    """What a ``MetricsServer`` serves: a registry, and whether the process is healthy."""

    registry: CollectorRegistry

    @property
    def connected(self) -> bool:
        """Whether the process's NATS connection is up (``/healthz`` answers 200)."""
        ...


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds would fill the log: say nothing."""


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class MetricsServer:
    """``/metrics`` and ``/healthz`` of one process on ``host:port``, in a thread."""

    def __init__(self, metrics: Scraped, host: str, port: int) -> None:
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
