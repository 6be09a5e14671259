"""A chat's newest seq, found near one seen before instead of by matching all its subjects.

The plain way (``jetstream.last_seq``) asks for the last message on
``chat.store.<c>.*``, and nats-server matches every stored subject of the chat
to answer, which costs more the more the chat holds (benchmarks/FINDINGS.md, "A
chat's newest seq is found near the newest seen before"). A chat's stored seqs are one run
(retention removes only the oldest), so a batched read of a seq seen stored
(the hint) and the few above it shows where the run ends now, by literal
subjects, at a cost that does not grow with the chat. It cannot tell when the
hint is no longer stored, or when the run goes on past what was read: then the
plain way it is.
"""

from collections.abc import Collection, Container, Mapping

from nats.js import JetStreamContext

from services.contracts import storage, subjects
from services.storage.multi_get import MAX_SUBJECTS, last_for_each

__all__ = ["NewestSeqHints", "end_of_run", "newest_near", "top_of_run"]

# Chats a process remembers a newest seq of, at most; past it, it starts again.
MAX_CHATS_SEEN = 100_000
# ``end_of_run`` reads this many seqs next to the one it starts from one by one, then
# seqs at doubling distances: one read finds the end of the run when it is near, and
# brackets it otherwise, however long the chat.
DENSE_STEPS = 32
DOUBLINGS = 48


class NewestSeqHints:
    """Chats' newest seqs as this process last found them: where the next look starts."""

    def __init__(self) -> None:
        self._seqs: dict[str, int] = {}

    def get(self, chat_id: str) -> int:
        """The newest seq seen for the chat; 0 when none was."""
        return self._seqs.get(chat_id, 0)

    def learn(self, seqs: Mapping[str, int]) -> None:
        """Remember these chats' newest seqs (0: nothing stored, nothing to remember)."""
        stored = {chat_id: seq for chat_id, seq in seqs.items() if seq}
        if len(self._seqs) + len(stored) > MAX_CHATS_SEEN:
            self._seqs.clear()  # only hints: losing them costs one slower read each
        self._seqs.update(stored)


def top_of_run(stored: Collection[int], hint: int, asked: Container[int]) -> int | None:
    """The newest seq, when a read that asked for ``asked`` and found ``stored`` shows it.

    It does when the hint is stored and the seq after the run through it was asked
    for and is not stored; None otherwise.
    """
    if hint not in stored:
        return None
    top = hint
    while top + 1 in stored:
        top += 1
    return top if top + 1 in asked else None


async def newest_near(js: JetStreamContext, hints: Mapping[str, int], probe: int) -> dict[str, int]:
    """The newest seq of each chat in ``hints`` (chat id -> a seq seen stored) that a
    read of its hint and the ``probe`` seqs above shows; the others are left out.

    Batched: as many chats per request as its subject limit allows.
    """
    per_chat = probe + 1
    chats = list(hints.items())
    per_request = max(1, MAX_SUBJECTS // per_chat)
    newest: dict[str, int] = {}
    for start in range(0, len(chats), per_request):
        batch = chats[start : start + per_request]
        wanted = {
            subjects.stored_message(chat_id, seq): (chat_id, seq)
            for chat_id, hint in batch
            for seq in range(hint, hint + per_chat)
        }
        found = await last_for_each(js, storage.MESSAGES_STREAM, list(wanted))
        stored: dict[str, set[int]] = {chat_id: set() for chat_id, _ in batch}
        for subject in found:
            chat_id, seq = wanted[subject]
            stored[chat_id].add(seq)
        for chat_id, hint in batch:
            top = top_of_run(stored[chat_id], hint, range(hint, hint + per_chat))
            if top is not None:
                newest[chat_id] = top
    return newest


async def end_of_run(js: JetStreamContext, chat_id: str, stored: int, *, step: int = 1) -> int:
    """The last seq of the run of stored seqs through ``stored``: upwards with ``step``
    1 (the chat's newest), downwards with -1 (its oldest).

    ``stored`` is a seq known to be stored. Finding the newest message from the last
    write to the chat fails once that write can be a revision of an old message;
    this finds it by literal subjects instead: one batched read when the end is
    within ``DENSE_STEPS``, a few more otherwise (each narrows the bracket a
    thousandfold). Seqs never stored on the way (a gap left by retention) are
    stepped over when a read lands past them.
    """
    known = stored
    offsets = [*range(1, DENSE_STEPS + 1), *(2**power for power in range(6, DOUBLINGS))]
    asked = [known + step * offset for offset in offsets if known + step * offset >= 1]
    while asked:
        found = await _stored_seqs(js, chat_id, asked)
        beyond = [seq for seq in found if (seq - known) * step > 0]
        if beyond:
            known = max(beyond) if step > 0 else min(beyond)
        missing = [seq for seq in asked if (seq - known) * step > 0]
        if not missing:
            return known  # downwards, down to seq 1
        gap = min(abs(seq - known) for seq in missing)
        if gap == 1:
            return known
        count = min(MAX_SUBJECTS, gap - 1)
        # ``count`` seqs spread over the gap, the last right before its end.
        spread = {-(-index * (gap - 1) // count) for index in range(1, count + 1)}
        asked = sorted(known + step * offset for offset in spread)
    return known


async def _stored_seqs(js: JetStreamContext, chat_id: str, seqs: list[int]) -> set[int]:
    """Which of these seqs of the chat hold a message."""
    seq_of = {subjects.stored_message(chat_id, seq): seq for seq in seqs}
    found = await last_for_each(js, storage.MESSAGES_STREAM, list(seq_of))
    return {seq_of[subject] for subject in found}
