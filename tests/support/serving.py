"""The handler services and the edge, served in the test's own event loop."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn

from services.chats.app import create_chats_service
from services.core.settings import Settings
from services.edge.app import WEBSOCKET_OPTIONS, create_edge
from services.messages.app import create_messages_service
from services.messages.messenger import Messenger
from services.status.app import create_status_service
from tests.support.polling import wait_until

# Generous: an edge starts in tens of milliseconds, a loaded machine may take seconds.
STARTED_WITHIN_SECONDS = 30


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


@contextlib.asynccontextmanager
async def serving(server: uvicorn.Server) -> AsyncIterator[None]:
    """Run ``server`` from the moment it has started until the block ends."""
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started or task.done(), STARTED_WITHIN_SECONDS, every=0.01)
    if task.done():
        task.result()
        raise RuntimeError("the server stopped while starting")
    try:
        yield
    finally:
        server.should_exit = True
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
    async with serving(uvicorn.Server(config)):
        yield f"http://{settings.host}:{settings.port}"


async def edge_without(stack: contextlib.AsyncExitStack, settings: Settings, missing: str) -> str:
    """Start every handler service but ``missing``, and an edge, on ``stack``; the edge's URL."""
    await stack.enter_async_context(running_services(settings, without=missing))
    return await stack.enter_async_context(running_edge(settings))
