"""The mentions stream as the people side reads it: per user, per chat, after a read seq."""

from datetime import UTC, datetime

from nats.js import JetStreamContext

from services.contracts import storage
from services.storage.mentions import (
    MENTIONS_KEPT,
    MentionRecord,
    ensure_mentions_stream,
    mention_id,
    mentions_after,
    read_mentions,
    record_mention,
    unread_mentions,
)


def mention(chat_id: str, seq: int) -> MentionRecord:
    return MentionRecord(chat_id=chat_id, seq=seq, sender="alice", sent_at=datetime.now(UTC))


async def test_mentions_are_kept_per_user_and_counted_per_chat(js: JetStreamContext) -> None:
    assert await read_mentions(js, "bob") == []  # no stream yet
    await ensure_mentions_stream(js)
    ids = [
        await record_mention(js, "bob", mention(chat_id, seq))
        for chat_id, seq in (("a", 3), ("b", 1), ("a", 9), ("a", 12))
    ]
    await record_mention(js, "carol", mention("a", 3))

    assert [(r.chat_id, r.seq) for _, r in await read_mentions(js, "bob")] == [
        ("a", 3),
        ("b", 1),
        ("a", 9),
        ("a", 12),
    ]
    assert [seq for seq, _ in await mentions_after(js, "bob", "a", 3)] == [ids[2], ids[3]]
    assert await unread_mentions(js, "bob", {"a": 9, "b": 0, "c": 0}) == {"a": 1, "b": 1, "c": 0}
    assert mention_id(ids[0]) == f"{ids[0]:016d}"
    info = await js.stream_info(storage.MENTIONS_STREAM)
    assert info.config.max_msgs_per_subject == MENTIONS_KEPT
