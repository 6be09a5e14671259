"""The copy of a bucket: what it asks nats-server when idle, and how it finds a lost watch.

A restarted nats-server (a reconnect) is in ``test_chaos.py``.
"""

import asyncio
import json
import os
from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.kv import KeyValue

from benchmarks.measure import threads_wakeups
from services.storage import bucket_copy
from services.storage._natspy.flow_control import stop_flow_control_polling
from services.storage.bucket_copy import BucketCopy
from services.storage.jetstream import KV_STREAM_PREFIX, open_bucket
from tests.support.polling import wait_until

BUCKET = "copied"


async def test_an_idle_copy_asks_nats_server_nothing_between_comparisons(nc: Client) -> None:
    bucket = await open_bucket(nc.jetstream(), BUCKET)
    await bucket.put("a", b"1")
    stream_info_requests: list[Msg] = []

    async def count(msg: Msg) -> None:
        stream_info_requests.append(msg)

    # A plain subscriber on an API subject gets a copy of each request made on it.
    await nc.subscribe(f"$JS.API.STREAM.INFO.{KV_STREAM_PREFIX}{BUCKET}", cb=count)
    copy = BucketCopy(bucket, BUCKET, bytes)
    await copy.start()
    try:
        # Well before the first comparison is due.
        await asyncio.sleep(bucket_copy.COMPARE_EVERY_SECONDS / 3)
        await nc.flush()
        assert stream_info_requests == []
        assert copy.get("a") == b"1"
    finally:
        await copy.stop()


async def test_a_watch_lost_without_a_reconnect_is_found_and_reloaded(
    nc: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when the cluster node that held the watch restarts while our own stays up.
    monkeypatch.setattr(bucket_copy, "COMPARE_EVERY_SECONDS", 1.0)
    js = nc.jetstream()
    bucket = await open_bucket(js, BUCKET)
    copy = BucketCopy(bucket, BUCKET, bytes)
    await copy.start()
    try:
        stream = f"{KV_STREAM_PREFIX}{BUCKET}"
        (watch,) = await js.consumers_info(stream)
        await js.delete_consumer(stream, watch.name)
        await bucket.put("after-the-watch-was-lost", b"2")

        async def caught_up() -> bool:
            return copy.get("after-the-watch-was-lost") == b"2"

        seconds = await wait_until(caught_up, timeout=10)
        print(f"\ncopy caught up {seconds:.2f} s after the write")
    finally:
        await copy.stop()


async def test_values_are_decoded_once_per_change_however_often_they_are_read(
    nc: Client,
) -> None:
    bucket = await open_bucket(nc.jetstream(), BUCKET)
    for key in ("a", "b", "c"):
        await bucket.put(key, b'{"n": 1}')
    decoded: list[bytes] = []

    def decode(value: bytes) -> object:
        decoded.append(value)
        return json.loads(value)

    copy = BucketCopy(bucket, BUCKET, decode)
    await copy.start()
    try:
        assert len(decoded) == 3
        for _ in range(100):
            assert sorted(value["n"] for value in copy.values()) == [1, 1, 1]
        assert len(decoded) == 3
        await bucket.put("a", b'{"n": 2}')

        async def changed() -> bool:
            return copy.get("a") == {"n": 2}

        await wait_until(changed, timeout=5)
        assert len(decoded) == 4
    finally:
        await copy.stop()


async def test_a_value_that_does_not_decode_is_left_out_and_the_rest_still_read(
    nc: Client, caplog: pytest.LogCaptureFixture
) -> None:
    bucket = await open_bucket(nc.jetstream(), BUCKET)
    await bucket.put("good", b'{"n": 1}')
    await bucket.put("junk", b"not json")
    copy = BucketCopy(bucket, BUCKET, json.loads)
    await copy.start()
    try:
        assert list(copy.values()) == [{"n": 1}]
        assert "left out junk of copied" in caplog.text
        await bucket.put("junk", b'{"n": 3}')  # mended: it is back

        async def mended() -> bool:
            return copy.get("junk") == {"n": 3}

        await wait_until(mended, timeout=5)
        await bucket.put("good", b"[broken")  # broken later: gone, not stale

        async def gone() -> bool:
            return copy.get("good") is None

        await wait_until(gone, timeout=5)
    finally:
        await copy.stop()


@pytest.mark.parametrize("newer", ["junk", "deleted"])
async def test_an_older_write_of_our_own_does_not_bring_back_a_key_gone_since(
    nc: Client, newer: str
) -> None:
    # Our write's answer can reach the copy after the watch brought another program's newer
    # change: overwritten with junk, or deleted.
    bucket = await open_bucket(nc.jetstream(), BUCKET)
    copy = BucketCopy(bucket, BUCKET, json.loads)
    await copy.start()
    try:
        ours = await bucket.put("key", b'{"n": 1}')
        if newer == "junk":
            await bucket.put("key", b"not json")
        else:
            await bucket.delete("key")

        async def theirs_arrived() -> bool:
            return copy.version >= 3 and copy.get("key") is None

        await wait_until(theirs_arrived, timeout=5)
        copy.apply("key", b'{"n": 1}', ours)
        assert copy.get("key") is None
        await bucket.put("key", b'{"n": 2}')  # a newer valid value still comes in

        async def mended() -> bool:
            return copy.get("key") == {"n": 2}

        await wait_until(mended, timeout=5)
    finally:
        await copy.stop()


@pytest.fixture
async def watcher(nc: Client) -> AsyncIterator[KeyValue.KeyWatcher]:
    """A watch of the bucket, without the flow-control task, as the copies' watches are."""
    bucket = await open_bucket(nc.jetstream(), BUCKET)
    watch = await bucket.watchall()
    stop_flow_control_polling(watch)
    yield watch
    await watch.stop()


async def test_a_watch_without_the_task_still_takes_in_more_than_the_flow_control_window(
    nc: Client,
) -> None:
    # nats-server stops sending to a watch whose flow-control request goes unanswered
    # (a few MiB in): these 5 MiB of first values need several requests answered.
    bucket = await open_bucket(nc.jetstream(), BUCKET)
    count = 5_000
    for n in range(count):
        await bucket.put(f"key-{n}", b"x" * 1024)
    watch = await bucket.watchall()
    stop_flow_control_polling(watch)
    try:
        received = 0
        while await watch.updates(timeout=10) is not None:
            received += 1
        assert received == count
    finally:
        await watch.stop()


async def test_an_idle_watch_does_not_wake_its_process(watcher: KeyValue.KeyWatcher) -> None:
    before = threads_wakeups(os.getpid())
    await asyncio.sleep(2.0)  # the interval measured, not a wait for anything
    woke = threads_wakeups(os.getpid()) - before
    # nats-py's own task wakes four times a second: at least 8 times here.
    print(f"\nwoke {woke} times in 2 s")
    assert woke < 4, f"woke {woke} times in 2 s"
