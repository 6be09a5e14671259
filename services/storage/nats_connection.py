"""A process's NATS connection: ending it, whether or not NATS is reachable.

A process is often stopped while its NATS is away (an orchestrator stops
everything at once, or a NATS node restarts): then there is nothing to drain
to, and the stop must still be clean (exit code as usual, no traceback).
"""

import logging

from nats.aio.client import Client

from services.storage._natspy.pending_buffer import drop_pending

__all__ = ["close_connection", "close_unreachable"]

log = logging.getLogger("chatbus.nats")


async def close_connection(nc: Client) -> None:
    """Drain ``nc`` while NATS is reachable (what was sent still arrives); otherwise close it.

    nats-py refuses to drain a connection that is reconnecting.
    """
    if nc.is_closed or nc.is_draining:
        return
    if nc.is_connected:
        await nc.drain()
    else:
        await close_unreachable(nc)


async def close_unreachable(nc: Client) -> None:
    """Close ``nc`` while NATS is unreachable, dropping what it buffered for the lost server.

    nats-py's close would write that buffer to the socket that already broke and
    fail half-way (see ``_natspy.pending_buffer``); nothing can deliver it any more.
    """
    if nc.is_closed:
        return
    log.warning("NATS is unreachable: closing the connection without draining it")
    drop_pending(nc)
    await nc.close()
