"""A copy of the chats bucket, indexed for the questions the services ask of it.

Every service that checks membership keeps one (see ``services/storage/chat_records.py`` for the
keys). The indexes follow each change the copy takes in, so a question costs no JetStream
read and no scan: who the members of a chat are (by username), which chats a user is in,
which public channels there are (by name), a chat's revision and member count.
"""

import bisect
from collections import Counter
from collections.abc import Iterator

from nats.js.kv import KeyValue

from services.storage.bucket_copy import BucketCopy
from services.storage.chat_records import ChatRecord, MemberRecord, split_key

CopiedValue = ChatRecord | MemberRecord


def decode_entry(key: str, value: bytes) -> CopiedValue:
    """A chat record or a membership, by the shape of its key."""
    _, username = split_key(key)
    if username is None:
        return ChatRecord.model_validate_json(value)
    return MemberRecord.model_validate_json(value)


class ChatsCopy:
    """The chats bucket, in memory."""

    def __init__(self, bucket: KeyValue) -> None:
        self._copy: BucketCopy[CopiedValue] = BucketCopy(
            bucket, "chats", decode_entry=decode_entry, listener=self
        )
        # chat -> its current members; user -> their chats, each with its membership's revision.
        self._members: dict[str, dict[str, MemberRecord]] = {}
        self._sorted_members: dict[str, list[str]] = {}  # usernames, made when first asked
        self._chats_of: dict[str, dict[str, int]] = {}
        # The newest revision of any key of a chat: its record or a membership.
        self._revisions: dict[str, int] = {}
        self._owned: Counter[str] = Counter()  # channels (not DMs) each user owns
        self._public: list[tuple[str, str]] | None = None  # (folded name, id), made when asked

    async def start(self) -> None:
        """Load the bucket and follow its changes."""
        await self._copy.start()

    async def stop(self) -> None:
        """Stop following changes."""
        await self._copy.stop()

    def apply(self, key: str, value: bytes, revision: int) -> None:
        """Take in a write this process made, before the watch brings it back."""
        self._copy.apply(key, value, revision)

    @property
    def delivered_revision(self) -> int:
        """The copy holds every change made up to this revision (see ``BucketCopy``)."""
        return self._copy.delivered_revision

    # --- reading ---

    def chat(self, chat_id: str) -> ChatRecord | None:
        """The chat's record, if the copy has it."""
        value = self._copy.get(chat_id)
        return value if isinstance(value, ChatRecord) else None

    def membership(self, chat_id: str, username: str) -> tuple[MemberRecord | None, int]:
        """The user's membership of the chat, current or not, and its revision (0: none)."""
        entry = self._copy.entry(f"{chat_id}.{username}")
        if entry is None or not isinstance(entry[0], MemberRecord):
            return None, 0
        return entry[0], entry[1]

    def is_member(self, chat_id: str, username: str) -> bool:
        """Whether the user is a current member of the chat."""
        return username in self._members.get(chat_id, {})

    def revision(self, chat_id: str) -> int:
        """The chat's revision: the newest of its record's and its memberships' (0: unknown)."""
        return self._revisions.get(chat_id, 0)

    def member_count(self, chat_id: str) -> int:
        """How many current members the chat has."""
        return len(self._members.get(chat_id, {}))

    def chats_of(self, username: str) -> dict[str, int]:
        """The user's chats, each with the revision at which they joined it."""
        return dict(self._chats_of.get(username, {}))

    def membership_count(self, username: str) -> int:
        """How many chats the user is a member of."""
        return len(self._chats_of.get(username, {}))

    def owned_channels(self, username: str) -> int:
        """How many channels (DMs aside) the user owns."""
        return self._owned[username]

    def members_after(
        self, chat_id: str, after: str | None, limit: int
    ) -> tuple[list[tuple[str, MemberRecord]], bool]:
        """Up to ``limit`` members by username after ``after``, and whether more follow."""
        members = self._members.get(chat_id, {})
        names = self._sorted_members.get(chat_id)
        if names is None:
            names = self._sorted_members[chat_id] = sorted(members)
        start = 0 if after is None else bisect.bisect_right(names, after)
        page = names[start : start + limit]
        return [(name, members[name]) for name in page], start + limit < len(names)

    def public_after(
        self, query: str | None, after: str | None, limit: int
    ) -> tuple[list[ChatRecord], bool] | None:
        """Up to ``limit`` public channels by name after the chat ``after``, whose names hold
        ``query`` (ignoring case), and whether more follow; None when ``after`` is no public
        channel."""
        public = self._public_sorted()
        start = 0
        if after is not None:
            record = self.chat(after)
            if record is None or record.private or record.kind != "channel":
                return None
            start = bisect.bisect_right(public, (record.name.casefold(), record.id))
        folded = query.casefold() if query else None
        found: list[ChatRecord] = []
        for index in range(start, len(public)):
            name, chat_id = public[index]
            if folded is not None and folded not in name:
                continue
            if len(found) == limit:
                return found, True
            record = self.chat(chat_id)
            if record is not None:
                found.append(record)
        return found, False

    def _public_sorted(self) -> list[tuple[str, str]]:
        if self._public is None:
            self._public = sorted(
                (value.name.casefold(), value.id)
                for value in self._copy.values()
                if isinstance(value, ChatRecord) and not value.private and value.kind == "channel"
            )
        return self._public

    # --- following the copy (CopyListener) ---

    def changed(
        self, key: str, old: CopiedValue | None, new: CopiedValue | None, revision: int
    ) -> None:
        chat_id, username = split_key(key)
        self._revisions[chat_id] = max(self._revisions.get(chat_id, 0), revision)
        if username is None:
            self._chat_changed(old, new)
        else:
            self._membership_changed(chat_id, username, new, revision)

    def reloaded(self) -> None:
        self._members.clear()
        self._sorted_members.clear()
        self._chats_of.clear()
        self._revisions.clear()
        self._owned.clear()
        self._public = None
        for key, (value, revision) in self._entries():
            self.changed(key, None, value, revision)

    def _entries(self) -> Iterator[tuple[str, tuple[CopiedValue, int]]]:
        for key in self._copy.keys():
            entry = self._copy.entry(key)
            if entry is not None:
                yield key, entry

    def _chat_changed(self, old: CopiedValue | None, new: CopiedValue | None) -> None:
        for record, step in ((old, -1), (new, 1)):
            if isinstance(record, ChatRecord) and record.kind == "channel":
                self._owned[record.owner] += step
                if self._owned[record.owner] <= 0:
                    del self._owned[record.owner]
        self._public = None

    def _membership_changed(
        self, chat_id: str, username: str, new: CopiedValue | None, revision: int
    ) -> None:
        members = self._members.setdefault(chat_id, {})
        chats = self._chats_of.setdefault(username, {})
        names = self._sorted_members.get(chat_id)
        if isinstance(new, MemberRecord) and new.active:
            if username not in members and names is not None:
                bisect.insort(names, username)
            members[username] = new
            chats[chat_id] = revision
            return
        if members.pop(username, None) is not None and names is not None:
            names.pop(bisect.bisect_left(names, username))
        chats.pop(chat_id, None)
        if not members:
            del self._members[chat_id]
            self._sorted_members.pop(chat_id, None)
        if not chats:
            del self._chats_of[username]
