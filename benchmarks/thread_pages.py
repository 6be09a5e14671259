"""``python -m benchmarks.thread_pages``: a thread page's latency in a chat of 100,000 messages.

Stores ``--messages`` messages in one chat on a nats-server of its own, every
``--every``-th a reply to the chat's first message (with its thread index entry
and the root's count, as sends write them), then reads pages of that thread the way
``messages:thread`` does (``threads.thread_page``): the first page, and pages
after a reply in the middle. Prints p50/p99 milliseconds of each kind, and
checks every page holds exactly the replies it should.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime

import nats
from nats.js import JetStreamContext

from services.contracts import Message, subjects
from services.contracts.messages import ThreadSummary
from services.messages.retention import KEEP_ALL
from services.messages.revisions import StoredMessage, read_current, revise
from services.messages.threads import index_reply, thread_page
from services.ops.embedded_nats import EmbeddedNats
from services.storage.jetstream import ensure_message_stream

from .measure import percentile

CHAT = "threaded"
ROOT = 1
# Appends in flight while the chat is filled: seeding is not what is measured.
SEEDING_BATCH = 500


async def seed(js: JetStreamContext, messages: int, every: int) -> list[int]:
    """Fill the chat; the seqs of the root's replies, ascending."""
    replies: list[int] = []
    for start in range(1, messages + 1, SEEDING_BATCH):
        batch = range(start, min(messages, start + SEEDING_BATCH - 1) + 1)
        stored = [_message(seq, every) for seq in batch]
        await asyncio.gather(
            *(
                js.publish(subjects.stored_message(CHAT, m.seq), m.model_dump_json().encode())
                for m in stored
            )
        )
        threaded = [m for m in stored if m.reply_to is not None]
        await asyncio.gather(
            *(index_reply(js, m, ROOT, len(replies) + n) for n, m in enumerate(threaded, 1))
        )
        replies += [m.seq for m in threaded]
    summary = ThreadSummary(count=len(replies), last_at=datetime.now(UTC))

    def counted(root: StoredMessage) -> StoredMessage:
        return root.model_copy(update={"thread": summary})

    await revise(js, KEEP_ALL, CHAT, ROOT, counted)
    return replies


def _message(seq: int, every: int) -> Message:
    return Message(
        chat_id=CHAT,
        seq=seq,
        id=f"m{seq}",
        sender="bench",
        text="x" * 100,
        sent_at=datetime.now(UTC),
        via="nats",
        reply_to=ROOT if seq > ROOT and seq % every == 0 else None,
    )


async def measure(messages: int, every: int, pages: int, limit: int) -> dict[str, list[float]]:
    """Milliseconds of each page read, by kind."""
    with tempfile.TemporaryDirectory(prefix="chatbus-thread-pages-") as store:
        async with EmbeddedNats(0, store) as server:
            nc = await nats.connect(server.url)
            js = nc.jetstream()
            await ensure_message_stream(js)
            replies = await seed(js, messages, every)
            root = await read_current(js, CHAT, ROOT)
            assert root is not None
            middle = replies[len(replies) // 2]
            timings: dict[str, list[float]] = {"first page": [], "page after a middle reply": []}
            for _ in range(pages):
                for kind, after in (("first page", None), ("page after a middle reply", middle)):
                    started = time.perf_counter()
                    page = await thread_page(js, CHAT, root, after, limit)
                    timings[kind].append((time.perf_counter() - started) * 1000)
                    expected = [seq for seq in replies if after is None or seq > after][:limit]
                    if [m.seq for m in page.messages] != expected:
                        raise AssertionError(f"{kind}: not the thread's replies")
            await nc.close()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.thread_pages", description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000, help="messages in the chat")
    parser.add_argument("--every", type=int, default=500, help="one reply per this many messages")
    parser.add_argument("--pages", type=int, default=200, help="pages read of each kind")
    parser.add_argument("--limit", type=int, default=50, help="replies per page")
    args = parser.parse_args()
    timings = asyncio.run(measure(args.messages, args.every, args.pages, args.limit))
    sys.stdout.write(
        f"{args.messages:,} messages in the chat, a reply every {args.every},"
        f" {args.limit} replies a page\n"
        "| page | p50 ms | p99 ms |\n|---|---|---|\n"
    )
    for kind, values in timings.items():
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        sys.stdout.write(f"| {kind} | {p50 or 0:.2f} | {p99 or 0:.2f} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
