"""Read markers as stored: one key per user and chat in the reads bucket.

``<username>.<chat_id>`` holds a ``ReadRecord``. A marker only moves forward: every
write is a compare-and-set against the revision it read, so two devices marking
different seqs at once both land in turn and the higher one stays.
"""

from nats.js.errors import KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel, Field

from services.core.errors import Unavailable

MAX_WRITE_ATTEMPTS = 20


class ReadRecord(BaseModel):
    """Where a user has read to in one chat."""

    read_seq: int = Field(ge=0)


def marker_key(username: str, chat_id: str) -> str:
    """The key of ``username``'s marker in ``chat_id``."""
    return f"{username}.{chat_id}"


def decode_marker(value: bytes) -> int:
    """The read seq a stored marker holds."""
    return ReadRecord.model_validate_json(value).read_seq


async def read_marker(bucket: KeyValue, username: str, chat_id: str) -> tuple[int, int]:
    """``(read_seq, revision)`` from JetStream; ``(0, 0)`` when never written."""
    try:
        entry = await bucket.get(marker_key(username, chat_id))
    except NotFoundError:
        return 0, 0
    if not entry.value:
        return 0, entry.revision or 0
    return decode_marker(entry.value), entry.revision or 0


async def move_forward(
    bucket: KeyValue, username: str, chat_id: str, seq: int, known: tuple[int, int] | None
) -> tuple[int, bytes | None, int]:
    """Raise the marker to ``seq`` unless it is there already.

    ``known``: ``(read_seq, revision)`` as a copy holds it, tried first; a lost race reads
    JetStream and tries again. Returns the marker now, and the value and revision written
    (None and 0 when the marker was at or past ``seq``).
    """
    current, revision = known if known is not None else await read_marker(bucket, username, chat_id)
    key = marker_key(username, chat_id)
    for _ in range(MAX_WRITE_ATTEMPTS):
        if current >= seq:
            return current, None, 0
        value = ReadRecord(read_seq=seq).model_dump_json().encode()
        try:
            if revision:
                written = await bucket.update(key, value, last=revision)
            else:
                written = await bucket.create(key, value)
        except KeyWrongLastSequenceError:
            current, revision = await read_marker(bucket, username, chat_id)
            continue
        return seq, value, written
    raise Unavailable("the read marker is changing too fast; try again")
