"""The messages service: ``chatbus service messages``."""

from faststream import FastStream

from services.contracts import storage
from services.core.settings import Settings
from services.runtime.broker import run_app
from services.runtime.service import create_service
from services.storage.jetstream import LAST_SEQS_BUCKET

from .messenger import Messenger
from .retention import Retention
from .router import create_messages_router


def create_messages_service(settings: Settings, messenger: Messenger | None = None) -> FastStream:
    """A FastStream app that answers the messages commands (with ``messenger``, for tests)."""
    messenger = messenger or Messenger(
        Retention.from_settings(settings), replicas=settings.replicas
    )
    return create_service(
        settings,
        "messages",
        messenger,
        create_messages_router(messenger, settings.signing_key),
        buckets=[
            storage.CHATS_BUCKET,
            LAST_SEQS_BUCKET,
            storage.USERS_BUCKET,
            storage.PRESENCE_BUCKET,
            storage.REACTIONS_BUCKET,
        ],
        owns_message_stream=True,
    )


def run_service(settings: Settings) -> None:
    """``chatbus service messages``."""
    run_app(create_messages_service(settings))
