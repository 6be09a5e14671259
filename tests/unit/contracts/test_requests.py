"""The contract models and the command table: what a payload may and may not hold."""

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from services.contracts import (
    COMMANDS,
    CreateChat,
    InviteToChat,
    JoinChat,
    MessageHistory,
    Request,
    SendMessage,
    SetStatus,
    is_username,
)

VALID_USERNAMES = ["ab", "a1", "0day", "alice", "bob_2", "carol-x", "a" * 32, "a-", "z_"]
INVALID_USERNAMES = [
    "",
    "a",
    "Alice",
    "ALICE",
    "-alice",
    "_alice",
    "a" * 33,
    "al ice",
    "al.ice",
    "al*",
    "al>",
    "ålice",
    "alice\n",
    " alice",
]


def refused(model: type[BaseModel], payload: dict[str, Any]) -> list[str]:
    """The fields ``model`` refuses in ``payload``; fails if it is accepted."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return [str(problem["loc"][0]) if problem["loc"] else "" for problem in caught.value.errors()]


@pytest.mark.parametrize("username", VALID_USERNAMES)
def test_well_formed_usernames_are_accepted_everywhere(username: str) -> None:
    assert is_username(username)
    assert InviteToChat(chat_id="general", username=username).username == username


@pytest.mark.parametrize("username", INVALID_USERNAMES)
def test_malformed_usernames_are_refused_everywhere(username: str) -> None:
    assert not is_username(username)
    assert refused(InviteToChat, {"chat_id": "general", "username": username}) == ["username"]


@pytest.mark.parametrize("chat_id", ["general", "A", "a_b-C9", "x" * 64, "Zx9-_"])
def test_well_formed_chat_ids_are_accepted(chat_id: str) -> None:
    assert JoinChat(chat_id=chat_id).chat_id == chat_id


@pytest.mark.parametrize("chat_id", ["", "x" * 65, "a.b", "a b", "a*", "a>", "gén", "a/b"])
def test_chat_ids_that_could_break_a_subject_are_refused(chat_id: str) -> None:
    assert refused(JoinChat, {"chat_id": chat_id}) == ["chat_id"]


@pytest.mark.parametrize(
    "text", ["x", "x" * 4000, "  padded  ", "<b>not bold</b>", "line\nbreak", "emoji \U0001f600"]
)
def test_message_text_is_kept_exactly_as_sent(text: str) -> None:
    assert SendMessage(chat_id="general", text=text).text == text


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\t ", "x" * 4001, "\ud800", "ok \udfff"],
    ids=["empty", "space", "whitespace", "too-long", "lone-high-surrogate", "lone-low-surrogate"],
)
def test_message_text_that_is_blank_too_long_or_not_unicode_is_refused(text: str) -> None:
    assert refused(SendMessage, {"chat_id": "general", "text": text}) == ["text"]


def test_lone_surrogate_decoded_from_json_escape_is_refused() -> None:
    payload = json.loads('{"chat_id": "general", "text": "a\\ud83d"}')
    assert refused(SendMessage, payload) == ["text"]


def test_text_length_counts_characters_not_bytes() -> None:
    assert len(SendMessage(chat_id="g", text="\u00e9" * 4000).text.encode()) == 8000


@pytest.mark.parametrize("client_id", ["c-17", "a", "x" * 64, "tab.1:msg_2", "UUID-ABC"])
def test_client_ids_of_safe_characters_are_accepted(client_id: str) -> None:
    assert SendMessage(chat_id="g", text="hi", client_id=client_id).client_id == client_id


@pytest.mark.parametrize("client_id", ["", "x" * 65, "has space", "a/b", "a*b", "é"])
def test_client_ids_outside_the_pattern_are_refused(client_id: str) -> None:
    assert refused(SendMessage, {"chat_id": "g", "text": "hi", "client_id": client_id}) == [
        "client_id"
    ]


@pytest.mark.parametrize(
    ("given", "kept"),
    [(" lunch ", "lunch"), ("x" * 80, "x" * 80), (" " + "y" * 80 + " ", "y" * 80)],
)
def test_chat_names_are_stripped_before_their_length_is_checked(given: str, kept: str) -> None:
    assert CreateChat(name=given).name == kept


@pytest.mark.parametrize("name", ["", "   ", "\t", "x" * 81, "bell\x07", "del\x7f", "a\nb"])
def test_chat_names_that_are_blank_too_long_or_hold_control_characters_are_refused(
    name: str,
) -> None:
    assert refused(CreateChat, {"name": name}) == ["name"]


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (CreateChat, {"name": "x", "private": "yes"}, "private"),
        (CreateChat, {"name": "x", "private": 1}, "private"),
        (CreateChat, {"name": "x", "members": "bob"}, "members"),
        (MessageHistory, {"chat_id": "g", "limit": "5"}, "limit"),
        (MessageHistory, {"chat_id": "g", "after": 1.5}, "after"),
        (SendMessage, {"chat_id": 7, "text": "hi"}, "chat_id"),
        (SetStatus, {"status": ["away"]}, "status"),
    ],
)
def test_payload_fields_of_the_wrong_type_are_refused_not_coerced(
    model: type[BaseModel], payload: dict[str, Any], field: str
) -> None:
    assert refused(model, payload) == [field]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"chat_id": "g", "limit": 0}, "limit"),
        ({"chat_id": "g", "limit": 101}, "limit"),
        ({"chat_id": "g", "before": 0}, "before"),
        ({"chat_id": "g", "after": -1}, "after"),
    ],
)
def test_history_bounds_are_checked(payload: dict[str, Any], field: str) -> None:
    assert refused(MessageHistory, payload) == [field]


def test_history_defaults_to_the_newest_fifty_without_revisions() -> None:
    assert MessageHistory(chat_id="g").model_dump() == {
        "chat_id": "g",
        "before": None,
        "after": None,
        "limit": 50,
        "revisions": False,
    }


@pytest.mark.parametrize("status", ["offline", "Online", "", "invisible"])
def test_only_online_away_or_busy_can_be_chosen(status: str) -> None:
    assert refused(SetStatus, {"status": status}) == ["status"]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.event)
def test_every_command_payload_refuses_unknown_fields(command: Any) -> None:
    assert issubclass(command.request, Request)
    assert "sender" in refused(command.request, {"sender": "mallory"})
