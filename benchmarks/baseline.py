"""The baseline: the original demo's architecture, a plain python-socketio server.

No broker and no storage: a socket joins a room with ``chats:join`` and every
``messages:send`` is broadcast to its room and acknowledged. It speaks
chatbus's event names and payload shapes (``{ok, data}`` envelopes, ``Message``
events) so that one load generator drives both. Authentication is trivial: the
``auth.token`` is taken as the username. Served by uvicorn with the same loop
and websocket implementation as ``chatbus edge``, so the comparison is about
the architecture, not the HTTP server.

Run: ``python -m benchmarks.baseline --port 8001``.
"""

import argparse
import itertools
import uuid
from collections import defaultdict
from typing import Any

import socketio
import uvicorn

from services.contracts import (
    JOIN_CHAT,
    SEND_MESSAGE,
    ErrorCode,
    failure,
    is_username,
    success,
    utc_now,
)
from services.contracts.events import MESSAGE_EVENT

__all__ = ["create_baseline", "main"]


def create_baseline() -> socketio.ASGIApp:
    """The baseline's ASGI app: trivial auth, rooms, broadcast with an ack."""
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*", logger=False)
    usernames: dict[str, str] = {}
    # A per-room counter stands in for chatbus's seq; nothing is kept beyond it.
    seqs: defaultdict[str, itertools.count[int]] = defaultdict(lambda: itertools.count(1))

    @sio.on("connect")
    async def connect(sid: str, environ: Any = None, auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not is_username(token):
            raise socketio.exceptions.ConnectionRefusedError(
                "unauthorized", {"code": "unauthorized"}
            )
        usernames[sid] = token

    @sio.on("disconnect")
    async def disconnect(sid: str, *args: Any) -> None:
        usernames.pop(sid, None)

    @sio.on(JOIN_CHAT.event)
    async def join_chat(sid: str, payload: Any = None) -> dict[str, Any]:
        chat_id = payload.get("chat_id") if isinstance(payload, dict) else None
        if not isinstance(chat_id, str) or not chat_id:
            return failure(ErrorCode.INVALID, "chat_id is required")
        await sio.enter_room(sid, chat_id)
        return success({"id": chat_id})

    @sio.on(SEND_MESSAGE.event)
    async def send_message(sid: str, payload: Any = None) -> dict[str, Any]:
        if not isinstance(payload, dict):
            return failure(ErrorCode.INVALID, "the payload must be an object")
        chat_id, text = payload.get("chat_id"), payload.get("text")
        if not isinstance(chat_id, str) or not isinstance(text, str) or not text:
            return failure(ErrorCode.INVALID, "chat_id and text are required")
        # A plain dict shaped like chatbus's Message: the demo validated nothing more.
        message = {
            "chat_id": chat_id,
            "seq": next(seqs[chat_id]),
            "id": uuid.uuid4().hex,
            "sender": usernames.get(sid, "unknown"),
            "text": text,
            "sent_at": utc_now().isoformat(),
            "via": "web",
        }
        await sio.emit(MESSAGE_EVENT.name, message, to=chat_id)
        return success(message)

    @sio.on("*")
    async def other_event(event: str, sid: str, *args: Any) -> dict[str, Any]:
        return failure(ErrorCode.INVALID, f"the baseline does not handle {event[:64]!r}")

    return socketio.ASGIApp(sio, socketio_path="socket.io")


def main() -> None:
    """Serve the baseline until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.baseline")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(
        create_baseline(),
        host=args.host,
        port=args.port,
        loop="uvloop",
        ws="websockets-sansio",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )


if __name__ == "__main__":
    main()
