"""The handler services and the edge, served in the test's own event loop."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import uvicorn
from nats.js import JetStreamContext

from services.chats.app import create_chats_service
from services.core.settings import Settings
from services.edge.app import WEBSOCKET_OPTIONS, create_edge
from services.messages.app import create_messages_service
from services.messages.messenger import Messenger
from services.ops.embedded_nats import EmbeddedNats, free_port
from services.status.app import create_status_service
from services.storage.jetstream import ensure_message_stream
from tests.support.polling import wait_until

# Generous: an edge starts in tens of milliseconds, a loaded machine may take seconds.
STARTED_WITHIN_SECONDS = 30
SIGNING_KEY = "test-signing-key-that-is-long-enough-for-hs256"


def settings_for(nats_server: EmbeddedNats, data_dir: Path) -> Settings:
    """Settings pointing every role at ``nats_server``, the edge at a free port."""
    return Settings(
        nats_url=nats_server.url,
        data_dir=data_dir,
        secret=SIGNING_KEY,
        host="127.0.0.1",
        port=free_port(),
        edge_dead_after_seconds=30,
    )


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


class _PromptServer(uvicorn.Server):
    """uvicorn that stops the moment it is told to, not at its next look (every 0.1 s)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.told_to_stop = asyncio.Event()

    async def main_loop(self) -> None:
        # ``on_tick`` refreshes the Date header when its count is a multiple of ten: 0, each time.
        while not await self.on_tick(0):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await self.told_to_stop.wait()


@contextlib.asynccontextmanager
async def serving(config: uvicorn.Config) -> AsyncIterator[None]:
    """Serve ``config``'s app from the moment the server has started until the block ends."""
    server = _PromptServer(config)
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started or task.done(), STARTED_WITHIN_SECONDS, every=0.01)
    if task.done():
        task.result()
        raise RuntimeError("the server stopped while starting")
    try:
        yield
    finally:
        server.should_exit = True
        server.told_to_stop.set()
        await task


@contextlib.asynccontextmanager
async def running_edge(settings: Settings) -> AsyncIterator[str]:
    """Serve an edge until the block ends; its URL."""
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
    async with serving(config):
        yield f"http://{settings.host}:{settings.port}"


async def edge_without(stack: contextlib.AsyncExitStack, settings: Settings, missing: str) -> str:
    """Start every handler service but ``missing``, and an edge, on ``stack``; the edge's URL."""
    await stack.enter_async_context(running_services(settings, without=missing))
    return await stack.enter_async_context(running_edge(settings))


@contextlib.asynccontextmanager
async def message_stream(nats_server: EmbeddedNats) -> AsyncIterator[JetStreamContext]:
    """JetStream on ``nats_server``, with the message stream in place, until the block ends."""
    client = await nats.connect(nats_server.url)
    js = client.jetstream()
    await ensure_message_stream(js)
    yield js
    await client.drain()
