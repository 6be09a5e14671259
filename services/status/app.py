"""The status service: ``chatbus service status``."""

import asyncio

from faststream import FastStream

from services.broker import create_app, create_broker, run_app
from services.settings import Settings

from .desk import StatusDesk
from .router import create_status_router

# How often silent edges are looked for; well inside the 30 s promise.
DEAD_EDGE_CHECK_SECONDS = 5.0


def create_status_service(settings: Settings) -> FastStream:
    """A FastStream app for accounts, presence and typing."""
    broker = create_broker(settings, "chatbus-status")
    desk = StatusDesk(edge_dead_after=settings.edge_dead_after_seconds)
    broker.include_router(create_status_router(desk))
    app = create_app(broker, settings)
    watcher: list[asyncio.Task[None]] = []

    @app.on_startup
    async def open_storage() -> None:
        # Storage is ready before the first command is taken.
        await broker.connect()
        await desk.open(broker.connection)
        check_every = min(DEAD_EDGE_CHECK_SECONDS, settings.edge_dead_after_seconds / 3)
        watcher.append(asyncio.create_task(desk.presence.watch_edges(check_every)))

    @app.after_shutdown
    async def close_storage() -> None:
        for task in watcher:
            task.cancel()
        await asyncio.gather(*watcher, return_exceptions=True)
        await desk.close()

    return app


def run_service(settings: Settings) -> None:
    """``chatbus service status``."""
    run_app(create_status_service(settings))
