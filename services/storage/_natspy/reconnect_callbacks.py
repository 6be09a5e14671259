"""More than one callback for a connection's reconnects.

Follows nats-py 2.16.0 ``Client.connect`` (``reconnected_cb``, kept as
``Client._reconnected_cb``) and ``Client._attempt_reconnect``, which awaits that
one callback after each reconnect. nats-py takes a single callback, given at
connect; a watched bucket whose watch a restarted server forgot must hear of the
reconnect too, without the code that connected knowing about it.

Upstream, ``Client.add_reconnected_listener(callback)`` (a list awaited in turn
where ``_reconnected_cb`` is awaited now) would make this module unnecessary.
"""

from collections.abc import Callable

from nats.aio.client import Client

__all__ = ["call_on_reconnect"]


def call_on_reconnect(nc: Client, callback: Callable[[], None]) -> None:
    """Call ``callback`` each time ``nc`` is back after a reconnect, after what it called before."""
    called_before = nc._reconnected_cb

    async def reconnected() -> None:
        if called_before is not None:
            await called_before()
        callback()

    nc._reconnected_cb = reconnected
