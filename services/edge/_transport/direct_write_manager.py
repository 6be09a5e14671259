"""Server events to many sockets: framed once, written or queued on each without a task.

Follows python-socketio 5.18.1 ``AsyncManager.emit``, through its extension
point (the server's ``client_manager``). python-socketio's emit creates a task
per recipient and waits for all of them, and the NATS callback that emits waits
in turn, so one event's recipients hold up the next event; each of those tasks
ends up putting the same encoded Engine.IO packet on the socket's queue, which
that socket's writer wakes up to frame and send. Here an event whose payload is
already JSON (``JsonPayload``) is framed once, written at once to each
websocket with nothing ahead of it, and queued only for the others (polling, a
backlog, a slow reader), up to a limit past which the client is disconnected
(``engine_socket.MAX_UNSENT_EVENTS``). Any other emit is python-socketio's own.
"""

import json
from typing import Any

import socketio
from engineio import packet as engineio_packet
from socketio import packet as socketio_packet

from .engine_socket import DirectWriteEngineSocket
from .websocket_protocol import text_frame

__all__ = ["DirectWriteManager", "JsonPayload"]

NAMESPACE = "/"


class JsonPayload(str):
    """An event's payload already encoded as JSON: spliced into the packet as it is."""

    __slots__ = ()


class DirectWriteManager(socketio.AsyncManager):
    """python-socketio's manager, framing a ``JsonPayload`` event once for all its recipients."""

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        """Send ``event`` to each socket in ``to`` (a room, a list of rooms; None: all) once."""
        if not isinstance(data, JsonPayload) or namespace != NAMESPACE or skip_sid or callback:
            await super().emit(event, data, namespace, room, skip_sid, callback, to, **kwargs)
            return
        self.write_or_queue(event, data, to or room)

    def write_or_queue(self, event: str, payload: JsonPayload, rooms: Any) -> int:
        """Frame the event once; write it to each recipient's websocket, or queue it there.

        Returns how many sockets it was written or queued for.
        """
        packet = engineio_packet.Packet(engineio_packet.MESSAGE, _event_packet(event, payload))
        frame = text_frame(packet.encode())
        sockets = self.server.eio.sockets
        sent = 0
        # One packet per socket, even when it is in several of the rooms.
        for _, engineio_sid in self.get_participants(NAMESPACE, rooms):
            socket: DirectWriteEngineSocket | None = sockets.get(engineio_sid)
            if socket is not None and (socket.write_now(frame) or socket.queue_event(packet)):
                sent += 1
        return sent


def _event_packet(event: str, payload_json: str) -> str:
    # What socketio.Packet(EVENT, data=[event, payload]).encode() gives on namespace "/",
    # with the payload's JSON spliced in rather than decoded and dumped again.
    return f"{socketio_packet.EVENT}[{json.dumps(event)},{payload_json}]"
