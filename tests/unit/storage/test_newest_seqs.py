"""The newest seqs a reader has seen, kept within a bound."""

from services.storage.newest_seqs import MAX_CHATS_SEEN, NewestSeqHints


def test_seen_seqs_forget_everything_rather_than_grow_past_their_limit() -> None:
    seen = NewestSeqHints()
    seen.learn({f"c{n}": n + 1 for n in range(MAX_CHATS_SEEN)})
    seen.learn({"empty": 0})  # nothing stored: nothing to remember, and no room taken
    assert (seen.get("c0"), seen.get("empty")) == (1, 0)
    seen.learn({"one-more": 7})
    assert (seen.get("c0"), seen.get("one-more")) == (0, 7)
