"""Read markers in the reads bucket: compare-and-set writes that only move forward."""

import asyncio

from nats.js import JetStreamContext

from services.contracts import storage
from services.storage.jetstream import open_bucket
from services.storage.read_markers import move_forward, read_marker


async def test_two_writers_racing_from_the_same_revision_end_at_the_higher_seq(
    js: JetStreamContext,
) -> None:
    bucket = await open_bucket(js, storage.READS_BUCKET)
    await move_forward(bucket, "bob", "room", 2, None)
    known = await read_marker(bucket, "bob", "room")
    # Both start from the same copy of the marker; the higher one is sent first.
    results = await asyncio.gather(
        move_forward(bucket, "bob", "room", 9, known),
        move_forward(bucket, "bob", "room", 5, known),
    )
    assert [read_seq for read_seq, _, _ in results] == [9, 9]
    assert (await read_marker(bucket, "bob", "room"))[0] == 9


async def test_two_first_marks_racing_to_create_the_key_end_at_the_higher_seq(
    js: JetStreamContext,
) -> None:
    bucket = await open_bucket(js, storage.READS_BUCKET)
    await asyncio.gather(
        move_forward(bucket, "carol", "room", 7, (0, 0)),
        move_forward(bucket, "carol", "room", 3, (0, 0)),
    )
    assert (await read_marker(bucket, "carol", "room"))[0] == 7


async def test_a_lower_seq_writes_nothing(js: JetStreamContext) -> None:
    bucket = await open_bucket(js, storage.READS_BUCKET)
    await move_forward(bucket, "dave", "room", 4, None)
    assert await move_forward(bucket, "dave", "room", 3, None) == (4, None, 0)
