"""``python -m benchmarks.read_marks``: what a read mark costs beside a send, and what read
state adds to sends.

Starts nats-server and the chats, messages and status services in this process; one user
sends ``--messages`` messages to a chat over NATS, one at a time, and another marks each
of them read in turn (every mark moves the marker, so every one writes). Prints p50/p99
of both, their ratio, and how many marker writes the sends caused: a sender's marker
moves past what they send, and the sends of a round fold into one write.
A second burst sends ``--messages`` with ``--concurrency`` in flight, as a busy chat does.
"""

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

import nats
from nats.aio.client import Client

from services.chats.app import create_chats_service
from services.contracts import CREATE_CHAT, MARK_READ, SEND_MESSAGE, Command, storage, utc_now
from services.core.settings import Settings
from services.messages.app import create_messages_service
from services.ops.embedded_nats import EmbeddedNats
from services.status.app import create_status_service
from services.storage.account_records import AccountRecord
from services.storage.jetstream import open_bucket

from .measure import percentile

WRITER = "writer"
READER = "reader"


async def _ask(
    nc: Client, command: Command, payload: dict[str, object], user: str = WRITER
) -> tuple[float, object]:
    began = time.perf_counter()
    reply = await nc.request(command.subject_for(user), json.dumps(payload).encode(), timeout=10)
    elapsed = (time.perf_counter() - began) * 1000
    envelope = json.loads(reply.data)
    if not envelope.get("ok"):
        raise AssertionError(f"{command.event} failed: {envelope}")
    return elapsed, envelope["data"]


async def _marker_writes(nc: Client) -> int:
    info = await nc.jetstream().stream_info("KV_" + storage.READS_BUCKET)
    return int(info.state.last_seq)


async def measure(messages: int, concurrency: int) -> dict[str, float]:
    """The figures, in milliseconds and counts."""
    with tempfile.TemporaryDirectory(prefix="chatbus-read-marks-") as store:
        async with EmbeddedNats(0, store) as server:
            nc = await nats.connect(server.url)
            users = await open_bucket(nc.jetstream(), storage.USERS_BUCKET)
            for name in (WRITER, READER):
                account = AccountRecord(username=name, created_at=utc_now())
                await users.put(name, account.model_dump_json().encode())
            # No command budget: one user asks far more often than a person would.
            settings = Settings(
                nats_url=server.url,
                data_dir=Path(store) / "var",
                secret="b" * 40,
                command_rate_per_second=0,
            )
            async with contextlib.AsyncExitStack() as stack:
                for create in (
                    create_chats_service,
                    create_messages_service,
                    create_status_service,
                ):
                    await stack.enter_async_context(create(settings))
                _, chat = await _ask(nc, CREATE_CHAT, {"name": "bench", "members": [READER]})
                chat_id = chat["id"]  # type: ignore[index]
                writes_before = await _marker_writes(nc)
                sends = []
                for n in range(messages):
                    elapsed, _ = await _ask(nc, SEND_MESSAGE, {"chat_id": chat_id, "text": f"m{n}"})
                    sends.append(elapsed)
                await asyncio.sleep(1.0)  # the last round of sender-marker writes lands
                one_at_a_time = await _marker_writes(nc) - writes_before
                marks = [
                    (await _ask(nc, MARK_READ, {"chat_id": chat_id, "seq": seq}, READER))[0]
                    for seq in range(1, messages + 1)
                ]
                writes_before = await _marker_writes(nc)
                gate = asyncio.Semaphore(concurrency)

                async def send(n: int) -> None:
                    async with gate:
                        await _ask(nc, SEND_MESSAGE, {"chat_id": chat_id, "text": f"b{n}"})

                await asyncio.gather(*(send(n) for n in range(messages)))
                await asyncio.sleep(1.0)
                in_a_burst = await _marker_writes(nc) - writes_before
            await nc.close()
    send_p50, mark_p50 = percentile(sends, 0.5) or 0.0, percentile(marks, 0.5) or 0.0
    return {
        "send_p50": send_p50,
        "send_p99": percentile(sends, 0.99) or 0.0,
        "mark_p50": mark_p50,
        "mark_p99": percentile(marks, 0.99) or 0.0,
        "ratio_p50": mark_p50 / send_p50 if send_p50 else 0.0,
        "writes_one_at_a_time": one_at_a_time,
        "writes_in_a_burst": in_a_burst,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.read_marks", description=__doc__)
    parser.add_argument("--messages", type=int, default=1000, help="messages sent and marked")
    parser.add_argument("--concurrency", type=int, default=20, help="sends in flight in a burst")
    args = parser.parse_args()
    f = asyncio.run(measure(args.messages, args.concurrency))
    n = args.messages
    sys.stdout.write(
        f"| messages:send p50 / p99, one at a time | {f['send_p50']:.2f} / "
        f"{f['send_p99']:.2f} ms |\n"
        f"| reads:mark p50 / p99, one at a time | {f['mark_p50']:.2f} / "
        f"{f['mark_p99']:.2f} ms |\n"
        f"| mark / send, p50 | {f['ratio_p50']:.2f} |\n"
        f"| marker writes for {n:,} sends one at a time | {f['writes_one_at_a_time']:.0f} |\n"
        f"| marker writes for {n:,} sends, {args.concurrency} in flight | "
        f"{f['writes_in_a_burst']:.0f} |\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
