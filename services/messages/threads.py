"""Threads: replies are ordinary messages; an index subject per reply finds them.

A reply ``r`` to root ``t`` of chat ``c`` is stored like any message (its own seq,
in history) and indexed by an empty entry on ``chat.store.<c>.<t>.<r>``, written
right after it. A thread page reads the index with one batched direct get from
where the cursor's reply was appended (``next_by_subj`` on
``chat.store.<c>.<t>.*``), then the replies by their literal subjects: it never
reads the chat's other messages. The index lives in the message stream, so
retention removes it with the chat's messages. The root's ``thread`` summary is a
revision of the root under compare-and-set.

A reply whose index entry was lost (a crash right after the reply was stored) is
in history but not in its thread's pages.
"""

from nats.js import JetStreamContext

from services.contracts import Message, ThreadPage, storage, subjects
from services.core.errors import InvalidInput, NotFound
from services.storage.jetstream import last_seq
from services.storage.multi_get import next_on_subject

from .pages import fitting, read_stored
from .revisions import Current, read_current

# Index entries read beyond a page: an entry can land a little after the next reply's
# (two replicas), and the page is sorted by seq within what it read.
LOOK_AHEAD = 16


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


async def index_reply(js: JetStreamContext, reply: Message, root: int) -> None:
    """Add ``reply`` to the index of ``root``'s thread (once, however often a retry writes it)."""
    subject = subjects.stored_thread_reply(reply.chat_id, root, reply.seq)
    await js.publish(subject, b"", headers={storage.MSG_ID_HEADER: subject})


async def thread_page(
    js: JetStreamContext, chat_id: str, root: Current, after: int | None, limit: int
) -> ThreadPage:
    """Up to ``limit`` replies to ``root`` after ``after``, ascending by seq."""
    root_seq = root.message.seq
    start = root.appended_at
    if after is not None and after > root_seq:
        cursor = await read_current(js, chat_id, after)
        if cursor is not None:
            start = cursor.appended_at
    floor = after or 0
    seqs: set[int] = set()
    wanted = limit + 1 + LOOK_AHEAD
    while True:
        entries = await next_on_subject(
            js, storage.MESSAGES_STREAM, subjects.stored_thread(chat_id, root_seq), start, wanted
        )
        seqs.update(
            seq
            for seq in (int(subject.rsplit(".", 1)[1]) for subject, _, _ in entries)
            if seq > floor
        )
        if len(entries) < wanted or len(seqs) > limit + LOOK_AHEAD:
            break
        start = entries[-1][1] + 1
    ordered = sorted(seqs)
    stored = await read_stored(js, chat_id, ordered[:limit])
    on_page = [stored[seq] for seq in ordered[:limit] if seq in stored]
    kept = fitting(on_page, keep_last=False)
    more = len(ordered) > limit or len(kept) < len(on_page)
    return ThreadPage(messages=[message for message, _ in kept], more=more)
