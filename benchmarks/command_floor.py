"""``python -m benchmarks.command_floor``: what one command costs a handler process, by framework.

The messages service's work per send, stripped to its NATS traffic: take a
request, append it to a JetStream stream and wait for the ack, publish an
event, reply. Four handler processes do it, one after another, alternating
twice: plain nats-py; a FastStream subscriber; one with FastStream's 16
workers and no FastDepends; and one as chatbus configures it (16 at once in
``services/runtime/_faststream/command_subscriber.py``, no FastDepends). A driver in this process
sends ``--rate`` requests a second for ``--seconds`` and prints, per command,
the CPU µs of the handler, of nats-server and of the driver itself (which
stands in for the edge's NATS side), and how long from a request to its
event. Compare the handler's with the messages service's own figure in
benchmarks/FINDINGS.md: what lies between is chatbus's own work. With plain
nats-py, the three together are what a send costs before any websocket work
in any design where a request is appended to a stream and announced: a floor
to hold against the baseline's whole cost per send in ``chatbus bench``.
"""

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import nats
import uvloop
from nats.aio.msg import Msg

from services.ops.embedded_nats import EmbeddedNats

from .measure import percentile, threads_cpu_ns

HANDLERS = ["nats-py", "faststream", "faststream-16-workers", "faststream-as-chatbus"]
STREAM = "FLOOR"
REQUESTS = "floor.cmd"
EVENTS = "floor.event"


async def serve(kind: str, url: str) -> None:
    """Handle requests until killed; prints ``ready`` once subscribed."""
    if kind == "nats-py":
        nc = await nats.connect(url)
        js = nc.jetstream()

        async def handle(msg: Msg) -> None:
            await js.publish(f"floor.store.{json.loads(msg.data)['n']}", msg.data)
            await nc.publish(EVENTS, msg.data)
            await nc.publish(msg.reply, b'{"ok":true}')

        await nc.subscribe(REQUESTS, "floor", cb=handle)
        await nc.flush()  # nats-server has the subscription before the driver sends
    else:
        from faststream.nats import NatsBroker

        from services.runtime._faststream.command_subscriber import take_commands

        concurrent = kind != "faststream"
        broker = NatsBroker(url, log_level=logging.DEBUG, logger=None, apply_types=not concurrent)
        subscriber: Any
        if kind == "faststream-as-chatbus":
            subscriber = take_commands(broker.subscriber(REQUESTS, queue="floor", max_workers=16))
        else:
            workers = 16 if concurrent else None
            subscriber = broker.subscriber(REQUESTS, queue="floor", max_workers=workers)

        @subscriber
        async def handle(body: dict[str, Any]) -> dict[str, Any]:
            data = json.dumps(body).encode()
            await broker.connection.jetstream().publish(f"floor.store.{body['n']}", data)
            await broker.connection.publish(EVENTS, data)
            return {"ok": True}

        await broker.start()
        await broker.connection.flush()  # nats-server has the subscription before the driver sends
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


async def measure(
    kind: str, url: str, server_pid: int, rate: float, seconds: float
) -> dict[str, float]:
    """One handler process driven at ``rate``: CPU µs per command per process, ms to events."""
    handler = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.command_floor", "--serve", kind, url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert handler.stdout is not None
        if await asyncio.to_thread(handler.stdout.readline) != "ready\n":
            raise RuntimeError(f"the {kind} handler did not start")
        nc = await nats.connect(url)
        count = int(rate * seconds)
        sent_at: dict[int, float] = {}
        latencies: list[float] = []
        all_announced = asyncio.Event()

        async def on_event(msg: Msg) -> None:
            latencies.append(time.perf_counter() - sent_at[json.loads(msg.data)["n"]])
            if len(latencies) == count:
                all_announced.set()

        await nc.subscribe(EVENTS, cb=on_event)
        processes = handler.pid, server_pid, os.getpid()
        before = [threads_cpu_ns(pid) for pid in processes]
        started = time.monotonic()
        replies = []
        for n in range(count):
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
            payload = json.dumps({"n": n, "text": "hello there"}).encode()
            sent_at[n] = time.perf_counter()
            replies.append(asyncio.ensure_future(nc.request(REQUESTS, payload, timeout=10)))
        await asyncio.gather(*replies)
        await asyncio.wait_for(all_announced.wait(), timeout=10)
        after = [threads_cpu_ns(pid) for pid in processes]
        await nc.close()
    finally:
        handler.kill()
        handler.wait()
    handler_us, nats_us, driver_us = (
        (a - b) / 1e3 / count for a, b in zip(after, before, strict=True)
    )
    return {
        "handler_us": handler_us,
        "nats_us": nats_us,
        "driver_us": driver_us,
        "event_p50_ms": (percentile(latencies, 0.5) or 0.0) * 1e3,
        "event_p99_ms": (percentile(latencies, 0.99) or 0.0) * 1e3,
    }


async def compare(
    rate: float, seconds: float, rounds: int, kinds: list[str] = HANDLERS
) -> list[tuple[str, dict[str, float]]]:
    """Each handler kind of ``kinds``, ``rounds`` times alternating, on one nats-server."""
    results = []
    with tempfile.TemporaryDirectory(prefix="chatbus-floor-") as store:
        async with EmbeddedNats(0, store) as server:
            assert server.pid is not None
            nc = await nats.connect(server.url)
            await nc.jetstream().add_stream(name=STREAM, subjects=["floor.store.>"])
            await nc.close()
            for _ in range(rounds):
                for kind in kinds:
                    figures = await measure(kind, server.url, server.pid, rate, seconds)
                    results.append((kind, figures))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.command_floor", description=__doc__)
    parser.add_argument("--rate", type=float, default=200.0, help="requests a second")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each run sends")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each handler, alternating")
    parser.add_argument(
        "--handlers", nargs="+", choices=HANDLERS, default=HANDLERS, help="which handlers to run"
    )
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        uvloop.run(serve(*args.serve))
        return 0
    if args.rate <= 0 or args.seconds <= 0 or args.rounds < 1:
        parser.error("--rate and --seconds must be positive, --rounds at least 1")
    if int(args.rate * args.seconds) < 1:
        # No command to divide the CPU by, and no event to wait for.
        parser.error("--rate times --seconds must make at least one command")
    results = uvloop.run(compare(args.rate, args.seconds, args.rounds, args.handlers))
    sys.stdout.write(
        "| handler | µs per command: handler | nats-server | driver | all three "
        "| request to event, ms: p50 | p99 |\n"
    )
    sys.stdout.write("|---|---|---|---|---|---|---|\n")
    for kind, f in results:
        cpu = f["handler_us"], f["nats_us"], f["driver_us"]
        sys.stdout.write(
            f"| {kind} | " + " | ".join(f"{us:.0f}" for us in cpu) + f" | {sum(cpu):.0f} "
            f"| {f['event_p50_ms']:.2f} | {f['event_p99_ms']:.2f} |\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
