"""Server events to many sockets: encoded once, written or queued on each without a task.

python-socketio's room emit creates a task per recipient and waits for all of
them, and the NATS callback that emits waits in turn, so one event's
recipients hold up the next event. What each of those tasks ends up doing is
putting the same encoded Engine.IO packet on the socket's outgoing queue,
which that socket's writer wakes up to frame and send. Here the event is also
framed once, and written at once to each websocket with nothing ahead of it;
only the others (polling, a backlog, a slow reader) get it queued, up to a
limit past which the client is disconnected (``MAX_UNSENT_EVENTS``).
"""

import json
from collections.abc import Iterable

import socketio
from engineio import packet as engineio_packet
from socketio import packet as socketio_packet

from .engine import LeanEngineSocket
from .websocket import text_frame

NAMESPACE = "/"


class Broadcaster:
    """Queues one event for many sockets of the edge's socket.io server."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    def emit(self, event: str, payload_json: str, rooms: Iterable[str] | None = None) -> int:
        """Send ``event`` (its payload already JSON) to each socket in ``rooms`` once.

        ``rooms`` None means every connected socket. Returns how many sockets it
        was written or queued for.
        """
        packet = engineio_packet.Packet(engineio_packet.MESSAGE, _event_packet(event, payload_json))
        frame = text_frame(packet.encode())
        sent = 0
        for engineio_sid in self._recipients(rooms):
            socket: LeanEngineSocket | None = self._sio.eio.sockets.get(engineio_sid)
            if socket is not None and (socket.write_now(frame) or socket.queue_event(packet)):
                sent += 1
        return sent

    def _recipients(self, rooms: Iterable[str] | None) -> Iterable[str]:
        namespace = self._sio.manager.rooms.get(NAMESPACE, {})
        if rooms is None:
            return namespace.get(None, {}).values()
        recipients: dict[str, None] = {}  # one packet per socket, even when in several rooms
        for room in rooms:
            recipients.update(dict.fromkeys(namespace.get(room, {}).values()))
        return recipients


def _event_packet(event: str, payload_json: str) -> str:
    # What socketio.Packet(EVENT, data=[event, payload]).encode() gives on namespace "/",
    # with the payload's JSON spliced in rather than decoded and dumped again.
    return f"{socketio_packet.EVENT}[{json.dumps(event)},{payload_json}]"
