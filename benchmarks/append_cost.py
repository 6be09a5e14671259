"""``python -m benchmarks.append_cost``: nats-server's CPU per append as one chat grows.

Appends one message after another to a single chat through ``MessageArchive``
(as sends do), on a nats-server of its own, and prints, for each stretch up to
``--up-to``, nats-server's CPU microseconds per append and the appends per
second one writer gets. Every append is checked to get the next seq.
Compare with ``--wildcard-check``: the condition an append to a chat with a
count limit uses, that the chat's newest message (``chat.store.<c>.*``) is the
one read.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime

import nats

from services.contracts import Message
from services.messages.archive import MessageArchive
from services.messages.retention import Retention
from services.ops.embedded_nats import EmbeddedNats
from services.storage.jetstream import ensure_message_stream

from .measure import cpu_seconds

CHAT = "growing"


# A count limit no run reaches: appends check the chat's newest message, and nothing is purged.
UNREACHED_LIMIT = Retention(max_age_seconds=0.0, max_messages_per_chat=10**12)


async def measure_growth(stretch_ends: list[int], wildcard_check: bool) -> list[dict[str, float]]:
    """One row per stretch: stored messages at its end, µs of nats-server per append, appends/s."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="chatbus-append-cost-") as store:
        async with EmbeddedNats(0, store) as server:
            assert server.pid is not None
            nc = await nats.connect(server.url)
            js = nc.jetstream()
            await ensure_message_stream(js)
            archive = MessageArchive(js, UNREACHED_LIMIT if wildcard_check else None)
            stored = 0
            for end in stretch_ends:
                cpu_before, started, count = cpu_seconds(server.pid), time.perf_counter(), 0
                while stored < end:
                    stored += 1
                    count += 1
                    message, _ = await archive.append(_draft(stored), dedupe_key=str(stored))
                    if message.seq != stored:
                        raise AssertionError(f"append {stored} got seq {message.seq}")
                elapsed = time.perf_counter() - started
                nats_us = (cpu_seconds(server.pid) - cpu_before) * 1e6 / count
                rows.append({"stored": end, "nats_us": nats_us, "appends_per_s": count / elapsed})
            await nc.close()
    return rows


def _draft(n: int) -> Message:
    return Message(
        chat_id=CHAT,
        seq=1,  # the archive gives it the next seq
        id=f"m{n}",
        sender="bench",
        text="x" * 100,
        sent_at=datetime.now(UTC),
        via="nats",
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.append_cost", description=__doc__)
    parser.add_argument(
        "--up-to",
        type=int,
        nargs="+",
        default=[1_000, 10_000, 50_000, 100_000],
        help="stored messages at the end of each stretch, ascending",
    )
    parser.add_argument("--wildcard-check", action="store_true", help="the condition used before")
    args = parser.parse_args()
    if args.up_to != sorted(set(args.up_to)) or args.up_to[0] < 1:
        parser.error("--up-to takes positive counts in ascending order")
    rows = asyncio.run(measure_growth(args.up_to, args.wildcard_check))
    sys.stdout.write(
        "| stored | nats-server µs per append | appends/s, one writer |\n|---|---|---|\n"
    )
    for row in rows:
        sys.stdout.write(
            f"| {row['stored']:,} | {row['nats_us']:.0f} | {row['appends_per_s']:,.0f} |\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
