"""Fixtures: a real nats-server per test, the three services in-process, a live edge."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import nats
import pytest
import uvicorn
from nats.aio.client import Client
from nats.js import JetStreamContext

from services.chats.app import create_chats_service
from services.core.settings import Settings
from services.edge.app import WEBSOCKET_OPTIONS, create_edge
from services.messages.app import create_messages_service
from services.messages.messenger import Messenger
from services.ops.embedded_nats import EmbeddedNats, free_port
from services.status.app import create_status_service
from services.storage.jetstream import ensure_message_stream

from .abuse.stack import Stack, running_stack
from .support import ChatClient, Users


@pytest.fixture
async def nats_server(tmp_path: Path) -> AsyncIterator[EmbeddedNats]:
    """A real nats-server with JetStream on a free loopback port and a temporary store."""
    server = EmbeddedNats(0, tmp_path / "nats")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def nc(nats_server: EmbeddedNats) -> AsyncIterator[Client]:
    """A plain NATS connection to the test's server, as a bot or an operator has."""
    client = await nats.connect(nats_server.url)
    yield client
    await client.close()


@pytest.fixture
async def js(nats_server: EmbeddedNats) -> AsyncIterator[JetStreamContext]:
    """JetStream on the test's server, with the message stream in place."""
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_message_stream(js)
    yield js
    await nc.drain()


@pytest.fixture
async def stack(
    nats_server: EmbeddedNats, tmp_path: Path, settings: Settings
) -> AsyncIterator[Stack]:
    """The three services and the edge as processes (two cores beat one event loop), on the
    test's nats-server, with no per-user command or typing limit: floods here are on purpose."""
    assert settings.secret is not None
    no_limit = {"CHATBUS_COMMAND_RATE_PER_SECOND": "0", "CHATBUS_TYPING_RATE_PER_SECOND": "0"}
    async with running_stack(
        nats_server.url, tmp_path / "var", settings.secret, no_limit
    ) as running:
        yield running


@pytest.fixture
def settings(nats_server: EmbeddedNats, tmp_path: Path) -> Settings:
    """Settings pointing every role at the test's nats-server."""
    return Settings(
        nats_url=nats_server.url,
        data_dir=tmp_path / "var",
        secret="test-signing-key-that-is-long-enough-for-hs256",
        host="127.0.0.1",
        port=free_port(),
        edge_dead_after_seconds=30,
    )


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[None]:
    """The chats, messages and status services, running in this event loop."""
    async with running_services(settings):
        yield


@contextlib.asynccontextmanager
async def running_services(
    settings: Settings, messenger: Messenger | None = None, without: str | None = None
) -> AsyncIterator[None]:
    """The three services (all but ``without``) until the block ends; the messages service
    with ``messenger``."""
    apps = {
        "chats": lambda: create_chats_service(settings),
        "messages": lambda: create_messages_service(settings, messenger),
        "status": lambda: create_status_service(settings),
    }
    async with contextlib.AsyncExitStack() as stack:
        for name, create in apps.items():
            if name != without:
                await stack.enter_async_context(create())
        yield


async def edge_without(stack: contextlib.AsyncExitStack, settings: Settings, missing: str) -> str:
    """Start every handler service but ``missing``, and an edge, on ``stack``; the edge's URL."""
    await stack.enter_async_context(running_services(settings, without=missing))
    return await stack.enter_async_context(running_edge(settings))


@pytest.fixture
async def edge_url(settings: Settings, services: None) -> AsyncIterator[str]:
    """A live edge served by uvicorn on a free port, for real socket.io and HTTP clients."""
    async with running_edge(settings) as url:
        yield url


@contextlib.asynccontextmanager
async def running_edge(settings: Settings) -> AsyncIterator[str]:
    """Serve an edge until the block ends."""
    config = uvicorn.Config(
        create_edge(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        **WEBSOCKET_OPTIONS,  # as `chatbus edge` serves them
        lifespan="on",
        # As `chatbus edge` does: a client's long-poll left open must not hold the stop for ever.
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the edge stopped while starting")
        await asyncio.sleep(0.01)
    try:
        yield f"http://{settings.host}:{settings.port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def users(edge_url: str) -> AsyncIterator[Users]:
    """Registers users and connects their socket.io clients; disconnects them at the end."""
    async with httpx.AsyncClient(base_url=edge_url) as http:
        pool = Users(edge_url, http)
        try:
            yield pool
        finally:
            await pool.disconnect_all()


__all__ = ["ChatClient", "socket"]
