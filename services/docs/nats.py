"""The NATS side: FastStream's own document for the handler apps, completed.

FastStream describes what the handlers subscribe to. It does not describe
what they answer or what they publish, so this module adds the reply of every
``chat.cmd.*`` command (AsyncAPI 3 ``reply``) and the event subjects, all
read from ``services.contracts``.
"""

from typing import Any
from urllib.parse import unquote

from faststream import FastStream
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from services.contracts import subjects
from services.contracts.commands import COMMANDS, Command
from services.contracts.events import SERVER_EVENTS
from services.contracts.internal import (
    Account,
    Connection,
    Credentials,
    EdgeHeartbeat,
    LoginAttempt,
    PasswordChange,
    TokenInUse,
    TokenRevocation,
)
from services.contracts.models import Presence
from services.core.settings import Settings

from .schemas import Schema, add_model, add_reply, reply_schema_name

NATS_SERVER = "nats"
# Internal models FastStream already names in its document; we define them like the rest.
INTERNAL_MODELS: tuple[type[BaseModel], ...] = (
    Account,
    Connection,
    Credentials,
    EdgeHeartbeat,
    LoginAttempt,
    PasswordChange,
    TokenInUse,
)
INTERNAL_SUBJECTS = (
    subjects.REGISTER_USER,
    subjects.LOGIN,
    subjects.CHECK_TOKEN,
    subjects.CHANGE_PASSWORD,
    subjects.CONNECTION_OPENED,
    subjects.CONNECTION_CLOSED,
    subjects.EDGE_HEARTBEAT,
)
PARAMETERS = {
    "username": {"description": "The acting user: the edge for a logged-in user, or a bot."},
    "chat_id": {"description": "The chat's id."},
}

Document = dict[str, Any]


def handler_apps(settings: Settings) -> list[FastStream]:
    """The real handler apps, built but never started."""
    from services.chats.app import create_chats_service
    from services.messages.app import create_messages_service
    from services.status.app import create_status_service

    return [
        create_chats_service(settings),
        create_messages_service(settings),
        create_status_service(settings),
    ]


def faststream_document(title: str) -> Document:
    """What FastStream generates for the handler brokers (nothing connects)."""
    # Nothing is signed: any secret long enough to be accepted will do.
    settings = Settings(secret="docs-only-secret-that-signs-nothing")
    brokers = [app.broker for app in handler_apps(settings) if app.broker]
    spec = AsyncAPI(*brokers, title=title, schema_version="3.0.0").to_specification()
    document: Document = spec.to_jsonable()
    return document


def describe_nats(document: Document) -> None:
    """Complete FastStream's document in place: servers, schemas, replies, events."""
    schemas: dict[str, Schema] = document["components"]["schemas"]
    # FastStream drops payload fields that share a name with a subject parameter
    # (InviteToChat.username), so the contract's own schema replaces its version.
    models: list[type[BaseModel]] = [command.request for command in COMMANDS]
    for model in [*models, *INTERNAL_MODELS]:
        if model.__name__ in schemas:
            del schemas[model.__name__]
            add_model(schemas, model)
    for channel in document["channels"].values():
        channel["servers"] = [{"$ref": f"#/servers/{NATS_SERVER}"}]
        _declare_parameters(channel)
        if channel["address"] in INTERNAL_SUBJECTS:
            channel["description"] = (
                "Internal: between the edge and the services only; NATS permissions keep "
                f"other programs out. {channel.get('description', '')}".strip()
            )
    for command in COMMANDS:
        _add_reply(document, schemas, command)
    _add_events(document, schemas)


def _declare_parameters(channel: dict[str, Any]) -> None:
    used = {name: spec for name, spec in PARAMETERS.items() if f"{{{name}}}" in channel["address"]}
    if used:
        channel["parameters"] = used


def _command_operation(document: Document, command: Command) -> dict[str, Any]:
    for operation in document["operations"].values():
        channel = _resolve(document, operation["channel"]["$ref"])
        if channel["address"] == command.subscription:
            return operation
    raise LookupError(f"no handler subscribes to {command.subscription}")


def _add_reply(document: Document, schemas: dict[str, Schema], command: Command) -> None:
    name = f"{command.area}.{command.verb}.reply"
    document["components"]["messages"][name] = reply_message(schemas, command)
    document["channels"][name] = {
        "address": None,
        "title": f"Reply to {command.subscription}",
        "description": (
            "The requester's inbox: the NATS reply subject of the request, under `_INBOX.` or "
            "the program's own `_INBOX_<name>.` prefix. A command naming any other reply "
            "subject is refused unanswered."
        ),
        "servers": [{"$ref": f"#/servers/{NATS_SERVER}"}],
        "messages": {"reply": {"$ref": f"#/components/messages/{name}"}},
    }
    operation = _command_operation(document, command)
    operation["summary"] = command.summary
    operation["reply"] = {
        "channel": {"$ref": f"#/channels/{name}"},
        "messages": [{"$ref": f"#/channels/{name}/messages/reply"}],
    }


def reply_message(schemas: dict[str, Schema], command: Command) -> dict[str, Any]:
    """The message answering ``command``: its envelope, on NATS and as a socket.io ack."""
    return {
        "name": f"{reply_schema_name(command)}Reply",
        "title": f"{command.event} reply",
        "summary": f"The answer to {command.event}: the reply envelope.",
        "description": "`{ok: true, data: ...}` or `{ok: false, error: {code, message}}`.",
        "contentType": "application/json",
        "payload": add_reply(schemas, command),
    }


def _add_events(document: Document, schemas: dict[str, Schema]) -> None:
    events = [
        (subjects.room_event_pattern(event.room_event), event.payload, event.summary, event.name)
        for event in SERVER_EVENTS
        if event.room_event
    ]
    events += [
        (
            subjects.user_event_pattern(event.user_event),
            event.payload,
            "To one user: a chat they were added to or removed from.",
            f"user_{event.name}",
        )
        for event in SERVER_EVENTS
        if event.user_event
    ]
    events.append(
        (subjects.presence("{username}"), Presence, "A user's presence changed.", "presence")
    )
    revoked = (
        "Internal: from the status service to the edges only. A user's tokens were revoked:"
        " each edge disconnects the sockets opened with one this voids."
    )
    events.append((subjects.TOKENS_REVOKED, TokenRevocation, revoked, "tokens_revoked"))
    for address, payload, summary, name in events:
        key = address.replace("{", "").replace("}", "")
        document["components"]["messages"][key] = {
            "name": payload.__name__,
            "title": address,
            "summary": summary,
            "contentType": "application/json",
            "payload": add_model(schemas, payload),
        }
        channel: dict[str, Any] = {
            "address": address,
            "description": summary,
            "servers": [{"$ref": f"#/servers/{NATS_SERVER}"}],
            "messages": {name: {"$ref": f"#/components/messages/{key}"}},
        }
        _declare_parameters(channel)
        document["channels"][key] = channel
        document["operations"][f"{key}:publish"] = {
            "action": "send",
            "summary": summary,
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{name}"}],
        }


def _resolve(document: Document, ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[unquote(part).replace("~1", "/").replace("~0", "~")]
    return node
