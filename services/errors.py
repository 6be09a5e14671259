"""What can go wrong in a command, as data.

    ChatbusError            -> internal
     +-- InvalidInput       -> invalid
     +-- Unauthorized       -> unauthorized
     +-- Forbidden          -> forbidden
     +-- NotFound           -> not_found
     +-- Conflict           -> conflict
     +-- RateLimited        -> rate_limited
     +-- TooLarge           -> too_large
     +-- Unavailable        -> unavailable

``envelope_for`` is the one place an exception becomes a reply.
"""

import logging
from typing import Any

import nats.errors
from pydantic import ValidationError

from services.contracts import ErrorCode, failure

log = logging.getLogger("chatbus.errors")


class ChatbusError(Exception):
    """A failure the client should hear about."""

    code = ErrorCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ChatbusError):
    code = ErrorCode.INVALID


class Unauthorized(ChatbusError):
    code = ErrorCode.UNAUTHORIZED


class Forbidden(ChatbusError):
    code = ErrorCode.FORBIDDEN


class NotFound(ChatbusError):
    code = ErrorCode.NOT_FOUND


class Conflict(ChatbusError):
    code = ErrorCode.CONFLICT


class RateLimited(ChatbusError):
    code = ErrorCode.RATE_LIMITED


class TooLarge(ChatbusError):
    code = ErrorCode.TOO_LARGE


class Unavailable(ChatbusError):
    code = ErrorCode.UNAVAILABLE


def describe_validation_error(error: ValidationError) -> str:
    """One readable line for the first problems in a payload."""
    parts = []
    for problem in error.errors(include_url=False)[:3]:
        location = ".".join(str(part) for part in problem["loc"] if part != "body")
        parts.append(f"{location}: {problem['msg']}" if location else problem["msg"])
    return "; ".join(parts) or "invalid payload"


def envelope_for(error: BaseException) -> dict[str, Any]:
    """The failure envelope for any exception; unexpected ones are logged and hidden."""
    if isinstance(error, ChatbusError):
        return failure(error.code, error.message)
    if isinstance(error, nats.errors.Error):
        log.warning("NATS failed during a command: %r", error)
        return failure(ErrorCode.UNAVAILABLE, "storage is unavailable; try again")
    if isinstance(error, ValidationError):
        return failure(ErrorCode.INVALID, describe_validation_error(error))
    log.exception("unexpected error", exc_info=error)
    return failure(ErrorCode.INTERNAL, "internal error")
