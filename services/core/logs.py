"""Logging set-up, the same for every chatbus role.

``CHATBUS_LOG_FORMAT=text`` (the default) prints one readable line per record;
``json`` prints one JSON object per line, for log collectors::

    {"time": "2026-11-25T21:30:00.123Z", "level": "INFO", "logger": "chatbus.edge",
     "message": "edge X ready", "role": "edge", "pid": 4242}

A traceback goes in the record's ``traceback`` field, so a line is always a record.
"""

import json
import logging
import os
import time
from datetime import UTC, datetime
from typing import TextIO

from services.core.settings import Settings

__all__ = ["LOG_FORMAT", "configure_logging", "json_line"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The role a process logs as until its command says which it is.
DEFAULT_ROLE = "chatbus"


def configure_logging(
    settings: Settings,
    *,
    stream: TextIO | None = None,
    prefix: str = "",
    role: str | None = None,
) -> None:
    """Send all log records to ``stream`` (default stderr) at ``settings.log_level``.

    ``prefix`` goes in front of every output line; ``chatbus up`` uses it to
    tag its own lines like its children's. ``role`` (``edge``, ``chats`` ...)
    names the process in JSON records; left out, the role given to an earlier
    call stays. Calling this again (the CLI and the app factories both do)
    replaces only the handler it added before, so records are never printed
    twice and handlers that others installed (pytest's log capture, for one) stay.
    """
    root = logging.getLogger()
    previous = [h for h in root.handlers if isinstance(h, _ChatbusHandler)]
    if role is None:
        role = previous[-1].role if previous else DEFAULT_ROLE
    handler = _ChatbusHandler(stream, role)
    if settings.log_format == "json":
        handler.setFormatter(_JsonFormatter(role))
    elif prefix:
        handler.setFormatter(_PrefixedFormatter(prefix))
    else:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    for old in previous:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


class _ChatbusHandler(logging.StreamHandler[TextIO]):
    """Marks the handler ``configure_logging`` owns, and remembers the process's role."""

    def __init__(self, stream: TextIO | None, role: str) -> None:
        super().__init__(stream)
        self.role = role


class _PrefixedFormatter(logging.Formatter):
    """Puts a prefix on every line of a record, tracebacks included."""

    def __init__(self, prefix: str) -> None:
        super().__init__(LOG_FORMAT)
        self.prefix = prefix

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(self.prefix + line for line in super().format(record).splitlines())


class _JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, object] = {
            "time": _utc(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "role": self.role,
            "pid": record.process or os.getpid(),
        }
        if record.exc_info:
            fields["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        # default=str: a message argument that JSON cannot hold is still logged.
        return json.dumps(fields, ensure_ascii=False, default=str)


def json_line(role: str, line: str) -> str:
    """A line another program printed (nats-server's, or a child's), as a JSON record.

    A line that is already a JSON record (a chatbus child in JSON mode) stays as it is.
    """
    if line.startswith("{") and line.endswith("}"):
        return line
    fields = {"time": _utc(time.time()), "level": "INFO", "logger": role, "message": line}
    return json.dumps(fields | {"role": role}, ensure_ascii=False)


def _utc(created: float) -> str:
    """``2026-11-25T21:30:00.123Z``."""
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
