"""``build_asyncapi()``: the whole AsyncAPI 3.0 document, NATS and socket.io."""

from importlib.metadata import version

from .nats import NATS_SERVER, Document, describe_nats, faststream_document
from .socketio import EDGE_SERVER, describe_socketio

TITLE = "chatbus"
DESCRIPTION = (
    "Real-time chat on NATS. Browsers talk socket.io to the edge; the edge turns each "
    "client event into a NATS request on `chat.cmd.<username>.<area>.<verb>`, and the "
    "chats, messages and status services answer and publish events on `chat.room.*` and "
    "`chat.presence.*`. Any other program can use the same NATS subjects, as itself.\n\n"
    "Every command answers with an envelope: `{ok: true, data}` or "
    "`{ok: false, error: {code, message}}`."
)
SERVERS = {
    NATS_SERVER: {
        "host": "127.0.0.1:4222",
        "protocol": "nats",
        "description": "The NATS server (embedded by `chatbus up`, or `NATS_URL`).",
    },
    EDGE_SERVER: {
        "host": "127.0.0.1:8000",
        "protocol": "ws",
        "pathname": "/socket.io/",
        "description": (
            "The edge's socket.io endpoint over websocket. Connect with "
            "`io(url, {auth: {token}})`; the token comes from `POST /api/login`."
        ),
    },
}


def build_asyncapi() -> Document:
    """The AsyncAPI 3.0.0 document for chatbus, built from the running code's definitions."""
    document = faststream_document(TITLE)
    document["info"] = {"title": TITLE, "version": version("chatbus"), "description": DESCRIPTION}
    document["servers"] = {name: dict(server) for name, server in SERVERS.items()}
    describe_nats(document)
    describe_socketio(document)
    return document
