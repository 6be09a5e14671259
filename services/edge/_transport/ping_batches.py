"""The edge's Engine.IO pings, sent in batches: one timer per tick, not a task per socket.

Follows python-engineio 4.15.1 ``AsyncSocket.schedule_ping`` and ``_send_ping``:
the server pings each client every ping interval, once the previous ping was
answered. python-engineio gives each socket a task that sleeps until its next
ping, and a timer per socket would do little better: as many wake-ups a second
as sockets pinged. Here a socket's next ping joins the batch of the tick it falls
due in, and one timer per tick sends the whole batch: at most
1 / ``PING_TICK_SECONDS`` wake-ups a second, each ping sent at most one tick after
it is due, never before. A batch holds sids, not sockets, so a closed socket is
not kept until its ping is due.

Upstream, ``schedule_ping`` calling a server method (``AsyncServer.schedule_ping(sid,
delay)``) that an application could batch would make the socket's override
unnecessary.
"""

import asyncio
import logging
import math
from collections.abc import Callable

__all__ = ["PING_TICK_SECONDS", "PingBatches"]

log = logging.getLogger("chatbus.edge")

PING_TICK_SECONDS = 0.1


class PingBatches:
    """Pings due in the same tick, sent together by ``ping(sid)``."""

    def __init__(
        self, ping: Callable[[str], None], tick_seconds: float = PING_TICK_SECONDS
    ) -> None:
        self._ping = ping
        self._tick = tick_seconds
        self._due: dict[int, list[str]] = {}  # tick number -> the sids to ping

    def schedule(self, delay: float, sid: str) -> None:
        """Ping ``sid`` ``delay`` seconds from now, or up to a tick later, with its batch."""
        loop = asyncio.get_running_loop()
        tick = math.ceil((loop.time() + delay) / self._tick)
        batch = self._due.get(tick)
        if batch is None:
            batch = self._due[tick] = []
            loop.call_at(tick * self._tick, self._send, tick)
        batch.append(sid)

    def _send(self, tick: int) -> None:
        for sid in self._due.pop(tick, ()):
            try:
                self._ping(sid)
            except Exception:
                log.exception("%s: ping failed", sid)  # the rest of the batch still goes
