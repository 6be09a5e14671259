"""How the edge reads Socket.IO packets: broken ones become answerable, never stuck.

python-socketio drops a packet it cannot decode (bad JSON, JSON nested too
deep, an event that is not ``[name, ...]``) without answering it, even when
the packet carries an ack id the client waits on; and it collects as many
binary attachments as a packet header claims (up to ten digits' worth), each
up to the packet size limit, before handling anything. ``GuardedPacket``
turns an undecodable event that has an ack id into the reserved event
``MALFORMED_EVENT``, which the edge answers ``invalid``, and refuses packets
that announce more attachments than any chatbus command could use.
"""

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from socketio import packet

# The name a broken event is handled under; a client cannot make python-socketio send it
# as an event name of its own without it also being answered `invalid`.
MALFORMED_EVENT = "(malformed event)"
# chatbus's protocol has no binary fields: one attachment is enough to be told it is invalid.
MAX_ATTACHMENTS = 4

_EVENTS = (packet.EVENT, packet.BINARY_EVENT)


class Utf8Json:
    """JSON for packets, with characters beyond ASCII written as themselves.

    Python's default escapes each as ``\\uXXXX`` (six bytes, twelve for an emoji), which
    makes a reply of chats or messages in most of the world's languages two to three times
    larger on the wire. A string that cannot be UTF-8 (a lone surrogate) is escaped all the same.
    """

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(value: Any, **options: Any) -> str:
        """``json.dumps`` without escaping non-ASCII characters, where UTF-8 can carry them."""
        encoded = json.dumps(value, ensure_ascii=False, **options)
        try:
            encoded.encode()
        except UnicodeEncodeError:
            return json.dumps(value, **options)
        return encoded


class GuardedPacket(packet.Packet):
    """A ``socketio.packet.Packet`` that never leaves an event with an ack id unanswerable."""

    json = Utf8Json

    def decode(self, encoded_packet: Any) -> int:
        """Decode as python-socketio does; a broken event with an ack id becomes answerable."""
        try:
            attachments: int = super().decode(encoded_packet)
        except (ValueError, RecursionError):
            if self.packet_type not in _EVENTS or self.id is None:
                raise
            return self._as_malformed()
        if self.packet_type in _EVENTS and (
            attachments > MAX_ATTACHMENTS or not _is_event(self.data)
        ):
            return self._as_malformed()
        return attachments

    def add_attachment(self, attachment: Any) -> bool:
        """Add a binary attachment; a placeholder that points nowhere makes the event malformed.

        Without this, python-socketio keeps waiting for attachments after the failure and
        takes every later packet on the connection for one.
        """
        try:
            return bool(super().add_attachment(attachment))
        except (IndexError, KeyError, TypeError, ValueError):
            self.data = [MALFORMED_EVENT]
            return True

    def _as_malformed(self) -> int:
        # Handled as an ordinary event (its ack id kept), with nothing left to wait for.
        self.packet_type = packet.EVENT
        self.data = [MALFORMED_EVENT]
        return 0


def _is_event(data: Any) -> bool:
    return isinstance(data, list) and bool(data) and isinstance(data[0], str)


class _OneLineClientFaults(logging.Filter):
    """Engine.IO logs a traceback at ERROR for every packet it cannot decode, so one
    client could fill the disk at will: keep one warning line per broken packet."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}: {record.exc_info[1]!r}"
            record.args = None
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def engineio_logger() -> logging.Logger:
    """The logger the edge gives Engine.IO: warnings and worse, one line each."""
    logger = logging.getLogger("chatbus.edge.engineio")
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, _OneLineClientFaults) for f in logger.filters):
        logger.addFilter(_OneLineClientFaults())
    return logger


ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


def closing_on_broken_frames(app: ASGIApp) -> ASGIApp:
    """Wrap the socket.io ASGI app so a frame Engine.IO cannot read (empty, not Engine.IO)
    closes that one websocket with a warning line instead of an ERROR traceback."""

    async def guarded(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except ValueError as error:
            if scope.get("type") != "websocket":
                raise
            # Engine.IO forgets the session at its next missed ping (within 45 s).
            engineio_logger().warning("closed a websocket after a broken frame: %r", error)

    return guarded
