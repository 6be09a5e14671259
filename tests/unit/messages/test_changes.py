"""What edits, deletes, reactions and replies make of a stored message."""

from datetime import UTC, datetime, timedelta

import pytest

from services.contracts import Message
from services.contracts.messages import Reaction
from services.core.errors import Forbidden, NotFound, TooLarge
from services.messages.changes import edited, reacted, replied, tombstone
from services.messages.revisions import MAX_EARLIER_TEXTS, StoredMessage

SENT = datetime(2026, 1, 1, tzinfo=UTC)


def stored(**fields: object) -> StoredMessage:
    base = {
        "chat_id": "c",
        "seq": 4,
        "id": "m4",
        "sender": "alice",
        "text": "v0",
        "sent_at": SENT,
        "via": "web",
    }
    return StoredMessage.model_validate({**base, **fields})


def test_an_edit_keeps_a_bounded_list_of_earlier_texts() -> None:
    message = stored()
    for n in range(1, MAX_EARLIER_TEXTS + 3):
        revised = edited(message, "alice", f"v{n}", [], SENT + timedelta(minutes=n))
        assert revised is not None
        message = revised
    assert [r.text for r in message.earlier] == [f"v{n}" for n in range(2, MAX_EARLIER_TEXTS + 2)]
    assert message.earlier[-1].written_at == SENT + timedelta(minutes=MAX_EARLIER_TEXTS + 1)
    assert edited(message, "alice", message.text, [], SENT) is None  # the same text: no revision
    with pytest.raises(Forbidden):
        edited(message, "bob", "mine now", [], SENT)
    with pytest.raises(NotFound):
        edited(stored(deleted=True, text=""), "alice", "back", [], SENT)


def test_a_tombstone_keeps_where_and_who_and_nothing_said() -> None:
    message = stored(
        reply_to=2, reactions=[Reaction(emoji="👍", count=1, users=["bob"])], mentions=["bob"]
    )
    message = edited(message, "alice", "v1", ["bob"], SENT) or message
    gone = tombstone(message)
    assert gone is not None
    assert (gone.seq, gone.id, gone.sender, gone.sent_at, gone.reply_to) == (
        4,
        "m4",
        "alice",
        SENT,
        2,
    )
    assert (gone.text, gone.reactions, gone.mentions, gone.earlier, gone.deleted) == (
        "",
        [],
        [],
        [],
        True,
    )
    assert tombstone(gone) is None
    assert isinstance(gone.public(), Message) and not hasattr(gone.public(), "earlier")


def test_a_reaction_counts_once_and_heals_a_count_a_crash_left_behind() -> None:
    message = stored()
    once = reacted(message, "👍", "bob", on=True, stored_changed=True)
    assert once is not None and once.reactions == [Reaction(emoji="👍", count=1, users=["bob"])]
    # bob's key was there already and he is counted: nothing to write.
    assert reacted(once, "👍", "bob", on=True, stored_changed=False) is None
    # carol's key was written but her count was not (a crash): her next toggle counts her.
    healed = reacted(once, "👍", "carol", on=True, stored_changed=False)
    assert healed is not None and healed.reactions[0].count == 2
    off = reacted(healed, "👍", "bob", on=False, stored_changed=True)
    assert off is not None and off.reactions == [Reaction(emoji="👍", count=1, users=["carol"])]
    assert reacted(off, "👍", "carol", on=False, stored_changed=True).reactions == []  # type: ignore[union-attr]


def test_reactions_beyond_the_users_shown_move_only_with_their_key() -> None:
    users = [f"u{n}" for n in range(20)]
    message = stored(reactions=[Reaction(emoji="🎉", count=25, users=users)])
    assert reacted(message, "🎉", "late", on=True, stored_changed=False) is None
    more = reacted(message, "🎉", "late", on=True, stored_changed=True)
    assert more is not None and (more.reactions[0].count, more.reactions[0].users) == (26, users)
    # A shown user leaves: the next reactor still on takes the place.
    fewer = reacted(more, "🎉", "u0", on=False, stored_changed=True, first_users=[*users[1:], "xy"])
    assert fewer is not None and fewer.reactions[0].users == [*users[1:], "xy"]


def test_at_most_fifty_emoji_and_none_on_a_deleted_message() -> None:
    full = stored(
        reactions=[Reaction(emoji=chr(0x1F600 + n), count=1, users=["ann"]) for n in range(50)]
    )
    with pytest.raises(TooLarge):
        reacted(full, "🦄", "bob", on=True, stored_changed=True)
    assert reacted(full, chr(0x1F600), "bob", on=True, stored_changed=True) is not None
    with pytest.raises(NotFound):
        reacted(stored(deleted=True), "👍", "bob", on=True, stored_changed=True)


def test_a_reply_counts_in_its_roots_thread() -> None:
    first = replied(stored(), SENT + timedelta(minutes=2))
    second = replied(first, SENT + timedelta(minutes=1))  # an older reply counted later
    assert second.thread is not None
    assert (second.thread.count, second.thread.last_at) == (2, SENT + timedelta(minutes=2))
