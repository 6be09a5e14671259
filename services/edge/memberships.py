"""Which chats the users connected to this edge are in, as the newest news of each says.

Several chats services answer at once, so two ``member`` events about one user
and chat can reach an edge in the opposite order to the changes they describe.
Each carries the chat's revision; news older than what was already applied for
that user and chat is stale and must not move their sockets into or out of the
chat's room. The list a socket gets on connect is news of the same kind.

The newest revision of a chat seen in any way, replies to this edge's users
included, goes with their commands on that chat: the messages service answers
from its copy of the chats only when that copy is at least as new
(``services/messages/members.py``).
"""


class ChatMemberships:
    """Per user on this edge: their chats, each at the revision it was last news."""

    def __init__(self) -> None:
        # username -> chat -> (revision of the newest news, member then?)
        self._users: dict[str, dict[str, tuple[int, bool]]] = {}
        # chat -> the newest revision of it seen in any way
        self._revisions: dict[str, int] = {}

    def learn(self, chat_id: str, username: str, revision: int, member: bool) -> bool:
        """News that ``username`` is (or is not) a member of the chat as of ``revision``.

        Returns whether the user is a member by the newest news now known.
        """
        self.note_revision(chat_id, revision)
        chats = self._users.setdefault(username, {})
        known = chats.get(chat_id)
        if known is None or known[0] <= revision:
            chats[chat_id] = (revision, member)
            return member
        return known[1]

    def is_member(self, chat_id: str, username: str) -> bool:
        """Whether the user is a member of the chat by the newest news known here."""
        known = self._users.get(username, {}).get(chat_id)
        return known is not None and known[1]

    def knows(self, username: str) -> bool:
        """Whether news of this user is kept (they have a socket here)."""
        return username in self._users

    def forget_user(self, username: str) -> None:
        """The user's last socket on this edge is gone."""
        self._users.pop(username, None)

    def note_revision(self, chat_id: str, revision: int) -> None:
        """An event, a list or a reply showed this revision of the chat."""
        if revision > self._revisions.get(chat_id, 0):
            self._revisions[chat_id] = revision

    def newest_revision(self, chat_id: str) -> int:
        """The newest revision of the chat seen in an event, a list or a reply (0: none)."""
        return self._revisions.get(chat_id, 0)
