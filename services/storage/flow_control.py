"""A bucket watch answers flow control when asked, instead of looking four times a second.

nats-py's ordered consumer (what ``KeyValue.watchall`` makes) answers nats-server's
flow-control requests itself when it has already delivered what came before one,
and otherwise leaves the answer to a task that wakes every 0.25 s for the watch's
whole life, asked or not: four of an idle service's five wake-ups a second, at
70-200 µs of CPU each on a VM. Here that task sleeps until a request is left to
it, then looks as nats-py's does until the request is answered.

Relies on nats-py 2.x internals (``JetStreamContext._JSI``), pinned in
constraints.txt; ``tests/integration/storage/test_bucket_copy.py`` checks that a request
left to the task is answered and that an idle watch does not wake its process.
"""

import asyncio
import contextlib
from typing import Any

from nats.js.kv import KeyValue

# nats-py's own interval while an answer waits for earlier messages to be delivered.
CHECK_SECONDS = 0.25


def answer_flow_control_when_asked(watcher: KeyValue.KeyWatcher) -> None:
    """Replace ``watcher``'s polling flow-control task with one woken by a request."""
    jsi = watcher._sub._sub._jsi
    if jsi is None or jsi._fctask is None:
        return
    jsi._fctask.cancel()
    asked = asyncio.Event()
    schedule = jsi.schedule_flow_control_response

    def schedule_and_wake(reply: str) -> None:
        schedule(reply)
        asked.set()

    jsi.schedule_flow_control_response = schedule_and_wake
    if jsi._fcr:  # left to the polling task before it was cancelled
        asked.set()
    # Where nats-py keeps its task, so that stopping the watch cancels this one.
    jsi._fctask = asyncio.create_task(_answer_when_asked(jsi, asked))


async def _answer_when_asked(jsi: Any, asked: asyncio.Event) -> None:
    while True:
        await asked.wait()
        while _delivered(jsi) < jsi._fcd:
            await asyncio.sleep(CHECK_SECONDS)
        asked.clear()
        reply, jsi._fcr, jsi._fcd = jsi._fcr, None, 0
        if reply:
            with contextlib.suppress(Exception):  # as nats-py: a lost answer is asked again
                await jsi._conn.publish(reply)


def _delivered(jsi: Any) -> int:
    # nats-py's own count: messages received, less those still waiting in the queue.
    return int(jsi._fciseq - jsi._psub._pending_queue.qsize())
