"""The messages service: ``chatbus service messages``."""

from faststream import FastStream

from services.contracts import storage
from services.core.settings import Settings
from services.runtime.broker import create_app, create_broker, run_app
from services.storage.jetstream import LAST_SEQS_BUCKET, ensure_state, while_jetstream_starts

from .messenger import Messenger
from .retention import Retention
from .router import create_messages_router


def create_messages_service(settings: Settings, messenger: Messenger | None = None) -> FastStream:
    """A FastStream app that answers the messages commands (with ``messenger``, for tests)."""
    broker = create_broker(settings, "chatbus-messages")
    messenger = messenger or Messenger(Retention.from_settings(settings))
    broker.include_router(create_messages_router(messenger, settings.signing_key))
    app = create_app(broker, settings)

    @app.on_startup
    async def open_storage() -> None:
        # Storage is ready before the first command is taken.
        await broker.connect()
        # The messages service owns the stream's retention; every service, the replicas.
        await ensure_state(
            broker.connection.jetstream(),
            [storage.CHATS_BUCKET, LAST_SEQS_BUCKET],
            replicas=settings.replicas,
            max_age_seconds=settings.retention_max_age_seconds,
        )
        await while_jetstream_starts(lambda: messenger.open(broker.connection))

    @app.after_shutdown
    async def close_storage() -> None:
        await messenger.close()

    return app


def run_service(settings: Settings) -> None:
    """``chatbus service messages``."""
    run_app(create_messages_service(settings))
