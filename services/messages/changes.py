"""What each change makes of a stored message: an edit, a delete, a reaction, a reply.

Pure functions of the current revision: ``revisions.revise`` applies them again
when another writer got there first. Each returns None when it changes nothing
(the next revision would be the current one), so a repeated request writes nothing.
"""

from datetime import datetime

from services.contracts import MAX_REACTIONS_PER_MESSAGE, REACTION_USERS_SHOWN
from services.contracts.messages import MessageRevision, Reaction, ThreadSummary
from services.core.errors import Forbidden, NotFound, TooLarge

from .revisions import MAX_EARLIER_TEXTS, StoredMessage


def edited(
    message: StoredMessage, editor: str, text: str, mentions: list[str], at: datetime
) -> StoredMessage | None:
    """The message with ``text``; its text before goes to the earlier texts."""
    if message.deleted:
        raise NotFound("no such message")
    if message.sender != editor:
        raise Forbidden("only its sender may edit a message")
    if message.text == text:
        return None
    before = MessageRevision(text=message.text, written_at=message.edited_at or message.sent_at)
    return message.model_copy(
        update={
            "text": text,
            "edited_at": at,
            "mentions": mentions,
            "earlier": [*message.earlier, before][-MAX_EARLIER_TEXTS:],
        }
    )


def tombstone(message: StoredMessage) -> StoredMessage | None:
    """What is left of a deleted message: its seq, id, sender, time and place in a thread."""
    if message.deleted:
        return None
    return StoredMessage(
        chat_id=message.chat_id,
        seq=message.seq,
        id=message.id,
        sender=message.sender,
        text="",
        sent_at=message.sent_at,
        via=message.via,
        deleted=True,
        reply_to=message.reply_to,
        thread=message.thread,
    )


def reacted(
    message: StoredMessage,
    emoji: str,
    username: str,
    *,
    on: bool,
    stored_changed: bool,
    first_users: list[str] | None = None,
) -> StoredMessage | None:
    """The message with ``username``'s reaction ``emoji`` counted (``on``) or not.

    ``stored_changed``: the reactor's key was created (on) or deleted (off) by this
    request; only then does a count beyond the users shown move. While every
    reactor is shown (``REACTION_USERS_SHOWN`` or fewer), the list itself says
    whether the user is counted, so a count left behind by a crash between the
    two writes is put right by the user's next toggle. ``first_users``: the first
    reactors still on, to show when a shown one goes from a longer list.
    """
    if message.deleted:
        raise NotFound("no such message")
    reactions = list(message.reactions)
    index = next((i for i, r in enumerate(reactions) if r.emoji == emoji), None)
    current = reactions[index] if index is not None else None
    complete = current is None or current.count == len(current.users)
    shown = current is not None and username in current.users
    if on:
        counted = shown if complete else not stored_changed
        if counted:
            return None
        if current is None:
            if len(reactions) >= MAX_REACTIONS_PER_MESSAGE:
                raise TooLarge(f"at most {MAX_REACTIONS_PER_MESSAGE} emoji on one message")
            reactions.append(Reaction(emoji=emoji, count=1, users=[username]))
        else:
            users = current.users
            if len(users) < REACTION_USERS_SHOWN:
                users = [*users, username]
            reactions[index or 0] = Reaction(emoji=emoji, count=current.count + 1, users=users)
    else:
        if current is None or not (shown or (stored_changed and not complete)):
            return None
        count = current.count - 1
        if count == 0:
            del reactions[index or 0]
        else:
            users = [user for user in current.users if user != username]
            if shown and count > len(users) and first_users is not None:
                users = [user for user in first_users if user != username]
            users = users[:REACTION_USERS_SHOWN]
            reactions[index or 0] = Reaction(emoji=emoji, count=count, users=users)
    return message.model_copy(update={"reactions": reactions})


def replied(message: StoredMessage, reply_at: datetime) -> StoredMessage:
    """The thread's root with one more reply, sent at ``reply_at``."""
    thread = message.thread
    if thread is None:
        return message.model_copy(update={"thread": ThreadSummary(count=1, last_at=reply_at)})
    last_at = max(thread.last_at, reply_at)
    return message.model_copy(
        update={"thread": ThreadSummary(count=thread.count + 1, last_at=last_at)}
    )
