"""envelope_for: the one place an exception becomes a reply."""

import nats.errors
import pytest
from pydantic import ValidationError

from services.contracts import SendMessage
from services.core.errors import (
    ChatbusError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
    Unavailable,
    describe_validation_error,
    envelope_for,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInput("x"), "invalid"),
        (Unauthorized("x"), "unauthorized"),
        (Forbidden("x"), "forbidden"),
        (NotFound("x"), "not_found"),
        (Conflict("x"), "conflict"),
        (RateLimited("x"), "rate_limited"),
        (TooLarge("x"), "too_large"),
        (Unavailable("x"), "unavailable"),
        (ChatbusError("x"), "internal"),
    ],
)
def test_each_chatbus_error_maps_to_its_code_with_its_message(
    error: ChatbusError, code: str
) -> None:
    assert envelope_for(error) == {"ok": False, "error": {"code": code, "message": "x"}}


@pytest.mark.parametrize(
    "error",
    [
        nats.errors.TimeoutError(),
        nats.errors.NoRespondersError(),
        nats.errors.ConnectionClosedError(),
    ],
)
def test_nats_failures_map_to_unavailable(error: Exception) -> None:
    envelope = envelope_for(error)
    assert envelope["ok"] is False and envelope["error"]["code"] == "unavailable"


def test_validation_error_maps_to_invalid_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        SendMessage.model_validate({"chat_id": "general", "text": ""})
    envelope = envelope_for(caught.value)
    assert envelope["error"]["code"] == "invalid"
    assert envelope["error"]["message"].startswith("text:")


def test_validation_error_description_names_at_most_three_problems() -> None:
    with pytest.raises(ValidationError) as caught:
        SendMessage.model_validate({"chat_id": "a b", "text": 1, "client_id": " ", "a": 1, "b": 2})
    assert len(caught.value.errors()) > 3
    assert describe_validation_error(caught.value).count(";") == 2


def test_unexpected_error_maps_to_internal_without_revealing_its_message() -> None:
    envelope = envelope_for(RuntimeError("secret detail from deep inside"))
    assert envelope == {"ok": False, "error": {"code": "internal", "message": "internal error"}}
