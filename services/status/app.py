"""The status service: ``chatbus service status``."""

from faststream import FastStream

from services.contracts import storage
from services.core.settings import Settings
from services.runtime.broker import create_app, create_broker, run_app
from services.storage.jetstream import ensure_state, while_jetstream_starts

from .desk import StatusDesk
from .login_throttle import ThrottleLimits
from .router import create_status_router


def create_status_service(settings: Settings) -> FastStream:
    """A FastStream app for accounts, presence and typing."""
    broker = create_broker(settings, "chatbus-status")
    desk = StatusDesk(
        edge_dead_after=settings.edge_dead_after_seconds,
        signing_key=settings.signing_key,
        limits=ThrottleLimits.from_settings(settings),
        replicas=settings.replicas,
    )
    broker.include_router(create_status_router(desk, settings.signing_key))
    app = create_app(broker, settings)

    @app.on_startup
    async def open_storage() -> None:
        # Storage is ready before the first command is taken.
        await broker.connect()
        await ensure_state(
            broker.connection.jetstream(),
            [storage.USERS_BUCKET, storage.PRESENCE_BUCKET, storage.CHATS_BUCKET],
            replicas=settings.replicas,
            message_stream=False,
        )
        await while_jetstream_starts(lambda: desk.open(broker.connection))

    @app.after_shutdown
    async def close_storage() -> None:
        await desk.close()

    return app


def run_service(settings: Settings) -> None:
    """``chatbus service status``."""
    run_app(create_status_service(settings))
