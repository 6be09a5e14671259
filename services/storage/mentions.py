"""A user's mentions: the mentions stream, one subject per user (``chat.mentions.<user>``).

An entry names a message (chat, seq, sender, time), never its words: a deleted
message leaves no text here, and readers take the excerpt from the message
itself. A user keeps their newest ``MENTIONS_KEPT`` (the stream's per-subject
limit). The messages service writes entries and pages them (``mentions:list``);
the chats service counts unread ones with ``unread_mentions`` (every chat of a
user in one read) or ``mentions_after`` (one chat). A
mention's id is its stream seq, zero-padded, so ids sort as they were written.
"""

from collections.abc import Mapping
from datetime import datetime

from nats.errors import NoRespondersError
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from pydantic import BaseModel

from services.contracts import storage, subjects

from .multi_get import next_on_subject

__all__ = [
    "MENTIONS_KEPT",
    "MentionRecord",
    "ensure_mentions_stream",
    "mention_id",
    "mentions_after",
    "read_mentions",
    "record_mention",
    "unread_mentions",
]

MENTIONS_KEPT = 1000


class MentionRecord(BaseModel):
    """One mention as stored: which message named the user."""

    chat_id: str
    seq: int
    sender: str
    sent_at: datetime


def mention_id(stream_seq: int) -> str:
    """The public id of the mention stored at ``stream_seq``."""
    return f"{stream_seq:016d}"


async def ensure_mentions_stream(js: JetStreamContext, *, replicas: int = 1) -> None:
    """Create the mentions stream when missing."""
    try:
        await js.stream_info(storage.MENTIONS_STREAM)
        return
    except NotFoundError:
        pass
    config = StreamConfig(
        name=storage.MENTIONS_STREAM,
        subjects=[subjects.ALL_STORED_MENTIONS],
        storage=StorageType.FILE,
        num_replicas=replicas,
        max_msgs_per_subject=MENTIONS_KEPT,
        allow_direct=True,
    )
    try:
        await js.add_stream(config)
    except BadRequestError:
        pass  # created at the same moment by another replica


async def record_mention(js: JetStreamContext, username: str, record: MentionRecord) -> int:
    """Append a mention of ``username``; its stream seq (see ``mention_id``)."""
    ack = await js.publish(subjects.stored_mentions(username), record.model_dump_json().encode())
    return ack.seq


async def read_mentions(js: JetStreamContext, username: str) -> list[tuple[int, MentionRecord]]:
    """Every kept mention of ``username``, oldest first, each with its stream seq."""
    try:
        stored = await next_on_subject(
            js, storage.MENTIONS_STREAM, subjects.stored_mentions(username), 1, MENTIONS_KEPT
        )
    except NoRespondersError:
        return []  # no stream yet: nobody was ever mentioned
    return [(seq, MentionRecord.model_validate_json(data)) for _, seq, data in stored]


async def mentions_after(
    js: JetStreamContext, username: str, chat_id: str, after_seq: int
) -> list[tuple[int, MentionRecord]]:
    """The kept mentions of ``username`` in one chat by messages after ``after_seq``."""
    return [
        (seq, record)
        for seq, record in await read_mentions(js, username)
        if record.chat_id == chat_id and record.seq > after_seq
    ]


async def unread_mentions(
    js: JetStreamContext, username: str, read_seqs: Mapping[str, int]
) -> dict[str, int]:
    """How many kept mentions of ``username`` each chat of ``read_seqs`` (chat id -> the
    user's read seq) holds after the read seq; one read for all the chats."""
    counts = dict.fromkeys(read_seqs, 0)
    for _, record in await read_mentions(js, username):
        if record.chat_id in counts and record.seq > read_seqs[record.chat_id]:
            counts[record.chat_id] += 1
    return counts
