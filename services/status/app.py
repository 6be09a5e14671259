"""The status service: ``chatbus service status``."""

from faststream import FastStream

from services.contracts import storage
from services.core.settings import Settings
from services.runtime.broker import run_app
from services.runtime.service import create_service

from .router import create_status_router
from .state import StatusState


def create_status_service(settings: Settings) -> FastStream:
    """A FastStream app for accounts, presence and typing."""
    status = StatusState(settings)
    return create_service(
        settings,
        "status",
        status,
        create_status_router(status, settings.signing_key),
        buckets=[storage.USERS_BUCKET, storage.PRESENCE_BUCKET, storage.CHATS_BUCKET],
    )


def run_service(settings: Settings) -> None:
    """``chatbus service status``."""
    run_app(create_status_service(settings))
