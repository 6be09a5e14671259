"""The edge process: ``create_edge(settings)`` builds it, ``chatbus edge`` runs it."""

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import socketio
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from services.contracts import EdgeHeartbeat, subjects
from services.core.logs import configure_logging
from services.core.settings import Settings

from ._transport import DirectWriteWebSocketProtocol, log_handshakes_when_debugging
from .api_docs import create_docs_router
from .hosts import edge_hosts, refusing_other_hosts
from .http import create_http_router
from .metrics import (
    EdgeMetrics,
    MeasuredFanOut,
    create_metrics_router,
    internal_metrics_server,
    measure_commands,
)
from .packets import closing_on_broken_frames
from .page_headers import with_security_headers
from .revocations import Revocations
from .service_client import ServiceClient
from .sessions import create_session_router
from .sockets import SocketDirectory, create_socket_server

log = logging.getLogger("chatbus.edge")

# Well inside the status service's 30 s limit, so two lost beats change nothing;
# more often when that limit is set lower (see ``heartbeat_interval``).
HEARTBEAT_SECONDS = 5.0
# Time for the event loop to write the last acknowledgements before uvicorn closes sockets.
ACK_FLUSH_SECONDS = 0.05
# How often the server looks whether to stop when no signal came (uvicorn: every 0.1 s).
WAKE_EVERY_SECONDS = 1.0
# How uvicorn serves the edge's websockets (the tests' edge uses them too).
WEBSOCKET_OPTIONS: dict[str, Any] = {
    # websockets-sansio, keeping less per connection and taking frames written at once.
    "ws": DirectWriteWebSocketProtocol,
    # Engine.IO pings every socket already; uvicorn's own pings would add a timer each.
    "ws_ping_interval": None,
    # A compressor and a decompressor per socket (tens of KiB in zlib) for chat-sized frames.
    "ws_per_message_deflate": False,
}
WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def create_edge(settings: Settings) -> Any:
    """The ASGI app: socket.io at ``/socket.io/``, FastAPI for everything else."""
    app, _ = _create_edge_and_service_client(settings)
    return app


def _create_edge_and_service_client(settings: Settings) -> tuple[Any, ServiceClient]:
    metrics = EdgeMetrics()
    service_client = ServiceClient(settings)
    sockets = SocketDirectory()
    sio = create_socket_server(settings, service_client, sockets)
    measure_commands(sio, metrics)
    fanout = MeasuredFanOut(sio, sockets, metrics)
    revocations = Revocations(sio, sockets)
    metrics.watch(service_client, sockets)

    # Behind a proxy, the metrics go on a port of their own that the proxy does not reach.
    metrics_server = internal_metrics_server(metrics, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if metrics_server is not None:
            metrics_server.start()
        await service_client.connect()
        await fanout.start(service_client)
        await revocations.start(service_client)
        heartbeat = asyncio.create_task(
            _beat(service_client, sockets.edge_id, heartbeat_interval(settings)),
            name="edge-heartbeat",
        )
        log.info("edge %s ready", sockets.edge_id)
        try:
            yield
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            await revocations.stop()
            await fanout.stop()
            await _close_all(sio, service_client, sockets)
            await service_client.close()
            if metrics_server is not None:
                metrics_server.stop()

    api = FastAPI(
        title="chatbus edge",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    if settings.cors_origins:
        # The same allowlist as socket.io's, so a web client on another origin can log in.
        api.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type", "authorization"],
        )
    api.include_router(create_http_router(settings, service_client))
    api.include_router(create_session_router(settings, service_client))
    # Before the web client's mount at "/", which would otherwise answer these paths.
    api.include_router(create_docs_router())
    if metrics_server is None:
        api.include_router(create_metrics_router(metrics))
    if (WEB_DIST / "index.html").exists():
        api.mount("/", StaticFiles(directory=WEB_DIST, html=True), name="web")
    else:

        @api.get("/", response_class=HTMLResponse, include_in_schema=False)
        async def no_web_client() -> str:
            return "<!doctype html><title>chatbus</title><p>The web client is not built.</p>"

    asgi = socketio.ASGIApp(sio, other_asgi_app=api, socketio_path="socket.io")
    # The Host check first: a request for another host name reaches nothing, not even socket.io.
    guarded = with_security_headers(closing_on_broken_frames(asgi))
    return refusing_other_hosts(guarded, edge_hosts(settings)), service_client


def heartbeat_interval(settings: Settings) -> float:
    """How often the edge says it is alive: six beats per ``edge_dead_after_seconds`` at least.

    The status service declares an edge dead after that many silent seconds, less
    one sweep (up to a third of it), so beating only every ``HEARTBEAT_SECONDS``
    under a lower limit would take a live edge's users offline.
    """
    return min(HEARTBEAT_SECONDS, settings.edge_dead_after_seconds / 6)


async def _beat(service_client: ServiceClient, edge_id: str, interval: float) -> None:
    heartbeat = EdgeHeartbeat(edge_id=edge_id)
    while True:
        try:
            await service_client.announce(subjects.EDGE_HEARTBEAT, heartbeat)
        except Exception:
            log.warning("could not send the edge heartbeat", exc_info=True)
        await asyncio.sleep(interval)


async def _close_all(
    sio: socketio.AsyncServer, service_client: ServiceClient, sockets: SocketDirectory
) -> None:
    # Tell the status service now rather than letting the 30 s sweep find out.
    await asyncio.gather(
        *(sio.disconnect(sid) for sid in list(sockets.usernames)), return_exceptions=True
    )


def run_edge(settings: Settings) -> None:
    """``chatbus edge``: serve until SIGINT or SIGTERM."""
    configure_logging(settings)
    log_handshakes_when_debugging()
    app, service_client = _create_edge_and_service_client(settings)
    config = edge_server_config(app, settings)
    _FinishingServer(config, service_client, settings.request_timeout_seconds).run()


def edge_server_config(app: Any, settings: Settings) -> uvicorn.Config:
    """How ``chatbus edge`` serves ``app`` with uvicorn."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        **WEBSOCKET_OPTIONS,
        log_level=settings.log_level.lower(),
        access_log=False,
        log_config=None,  # one log format for every role (configure_logging)
        timeout_graceful_shutdown=5,
        # X-Forwarded-For names the client (login limits count per address) only when it
        # comes from a proxy in FORWARDED_ALLOW_IPS; with none set, no one is believed.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
    )


class _FinishingServer(uvicorn.Server):
    """uvicorn, but on SIGTERM users' commands under way finish before sockets close.

    uvicorn's shutdown closes every websocket at once, so an acknowledgement
    still on its way would be lost and the client would send again.

    It also wakes once a second (the Date header changes no faster), or at once on a
    signal, where uvicorn's own loop wakes ten times a second to see whether it should
    stop: such wake-ups are most of an idle edge's CPU (benchmarks/FINDINGS.md, "Idle
    processes wake only when there is something to do").
    """

    def __init__(self, config: uvicorn.Config, service_client: ServiceClient, grace: float) -> None:
        super().__init__(config)
        self._service_client = service_client
        self._grace = grace
        self._loop: asyncio.AbstractEventLoop | None = None
        self._signalled: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop, self._signalled = asyncio.get_running_loop(), asyncio.Event()
        # ``on_tick`` refreshes the Date header when its count is a multiple of ten: 0, each time.
        while not await self.on_tick(0):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(WAKE_EVERY_SECONDS):
                    await self._signalled.wait()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # A Python signal handler: the loop may be waiting in epoll, so wake it safely.
        if self._loop is not None and self._signalled is not None:
            self._loop.call_soon_threadsafe(self._signalled.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await self._service_client.finish_commands(self._grace)
        # The replies are written to their sockets right after the service client hands them back.
        await asyncio.sleep(ACK_FLUSH_SECONDS)
        await super().shutdown(sockets)
