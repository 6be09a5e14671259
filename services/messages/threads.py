"""Threads: replies are ordinary messages; an index entry per reply finds them.

A reply to root ``t`` of chat ``c`` is stored like any message (its own seq, in
history). Adding it to the root's ``thread`` summary (a revision of the root under
compare-and-set) gives it its place in the thread, ``n`` = the new count, and
the index entry ``chat.store.<c>.<t>.<n>`` holds its seq. Those are literal
subjects: a thread page reads a run of them with one batched direct get and then
the replies by their own subjects, never the chat's other messages, at a cost
that does not grow with the chat. The index lives in the message stream, so
retention removes it with the chat's messages.

A reply whose index entry was never written (a crash after the reply was stored and
before its entry) is in history but not in its thread's pages, and its root's count
may miss it.
"""

from collections.abc import Iterable

from nats.js import JetStreamContext

from services.contracts import Message, ThreadPage, storage, subjects
from services.core.errors import InvalidInput, NotFound
from services.storage.jetstream import last_seq
from services.storage.multi_get import last_for_each

from .pages import fitting, read_stored
from .revisions import Current, read_current

# Places read beyond a page: two replies racing (two replicas) can take their places in
# the opposite order of their seqs, and the page is sorted by seq within what it read.
LOOK_AHEAD = 16
SEARCH_PROBES = 32


async def find_root(js: JetStreamContext, chat_id: str, seq: int) -> Current:
    """The thread root a reply to ``seq`` joins: ``seq`` itself, or its root when it is a
    reply. A seq the chat never had is ``invalid``; one gone or deleted ``not_found``."""
    current = await read_current(js, chat_id, seq)
    if current is not None and current.message.reply_to is not None:
        current = await read_current(js, chat_id, current.message.reply_to)
    if current is None:
        newest, _ = await last_seq(js, chat_id)
        if seq > newest:
            raise InvalidInput("reply_to names no message of this chat")
        raise NotFound("no such message")
    if current.message.deleted:
        raise NotFound("the message was deleted")
    return current


async def index_reply(js: JetStreamContext, reply: Message, root: int, place: int) -> None:
    """Write that ``reply`` is the ``place``-th reply to ``root`` (once, however often a
    retry writes it)."""
    subject = subjects.stored_thread_reply(reply.chat_id, root, place)
    await js.publish(
        subject, str(reply.seq).encode(), headers={storage.MSG_ID_HEADER: f"{subject}:{reply.seq}"}
    )


async def thread_page(
    js: JetStreamContext, chat_id: str, root: Current, after: int | None, limit: int
) -> ThreadPage:
    """Up to ``limit`` replies to ``root`` after ``after``, ascending by seq."""
    count = root.message.thread.count if root.message.thread else 0
    floor = after or 0
    place = await _first_place_after(js, chat_id, root.message.seq, count, floor)
    seqs: set[int] = set()
    while place <= count and len(seqs) <= limit + LOOK_AHEAD:
        window = range(place, min(count, place + limit + LOOK_AHEAD) + 1)
        seqs.update(
            seq
            for seq in (await _replies_at(js, chat_id, root.message.seq, window)).values()
            if seq > floor
        )
        place = window.stop
    ordered = sorted(seqs)
    stored = await read_stored(js, chat_id, ordered[:limit])
    on_page = [stored[seq] for seq in ordered[:limit] if seq in stored]
    kept = fitting(on_page, keep_last=False)
    more = len(ordered) > limit or len(kept) < len(on_page)
    return ThreadPage(messages=[message for message, _ in kept], more=more)


async def _first_place_after(
    js: JetStreamContext, chat_id: str, root: int, count: int, floor: int
) -> int:
    """A place in the thread at or a little before its first reply after seq ``floor``.

    Places follow seqs (give or take a race), so a search narrows the places by
    reading ``SEARCH_PROBES`` spread over them at a time: a batched read costs
    by the subjects it names, and a few small reads beat one of every place.
    """
    low, high = 1, count
    while floor and high - low > SEARCH_PROBES:
        spread = sorted({low + i * (high - low) // SEARCH_PROBES for i in range(SEARCH_PROBES + 1)})
        found = await _replies_at(js, chat_id, root, spread)
        low = max([low, *(place for place in spread if found.get(place, floor + 1) <= floor)])
        high = min([high, *(place for place in spread if found.get(place, 0) > floor)])
    return max(1, low - LOOK_AHEAD)


async def _replies_at(
    js: JetStreamContext, chat_id: str, root: int, places: Iterable[int]
) -> dict[int, int]:
    """The seqs of the replies at these places of the thread, by place."""
    place_of = {subjects.stored_thread_reply(chat_id, root, place): place for place in places}
    stored = await last_for_each(js, storage.MESSAGES_STREAM, list(place_of))
    return {place_of[subject]: int(data) for subject, data in stored.items()}
