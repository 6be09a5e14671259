"""Who belongs to each chat, as the newest announcement this edge has seen says.

Several chats services answer at once, so two ``updated`` events of one chat
can reach an edge in the opposite order to the changes they describe. Each
carries the chat's revision; a copy older than one already seen is stale and
must not move sockets out of (or into) a chat's room.
"""

from collections.abc import Iterable


class ChatMemberships:
    """The members of each chat at the highest revision seen."""

    def __init__(self) -> None:
        self._chats: dict[str, tuple[int, frozenset[str]]] = {}

    def learn(self, chat_id: str, revision: int, members: Iterable[str]) -> bool:
        """Record a copy of a chat; False (and nothing recorded) when it is stale."""
        known = self._chats.get(chat_id)
        if known is not None and known[0] > revision:
            return False
        self._chats[chat_id] = (revision, frozenset(members))
        return True

    def members(self, chat_id: str) -> frozenset[str]:
        """The chat's members at the newest revision seen (none if never seen)."""
        known = self._chats.get(chat_id)
        return known[1] if known else frozenset()
