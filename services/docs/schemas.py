"""JSON Schemas for ``components/schemas``: one definition per model, plus reply envelopes."""

from typing import Any

from pydantic import BaseModel, TypeAdapter

from services.contracts.commands import Command
from services.contracts.envelope import Failure

SCHEMA_REF = "#/components/schemas/{model}"

Schema = dict[str, Any]


def schema_ref(name: str) -> Schema:
    """A ``$ref`` to a schema in ``components/schemas``."""
    return {"$ref": SCHEMA_REF.format(model=name)}


def add_model(schemas: dict[str, Schema], model: type[BaseModel]) -> Schema:
    """Put ``model`` and the models it uses into ``schemas``; return a ref to it."""
    return add_type(schemas, model)


def add_type(schemas: dict[str, Schema], annotation: Any) -> Schema:
    """Put a type's schema into ``schemas`` and return a schema referring to it.

    A model becomes a ``$ref``; ``list[Model]`` becomes an array of refs.
    """
    schema = TypeAdapter(annotation).json_schema(ref_template=SCHEMA_REF)
    for name, definition in schema.pop("$defs", {}).items():
        _define(schemas, name, definition)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        _define(schemas, annotation.__name__, schema)
        return schema_ref(annotation.__name__)
    return schema


def example_of(schemas: dict[str, Schema], schema: Schema) -> Any:
    """The first example of a schema (following refs and arrays)."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    if schema.get("type") == "array" and "examples" not in schema:
        return [example_of(schemas, schema["items"])]
    return schema["examples"][0]


def add_reply(schemas: dict[str, Schema], command: Command) -> Schema:
    """Define ``<Command>Success`` and ``<Command>Reply``; return a ref to the reply.

    The reply is the envelope: ``{ok: true, data: <reply>}`` or ``{ok: false, error}``.
    """
    base = reply_schema_name(command)
    data = add_type(schemas, command.reply)
    failure = add_model(schemas, Failure)
    success: Schema = {
        "title": f"{base}Success",
        "description": f"`{command.event}` succeeded; `data` holds its result.",
        "type": "object",
        "properties": {
            "ok": {"const": True, "description": "Always true on success."},
            "data": data,
        },
        "required": ["ok", "data"],
        "additionalProperties": False,
        "examples": [{"ok": True, "data": example_of(schemas, data)}],
    }
    _define(schemas, f"{base}Success", success)
    _define(
        schemas,
        f"{base}Reply",
        {
            "title": f"{base}Reply",
            "description": f"The answer to `{command.event}`: success or failure.",
            "oneOf": [schema_ref(f"{base}Success"), failure],
            "examples": [
                example_of(schemas, schema_ref(f"{base}Success")),
                example_of(schemas, failure),
            ],
        },
    )
    return schema_ref(f"{base}Reply")


def reply_schema_name(command: Command) -> str:
    """``ChatsList`` for ``chats.list``: the stem of a command's envelope schemas."""
    return f"{command.area.capitalize()}{command.verb.capitalize()}"


def _define(schemas: dict[str, Schema], name: str, schema: Schema) -> None:
    # Two different schemas under one name would make one of them a lie.
    existing = schemas.setdefault(name, schema)
    if existing != schema:
        raise ValueError(f"two different schemas are named {name!r}")
