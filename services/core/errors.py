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
import math
from typing import Any

import nats.errors
from pydantic import ValidationError

from services.contracts import ErrorCode, failure

log = logging.getLogger("chatbus.errors")

# pydantic's error types for a string or a list longer than its maximum.
TOO_LONG_ERRORS = frozenset({"string_too_long", "too_long"})


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
    """Too much, too fast: the reply says how many seconds to wait."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        # Whole seconds, at least one: what HTTP's Retry-After and a client's timer want.
        self.retry_after = None if retry_after is None else max(1, math.ceil(retry_after))


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


def _only_too_long(error: ValidationError) -> bool:
    # A value over its size limit (a message's text, a chat's name, a member list) is
    # too_large, not invalid: the client knows to shorten it rather than fix its code.
    return all(problem["type"] in TOO_LONG_ERRORS for problem in error.errors())


def envelope_for(error: BaseException) -> dict[str, Any]:
    """The failure envelope for any exception; unexpected ones are logged and hidden."""
    if isinstance(error, RateLimited):
        return failure(error.code, error.message, retry_after=error.retry_after)
    if isinstance(error, ChatbusError):
        return failure(error.code, error.message)
    if isinstance(error, nats.errors.Error):
        log.warning("NATS failed during a command: %r", error)
        return failure(ErrorCode.UNAVAILABLE, "storage is unavailable; try again")
    if isinstance(error, ValidationError):
        code = ErrorCode.TOO_LARGE if _only_too_long(error) else ErrorCode.INVALID
        return failure(code, describe_validation_error(error))
    log.exception("unexpected error", exc_info=error)
    return failure(ErrorCode.INTERNAL, "internal error")
