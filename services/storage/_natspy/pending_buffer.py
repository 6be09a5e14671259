"""Dropping what a connection buffered for a server it lost.

Follows nats-py 2.16.0 ``Client._close``: while reconnecting, what is published
waits in ``Client._pending`` (``_pending_data_size`` bytes), and ``close()``
writes it to the transport of the server that went away, which raises
(uvloop: ``RuntimeError``; asyncio: ``ConnectionResetError``) half-way through
the close. A process stopped while its NATS is away must still stop cleanly,
and nothing can deliver those bytes any more.

Upstream, ``Client._close`` writing its pending buffer only while connected
(or ignoring a transport that is closing) would make this module unnecessary.
"""

from nats.aio.client import Client

__all__ = ["drop_pending"]


def drop_pending(nc: Client) -> None:
    """Forget what ``nc`` buffered to send once reconnected."""
    if nc.pending_data_size:
        nc._pending = []
        nc._pending_data_size = 0
