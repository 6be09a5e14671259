"""Logging set-up, the same for every chatbus role."""

import logging
from typing import TextIO

from services.settings import Settings

__all__ = ["LOG_FORMAT", "configure_logging"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(
    settings: Settings, *, stream: TextIO | None = None, prefix: str = ""
) -> None:
    """Send all log records to ``stream`` (default stderr) at ``settings.log_level``.

    ``prefix`` goes in front of every output line; ``chatbus up`` uses it to
    tag its own lines like its children's. Calling this again (the CLI and
    the app factories both do) replaces only the handler it added before, so
    records are never printed twice and handlers that others installed
    (pytest's log capture, for one) stay.
    """
    handler = _ChatbusHandler(stream)
    handler.setFormatter(_PrefixedFormatter(prefix) if prefix else logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _ChatbusHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


class _ChatbusHandler(logging.StreamHandler[TextIO]):
    """Marks the handler ``configure_logging`` owns."""


class _PrefixedFormatter(logging.Formatter):
    """Puts a prefix on every line of a record, tracebacks included."""

    def __init__(self, prefix: str) -> None:
        super().__init__(LOG_FORMAT)
        self.prefix = prefix

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(self.prefix + line for line in super().format(record).splitlines())
