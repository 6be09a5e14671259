"""The chats service: ``chatbus service chats``."""

from faststream import FastStream

from services.contracts import storage
from services.core.settings import Settings
from services.runtime.broker import create_app, create_broker, run_app
from services.storage.jetstream import ensure_state, while_jetstream_starts

from .book import ChatBook
from .router import create_chats_router


def create_chats_service(settings: Settings) -> FastStream:
    """A FastStream app that answers the chats commands."""
    broker = create_broker(settings, "chatbus-chats")
    book = ChatBook()
    broker.include_router(create_chats_router(book, settings.signing_key))
    app = create_app(broker, settings)

    @app.on_startup
    async def open_storage() -> None:
        # Storage is ready before the first command is taken.
        await broker.connect()
        await ensure_state(
            broker.connection.jetstream(),
            [storage.CHATS_BUCKET, storage.USERS_BUCKET],
            replicas=settings.replicas,
            # The messages service owns the stream's settings; chats only reads it.
            message_stream=False,
        )
        await while_jetstream_starts(lambda: book.open(broker.connection))

    @app.after_shutdown
    async def close_storage() -> None:
        await book.close()

    return app


def run_service(settings: Settings) -> None:
    """``chatbus service chats``."""
    run_app(create_chats_service(settings))
