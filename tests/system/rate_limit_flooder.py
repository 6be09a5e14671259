"""A user flooding chatbus from its own process, over socket.io and NATS at once.

``python -m tests.system.rate_limit_flooder URL TOKEN NATS_URL USERNAME CHAT_ID RATE`` sends
``messages:send`` at up to RATE a second on each transport (as fast as the answers
come back, if that is slower), prints
``flooding`` once both have been answered ``rate_limited``, stops when its stdin
closes and prints the error codes it got per transport as one JSON line.
It runs apart from the test so that the flood's client side does not share the
measuring process's event loop.
"""

import asyncio
import json
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import nats
import socketio

from services.contracts import SEND_MESSAGE


async def flood(
    send: Callable[[], Awaitable[dict[str, Any]]],
    rate: float,
    limited: asyncio.Event,
    stop: asyncio.Event,
) -> Counter[str]:
    """Send up to ``rate`` a second until ``stop``; the codes answered (``ok`` for successes)."""
    codes: Counter[str] = Counter()
    loop = asyncio.get_running_loop()
    due = loop.time()
    while not stop.is_set():
        due += 1 / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        reply = await send()
        code = "ok" if reply.get("ok") else reply["error"]["code"]
        codes[code] += 1
        if code == "rate_limited":
            limited.set()
    return codes


async def main(url: str, token: str, nats_url: str, username: str, chat_id: str, rate: str) -> None:
    text = {"chat_id": chat_id, "text": "spam"}
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    nc = await nats.connect(nats_url)
    subject = SEND_MESSAGE.subject_for(username)
    body = json.dumps(text).encode()

    async def over_socket() -> dict[str, Any]:
        reply: dict[str, Any] = await sio.call("messages:send", text, timeout=10)
        return reply

    async def over_nats() -> dict[str, Any]:
        reply: dict[str, Any] = json.loads((await nc.request(subject, body, timeout=10)).data)
        return reply

    stop = asyncio.Event()
    limited = [asyncio.Event(), asyncio.Event()]
    floods = [
        asyncio.create_task(flood(over_socket, float(rate), limited[0], stop)),
        asyncio.create_task(flood(over_nats, float(rate), limited[1], stop)),
    ]
    await asyncio.gather(*(event.wait() for event in limited))
    print("flooding", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    stop.set()
    socket_codes, nats_codes = await asyncio.gather(*floods)
    print(json.dumps({"socket.io": socket_codes, "nats": nats_codes}), flush=True)
    await sio.disconnect()
    await nc.drain()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
