"""The socket.io side, generated from the edge's own table of events.

The edge registers one handler per ``COMMANDS`` row and forwards every
``SERVER_EVENTS`` row, so walking the same tables here means an event the
edge handles cannot be missing from the document.
"""

from typing import Any

from pydantic import BaseModel

from services.contracts.commands import COMMANDS
from services.contracts.events import SERVER_EVENTS

from .nats import Document, reply_message
from .schemas import Schema, add_model

EDGE_SERVER = "edge"


def describe_socketio(document: Document) -> None:
    """Add one channel per socket.io event, on the ``edge`` server, to ``document``."""
    schemas: dict[str, Schema] = document["components"]["schemas"]
    messages: dict[str, Any] = document["components"]["messages"]
    for command in COMMANDS:
        channel = _channel(document, command.event)
        request = f"socketio.{command.event}.request"
        messages[request] = _message(
            schemas, command.request, f"{command.event} request", command.summary
        )
        ack = f"socketio.{command.event}.ack"
        messages[ack] = reply_message(schemas, command)
        channel["messages"]["request"] = {"$ref": f"#/components/messages/{request}"}
        channel["messages"]["ack"] = {"$ref": f"#/components/messages/{ack}"}
        key = _key(command.event)
        document["operations"][f"{key}:receive"] = {
            "action": "receive",
            "summary": command.summary,
            "description": "Answered through the socket.io acknowledgement.",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/request"}],
            "reply": {
                "channel": {"$ref": f"#/channels/{key}"},
                "messages": [{"$ref": f"#/channels/{key}/messages/ack"}],
            },
        }
    for event in SERVER_EVENTS:
        channel = _channel(document, event.name)
        name = f"socketio.{event.name}.event"
        messages[name] = _message(schemas, event.payload, f"{event.name} event", event.summary)
        channel["messages"]["event"] = {"$ref": f"#/components/messages/{name}"}
        key = _key(event.name)
        document["operations"][f"{key}:send"] = {
            "action": "send",
            "summary": event.summary,
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/event"}],
        }


def _message(schemas: dict[str, Schema], model: type[BaseModel], title: str, summary: str) -> Any:
    return {
        "name": model.__name__,
        "title": title,
        "summary": summary,
        "contentType": "application/json",
        "payload": add_model(schemas, model),
    }


def _key(event: str) -> str:
    return f"socketio.{event}"


def _channel(document: Document, event: str) -> dict[str, Any]:
    channel: dict[str, Any] = document["channels"].setdefault(
        _key(event),
        {
            "address": event,
            "title": f"socket.io event {event}",
            "description": f"The socket.io event `{event}` (namespace `/`).",
            "servers": [{"$ref": f"#/servers/{EDGE_SERVER}"}],
            "messages": {},
        },
    )
    return channel
