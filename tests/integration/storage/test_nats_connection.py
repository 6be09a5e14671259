"""Hearing that a connection reconnected: what was given at connect still hears it too."""

import asyncio

import nats

from services.ops.embedded_nats import EmbeddedNats
from services.storage._natspy.reconnect_callbacks import call_on_reconnect


async def test_a_reconnect_calls_the_callback_given_at_connect_and_each_one_added(
    nats_server: EmbeddedNats,
) -> None:
    heard: list[str] = []
    all_heard = asyncio.Event()

    def hear(who: str) -> None:
        heard.append(who)
        if len(heard) == 3:
            all_heard.set()

    async def given_at_connect() -> None:
        hear("given at connect")

    nc = await nats.connect(
        nats_server.url,
        reconnected_cb=given_at_connect,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.1,
    )
    try:
        call_on_reconnect(nc, lambda: hear("first added"))
        call_on_reconnect(nc, lambda: hear("second added"))
        assert heard == []
        await nats_server.stop()
        await nats_server.start()
        await asyncio.wait_for(all_heard.wait(), 10)
        assert heard == ["given at connect", "first added", "second added"]
    finally:
        await nc.close()
