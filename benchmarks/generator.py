"""One load-generating process: ``python -m benchmarks.generator``, driven over stdin/stdout.

The runner writes a plan (one JSON line, built by
``benchmarks.scenario.generator_plans``); this process connects its sockets (joining their rooms
where the system needs it), prints ``{"ready": ...}``, waits for a
``{"go_at_ns": ...}`` line, then sends its share of the messages on schedule,
counts what its sockets receive, reads history pages if asked, and prints one
JSON line of results. It imports nothing from ``services``: it must stay
light, as it competes with the servers for the same two cores.

Times are ``time.monotonic_ns()``: CLOCK_MONOTONIC is one clock for every
process on the machine, so a send time written into a message's text by one
process is compared with a receive time taken in another.
"""

import asyncio
import json
import sys
import time
from typing import Any

from .wire import BenchClient, ConnectRefused

# The text of every benchmark message: "bench:<message index>:<send time ns>".
TEXT_PREFIX = "bench:"
CONNECTS_AT_ONCE = 50
CONNECT_ATTEMPTS = 10
RETRY_PAUSE_SECONDS = 0.5
LONGEST_RETRY_PAUSE_SECONDS = 5.0


class Receiver:
    """What one socket received: each message once (a bitmap), and when."""

    def __init__(self, tally: "Tally") -> None:
        self.tally = tally
        self.seen: bytearray | None = None  # allocated on the first message

    def on_event(self, name: str, data: Any) -> None:
        if name != "message" or not isinstance(data, dict):
            return
        text = data.get("text")
        if not isinstance(text, str) or not text.startswith(TEXT_PREFIX):
            return
        now = time.monotonic_ns()
        _, index_text, sent_text = text.split(":", 2)
        index = int(index_text)
        if self.seen is None:
            self.seen = bytearray(self.tally.total_messages)
        if self.seen[index]:
            self.tally.duplicates += 1
            return
        self.seen[index] = 1
        self.tally.delivered(index, now - int(sent_text), now)


class Tally:
    """This process's deliveries: per message, how many sockets have it and the slowest."""

    def __init__(self, total_messages: int, expected: int) -> None:
        self.total_messages = total_messages
        self.expected = expected
        self.unique = 0
        self.duplicates = 0
        self.counts = [0] * total_messages
        self.slowest_ns = [0] * total_messages
        self.last_delivery_ns = 0
        self.complete = asyncio.Event()
        if expected == 0:
            self.complete.set()

    def delivered(self, index: int, latency_ns: int, now: int) -> None:
        self.unique += 1
        self.counts[index] += 1
        if latency_ns > self.slowest_ns[index]:
            self.slowest_ns[index] = latency_ns
        self.last_delivery_ns = now
        if self.unique >= self.expected:
            self.complete.set()


async def connect_all(
    plan: dict[str, Any], tally: Tally, retries: list[str]
) -> tuple[list[BenchClient], list[float]]:
    """Connect every planned socket (joining rooms where asked); their connect times in ms.

    A refused or failed connect is tried again (``retries`` gets why); the time
    kept is the successful attempt's.
    """
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)
    sockets: list[BenchClient | None] = [None] * len(plan["sockets"])
    connect_ms: list[float] = [0.0] * len(sockets)

    async def one(i: int, spec: dict[str, Any]) -> None:
        async with gate:
            for attempt in range(1, CONNECT_ATTEMPTS + 1):
                socket = BenchClient(plan["url"], Receiver(tally).on_event)
                started = time.perf_counter()
                try:
                    await socket.connect(spec["auth"])
                    break
                except (ConnectRefused, OSError, TimeoutError) as error:
                    # As a browser would: try again after a moment; counted, and reported.
                    retries.append(repr(error)[:200])
                    if attempt == CONNECT_ATTEMPTS:
                        raise
                    await asyncio.sleep(
                        min(LONGEST_RETRY_PAUSE_SECONDS, RETRY_PAUSE_SECONDS * attempt)
                    )
            connect_ms[i] = (time.perf_counter() - started) * 1000
            for chat_id in spec["join"]:
                reply = await socket.call("chats:join", {"chat_id": chat_id})
                if not reply.get("ok"):
                    raise ConnectRefused(f"join {chat_id}: {reply}")
            sockets[i] = socket

    await asyncio.gather(*(one(i, spec) for i, spec in enumerate(plan["sockets"])))
    return [socket for socket in sockets if socket is not None], connect_ms


async def send_all(
    plan: dict[str, Any], sockets: list[BenchClient], go_at_ns: int
) -> dict[str, Any]:
    """Send the planned messages on schedule (open loop); then wait for their acks."""
    acks: list[asyncio.Future[Any]] = []
    indices: list[int] = []  # the message index of each future in acks
    ack_ms: list[float] = []
    unsent: list[str] = []

    def acked(sent: int) -> Any:
        def record(future: asyncio.Future[Any]) -> None:
            if not future.cancelled() and future.exception() is None:
                ack_ms.append((time.monotonic_ns() - sent) / 1e6)

        return record

    for at_s, socket_index, chat_id, index in plan["sends"]:
        due = go_at_ns + int(at_s * 1e9)
        delay = (due - time.monotonic_ns()) / 1e9
        if delay > 0:
            await asyncio.sleep(delay)
        sent = time.monotonic_ns()
        payload = {
            "chat_id": chat_id,
            "text": f"{TEXT_PREFIX}{index}:{sent}",
            "client_id": f"bench-{index}",
        }
        try:
            future = await sockets[socket_index].emit("messages:send", payload)
        except ConnectionError as error:
            unsent.append(repr(error)[:200])
            continue
        future.add_done_callback(acked(sent))
        acks.append(future)
        indices.append(index)
    failed: list[str] = unsent
    if acks:
        # One deadline for all: a server that stopped answering must not cost one each.
        await asyncio.wait(acks, timeout=plan["drain_seconds"])
    for future in acks:
        if not future.done():
            future.cancel()
            failed.append("no ack within the drain time")
        elif future.exception() is not None:
            failed.append(repr(future.exception())[:200])
        elif not future.result().get("ok"):
            failed.append(json.dumps(future.result().get("error"))[:200])
    acked_indices = [
        index
        for index, future in zip(indices, acks, strict=True)
        if not future.cancelled() and future.exception() is None and future.result().get("ok")
    ]
    return {
        "sent": len(acks) + len(unsent),
        "acked_indices": acked_indices,
        "failed_acks": len(failed),
        "ack_errors": failed[:5],
        "ack_ms": ack_ms,
    }


async def read_history(plan: dict[str, Any], sockets: list[BenchClient]) -> dict[str, Any]:
    """Read the planned history pages one after another; each page's latency in ms."""
    page_ms: list[float] = []
    bad_pages: list[str] = []
    for request in plan["history"]:
        started = time.perf_counter()
        reply = await sockets[plan["history_socket"]].call("messages:history", request)
        page_ms.append((time.perf_counter() - started) * 1000)
        data = reply.get("data") if reply.get("ok") else None
        if not data or len(data["messages"]) != request["limit"]:
            bad_pages.append(json.dumps(reply)[:200])
    return {"page_ms": page_ms, "bad_pages": len(bad_pages), "page_errors": bad_pages[:5]}


async def run(plan: dict[str, Any], commands: asyncio.StreamReader) -> None:
    tally = Tally(plan["total_messages"], plan["expected_deliveries"])
    connect_started = time.process_time()
    retries: list[str] = []
    sockets, connect_ms = await connect_all(plan, tally, retries)
    emit(
        {
            "ready": True,
            "connect_ms": connect_ms,
            "connect_retries": len(retries),
            "connect_retry_reasons": sorted(set(retries))[:5],
            "connect_cpu_s": time.process_time() - connect_started,
        }
    )
    go_at_ns = int(json.loads(await commands.readline())["go_at_ns"])
    await asyncio.sleep(max(0.0, (go_at_ns - time.monotonic_ns()) / 1e9))
    cpu_started, wall_started = time.process_time(), time.monotonic()
    sending = asyncio.create_task(send_all(plan, sockets, go_at_ns))
    history = await read_history(plan, sockets) if plan["history"] else {}
    sent = await sending
    deadline = plan["send_seconds"] + plan["drain_seconds"] - (time.monotonic_ns() - go_at_ns) / 1e9
    try:
        await asyncio.wait_for(tally.complete.wait(), max(0.1, deadline))
    except TimeoutError:
        pass
    cpu = time.process_time() - cpu_started
    wall = time.monotonic() - wall_started
    closed_early = sum(1 for socket in sockets if socket.closed.is_set())
    emit(
        {
            "results": True,
            **sent,
            **history,
            "expected": tally.expected,
            "unique": tally.unique,
            "duplicates": tally.duplicates,
            "counts": tally.counts,
            "slowest_us": [ns // 1000 for ns in tally.slowest_ns],
            "last_delivery_ns": tally.last_delivery_ns,
            "cpu_s": cpu,
            "wall_s": wall,
            "closed_early": closed_early,
        }
    )
    # Closed only when the runner says so: it reads the servers' CPU before the disconnects.
    await commands.readline()
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)


def emit(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def main() -> None:
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader(limit=1 << 30)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    plan = json.loads(await commands.readline())
    try:
        await run(plan, commands)
    except Exception as error:  # reported to the runner, which fails the workload
        emit({"error": f"{type(error).__name__}: {error}"[:500]})


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
