"""A process's NATS connection: hearing that it reconnected, and ending it.

A process is often stopped while its NATS is away (an orchestrator stops
everything at once, or a NATS node restarts): then there is nothing to drain
to, and the stop must still be clean (exit code as usual, no traceback).
"""

import logging
from collections.abc import Callable

from nats.aio.client import Client

__all__ = ["call_on_reconnect", "close_connection", "close_unreachable"]

log = logging.getLogger("chatbus.nats")


def call_on_reconnect(nc: Client, callback: Callable[[], None]) -> None:
    """Call ``callback`` each time ``nc`` is back after a reconnect, after what it called before.

    nats-py takes one reconnected callback, given at connect; what else must know
    (a mirror whose watch a restarted server forgot) is chained on here.
    """
    called_before = nc._reconnected_cb  # noqa: SLF001 - no public way to add one

    async def reconnected() -> None:
        if called_before is not None:
            await called_before()
        callback()

    nc._reconnected_cb = reconnected  # noqa: SLF001


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

    nats-py (2.16) keeps what is published while reconnecting in a buffer, and its
    ``close()`` writes that buffer to the socket that already broke, which raises
    (uvloop: RuntimeError; asyncio: ConnectionResetError) half-way through the close.
    Nothing can deliver those bytes any more, so they are dropped first.
    """
    if nc.is_closed:
        return
    log.warning("NATS is unreachable: closing the connection without draining it")
    if nc.pending_data_size:
        nc._pending = []  # noqa: SLF001 - no public way to drop it; see the docstring
        nc._pending_data_size = 0  # noqa: SLF001
    await nc.close()
