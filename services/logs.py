"""Logging setup shared by every chatbus process (the supervisor may replace this)."""

import logging

from services.settings import Settings


def configure_logging(settings: Settings) -> None:
    """One format for all roles, so `chatbus up` shows a single readable stream."""
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
