"""The chats service: ``chatbus service chats``."""

from faststream import FastStream

from services.contracts import storage
from services.core.settings import Settings
from services.runtime.broker import run_app
from services.runtime.service import create_service

from .router import create_chats_router
from .rules import ChatRules


def create_chats_service(settings: Settings) -> FastStream:
    """A FastStream app that answers the chats commands."""
    chats = ChatRules(settings.replicas)
    return create_service(
        settings,
        "chats",
        chats,
        create_chats_router(chats, settings.signing_key),
        buckets=[storage.CHATS_BUCKET, storage.USERS_BUCKET, storage.READS_BUCKET],
    )


def run_service(settings: Settings) -> None:
    """``chatbus service chats``."""
    run_app(create_chats_service(settings))
