"""TypeScript declarations of the client protocol, generated from the contract models.

``python -m services.contracts.typescript`` prints the module the web client
imports (``web/src/protocol.ts``); a test fails when the committed one is stale.
"""

import json
from typing import Any

from pydantic import BaseModel, TypeAdapter

from .commands import COMMANDS
from .envelope import ErrorCode
from .events import SERVER_EVENTS

HEADER = """\
// Generated from services/contracts by `python -m services.contracts.typescript`.
// Do not edit: change the Python models and regenerate.
"""


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    if "anyOf" in schema:
        return " | ".join(_type(option) for option in schema["anyOf"])
    kind = schema.get("type")
    if kind == "array":
        item = _type(schema.get("items", {}))
        return f"({item})[]" if " " in item else f"{item}[]"
    if kind == "object" and "properties" not in schema:
        return "Record<string, never>"
    return {
        "string": "string",
        "integer": "number",
        "number": "number",
        "boolean": "boolean",
        "null": "null",
    }.get(str(kind), "unknown")


def _interface(name: str, schema: dict[str, Any], *, sent_by_server: bool) -> str:
    # What the server sends always carries every field; what clients send may omit defaults.
    required = set(schema["properties"] if sent_by_server else schema.get("required", []))
    lines = []
    if schema.get("description"):
        lines.append(f"/** {schema['description']} */")
    lines.append(f"export interface {name} {{")
    for field, spec in schema["properties"].items():
        if spec.get("description"):
            lines.append(f"  /** {spec['description']} */")
        optional = "" if field in required else "?"
        lines.append(f"  {field}{optional}: {_type(spec)};")
    lines.append("}")
    return "\n".join(lines)


def _collect(schema: dict[str, Any], into: dict[str, dict[str, Any]]) -> None:
    for name, definition in schema.pop("$defs", {}).items():
        into.setdefault(name, definition)


def render() -> str:
    """The whole generated module."""
    definitions: dict[str, dict[str, Any]] = {}
    replies: dict[str, str] = {}
    requests = {command.request.__name__ for command in COMMANDS}
    for command in COMMANDS:
        request = command.request.model_json_schema(mode="validation")
        _collect(request, definitions)
        definitions.setdefault(command.request.__name__, request)
        reply = TypeAdapter(command.reply).json_schema(mode="serialization")
        _collect(reply, definitions)
        if isinstance(command.reply, type) and issubclass(command.reply, BaseModel):
            definitions.setdefault(command.reply.__name__, reply)
            replies[command.event] = command.reply.__name__
        else:
            replies[command.event] = _type(reply)
    for event in SERVER_EVENTS:
        schema = event.payload.model_json_schema(mode="serialization")
        _collect(schema, definitions)
        definitions.setdefault(event.payload.__name__, schema)

    parts = [HEADER]
    codes = " | ".join(json.dumps(str(code)) for code in ErrorCode)
    parts.append(f"export type ErrorCode = {codes};")
    parts.append(
        "export interface ErrorDetail {\n  code: ErrorCode;\n  message: string;\n}\n"
        "/** Every acknowledgement: the data, or an error. */\n"
        "export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ErrorDetail };"
    )
    parts += [
        _interface(name, definitions[name], sent_by_server=name not in requests)
        for name in sorted(definitions)
    ]
    commands = "\n".join(
        f'  /** {command.summary} */\n  "{command.event}": '
        f"{{ request: {command.request.__name__}; reply: {replies[command.event]} }};"
        for command in COMMANDS
    )
    parts.append(
        f"/** Client -> server events and their acknowledgements. */\n"
        f"export interface ClientEvents {{\n{commands}\n}}"
    )
    events = "\n".join(
        f"  /** {event.summary} */\n  {event.name}: {event.payload.__name__};"
        for event in SERVER_EVENTS
    )
    parts.append(f"/** Server -> client events. */\nexport interface ServerEvents {{\n{events}\n}}")
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    print(render(), end="")
