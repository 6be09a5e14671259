"""The AsyncAPI document: generated from the code, committed up to date, valid."""

import json
from typing import Any

import pytest
import yaml

from services.contracts import COMMANDS, SERVER_EVENTS
from services.docs import build_asyncapi, render_json, render_yaml
from tests.support.paths import ASYNCAPI


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_asyncapi()


def channels_on(document: dict[str, Any], server: str) -> list[dict[str, Any]]:
    return [
        channel
        for channel in document["channels"].values()
        if {"$ref": f"#/servers/{server}"} in channel["servers"]
    ]


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("%7B", "{").replace("%7D", "}")]
    return node


def test_committed_files_are_what_the_code_generates(document: dict[str, Any]) -> None:
    stale = "asyncapi/ is stale: run `chatbus docs`"
    assert (ASYNCAPI / "asyncapi.json").read_text() == render_json(document), stale
    assert (ASYNCAPI / "asyncapi.yaml").read_text() == render_yaml(document), stale


def test_yaml_and_json_hold_the_same_document() -> None:
    from_yaml = yaml.safe_load((ASYNCAPI / "asyncapi.yaml").read_text())
    assert from_yaml == json.loads((ASYNCAPI / "asyncapi.json").read_text())


def test_document_is_asyncapi_3_with_a_nats_and_a_socketio_server(
    document: dict[str, Any],
) -> None:
    assert document["asyncapi"] == "3.0.0"
    servers = document["servers"]
    assert set(servers) == {"nats", "edge"}
    assert (servers["nats"]["protocol"], servers["nats"]["host"]) == ("nats", "127.0.0.1:4222")
    assert servers["edge"] == servers["edge"] | {
        "protocol": "ws",
        "host": "127.0.0.1:8000",
        "pathname": "/socket.io/",
    }


def test_every_socketio_event_of_the_edge_is_a_channel_on_the_edge_server(
    document: dict[str, Any],
) -> None:
    addresses = {channel["address"] for channel in channels_on(document, "edge")}
    events = {command.event for command in COMMANDS} | {event.name for event in SERVER_EVENTS}
    assert addresses == events


def test_every_command_answers_with_its_envelope_on_both_faces(document: dict[str, Any]) -> None:
    operations = document["operations"].values()
    for command in COMMANDS:
        for address in (command.event, command.subscription):
            (operation,) = [
                op
                for op in operations
                if op["action"] == "receive"
                and resolve(document, op["channel"]["$ref"])["address"] == address
            ]
            (reply_ref,) = operation["reply"]["messages"]
            payload = resolve(document, resolve(document, reply_ref["$ref"])["$ref"])["payload"]
            envelope = resolve(document, payload["$ref"])
            success, failure = (resolve(document, ref["$ref"]) for ref in envelope["oneOf"])
            assert success["properties"]["ok"]["const"] is True
            assert failure["title"] == "Failure"


def test_every_command_subject_and_event_subject_is_on_the_nats_server(
    document: dict[str, Any],
) -> None:
    from services.contracts import subjects

    addresses = {channel["address"] for channel in channels_on(document, "nats")}
    assert {command.subscription for command in COMMANDS} <= addresses
    room_events = {subjects.room_event_pattern(e.room_event) for e in SERVER_EVENTS if e.room_event}
    assert room_events | {subjects.presence("{username}")} <= addresses


def test_internal_subjects_say_they_are_internal(document: dict[str, Any]) -> None:
    from services.contracts import subjects

    internal = {
        subjects.REGISTER_USER,
        subjects.LOGIN,
        subjects.CHECK_TOKEN,
        subjects.CHANGE_PASSWORD,
        subjects.TOKENS_REVOKED,
        subjects.CONNECTION_OPENED,
    }
    for channel in channels_on(document, "nats"):
        if channel["address"] in internal:
            assert channel["description"].startswith("Internal")


def test_every_model_has_a_description_and_an_example(document: dict[str, Any]) -> None:
    for name, schema in document["components"]["schemas"].items():
        if schema.get("type") == "object" or "oneOf" in schema:
            assert schema.get("description"), f"{name} has no description"
            assert schema.get("examples"), f"{name} has no example"
