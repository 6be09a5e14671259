"""Who belongs to each chat, as the newest announcement this edge has seen says.

Several chats services answer at once, so two ``updated`` events of one chat
can reach an edge in the opposite order to the changes they describe. Each
carries the chat's revision; a copy older than one already seen is stale and
must not move sockets out of (or into) a chat's room.

The newest revision seen in any way, replies to this edge's users included, goes
with their commands on that chat: the messages service answers from its watched
copy of the chats only when that copy is at least as new (services/messages/members.py).
"""

from collections.abc import Iterable


class ChatMemberships:
    """The members of each chat at the highest revision seen."""

    def __init__(self) -> None:
        self._chats: dict[str, tuple[int, frozenset[str]]] = {}
        # Revisions from replies, newer than any copy learned: kept until an event catches up.
        self._replied: dict[str, int] = {}

    def learn(self, chat_id: str, revision: int, members: Iterable[str]) -> bool:
        """Record a copy of a chat; False (and nothing recorded) when it is stale."""
        known = self._chats.get(chat_id)
        if known is not None and known[0] > revision:
            return False
        self._chats[chat_id] = (revision, frozenset(members))
        replied = self._replied.get(chat_id)
        if replied is not None and replied <= revision:
            del self._replied[chat_id]  # this copy is as new: the reply's revision is redundant
        return True

    def note_reply(self, chat_id: str, revision: int) -> None:
        """A reply to a user's command showed this revision of the chat."""
        if revision > self.newest_revision(chat_id):
            self._replied[chat_id] = revision

    def newest_revision(self, chat_id: str) -> int:
        """The newest revision of the chat seen in an event, a list or a reply (0: none)."""
        known = self._chats.get(chat_id)
        return max(known[0] if known else 0, self._replied.get(chat_id, 0))

    def members(self, chat_id: str) -> frozenset[str]:
        """The chat's members at the newest revision seen (none if never seen)."""
        known = self._chats.get(chat_id)
        return known[1] if known else frozenset()
