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

from typing import Any

from socketio import packet

# The name a broken event is handled under; a client cannot make python-socketio send it
# as an event name of its own without it also being answered `invalid`.
MALFORMED_EVENT = "(malformed event)"
# chatbus's protocol has no binary fields: one attachment is enough to be told it is invalid.
MAX_ATTACHMENTS = 4

_EVENTS = (packet.EVENT, packet.BINARY_EVENT)


class GuardedPacket(packet.Packet):
    """A ``socketio.packet.Packet`` that never leaves an event with an ack id unanswerable."""

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
