"""The edge's sweep of its Engine.IO clients: drop the closed, close the silent.

Follows python-engineio 4.15.1 ``AsyncServer._service_task``, which visits the
sockets one at a time, spread over the ping timeout, each visit followed by a
wait in ``asyncio.wait_for`` (a task and a timer): a wake-up per socket per ping
timeout in an edge with nothing else to do. Here one wake-up a second visits
that second's share, so each socket is still visited once per ping timeout. The
sweep holds sids, not sockets, so a closed socket is not kept alive until the
sweep reaches it.

Upstream, ``_service_task`` visiting a share of the sockets per wake-up would make
this module unnecessary.
"""

import asyncio
import contextlib
import math

import engineio

__all__ = ["SWEEP_EVERY_SECONDS", "sweep_clients"]

SWEEP_EVERY_SECONDS = 1.0


async def sweep_clients(server: engineio.AsyncServer, stop: asyncio.Event) -> None:
    """Until ``stop`` is set: visit every socket of ``server`` once per ping timeout."""
    due: list[str] = []
    share = 0
    while not stop.is_set():
        nobody = not server.sockets
        # With nobody connected python-engineio waits a ping timeout too.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(server.ping_timeout if nobody else SWEEP_EVERY_SECONDS):
                await stop.wait()
        if nobody or stop.is_set():
            continue
        if not due:
            due = list(server.sockets)
            share = math.ceil(len(due) * SWEEP_EVERY_SECONDS / server.ping_timeout)
        visiting = due[-share:]
        del due[-share:]
        for sid in visiting:
            await _visit(server, sid)


async def _visit(server: engineio.AsyncServer, sid: str) -> None:
    socket = server.sockets.get(sid)
    if socket is None:
        return
    try:
        if socket.closed:
            server.sockets.pop(sid, None)
        elif not socket.closing:
            await socket.check_ping_timeout()  # closes a client silent for too long
    except Exception:
        # As python-engineio's sweep: one socket's failure must not end the sweep.
        server.logger.exception("%s: sweep failed", sid)
