"""The reply envelope every command answers with, on socket.io and on NATS."""

from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ErrorCode(StrEnum):
    """Why a command failed. Clients branch on this, never on the message."""

    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    TOO_LARGE = "too_large"
    UNAVAILABLE = "unavailable"
    INTERNAL = "internal"


class ErrorDetail(BaseModel):
    """A machine-readable code and a sentence for people."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "forbidden", "message": "you are not a member of this chat"}]
        }
    )

    code: ErrorCode = Field(description="What kind of failure this is.", examples=["forbidden"])
    message: str = Field(
        description="A human-readable explanation.", examples=["you are not a member of this chat"]
    )
    retry_after: int | None = Field(
        default=None,
        ge=1,
        description="With `rate_limited`: whole seconds to wait before trying again.",
        examples=[3],
    )


class Failure(BaseModel):
    """The command was refused or failed; nothing was changed."""

    model_config = ConfigDict(
        title="Failure",
        json_schema_extra={
            "examples": [
                {
                    "ok": False,
                    "error": {"code": "forbidden", "message": "you are not a member of this chat"},
                }
            ]
        },
    )

    ok: Literal[False] = Field(default=False, description="Always false on failure.")
    error: ErrorDetail


class Success(BaseModel, Generic[T]):
    """The command succeeded; `data` holds its result."""

    ok: Literal[True] = Field(default=True, description="Always true on success.")
    data: T


def success(data: Any) -> dict[str, Any]:
    """Build a success envelope from a model, a list of models or a plain value."""
    return {"ok": True, "data": _plain(data)}


def failure(code: ErrorCode, message: str, *, retry_after: int | None = None) -> dict[str, Any]:
    """Build a failure envelope; ``retry_after`` (seconds) only when there is one."""
    error: dict[str, Any] = {"code": str(code), "message": message}
    if retry_after is not None:
        error["retry_after"] = retry_after
    return {"ok": False, "error": error}


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
