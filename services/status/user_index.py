"""Every user's profile in memory, found by the start of a username or display name.

A copy of the users bucket (``BucketCopy``) holds each account as the ``User`` others
see (no password hash, no addresses). Following each change the copy takes in, an
index keeps one sorted list of ``(folded name, username)``: a username's entry and,
when it says something else, its display name's. A search is a bisection to the
first name starting with the query and a walk while names still do: it costs the
results, not the number of users.
"""

import bisect
from collections.abc import Iterator

from nats.js.kv import KeyValue

from services.contracts import User
from services.storage.account_records import AccountRecord
from services.storage.bucket_copy import BucketCopy

Entry = tuple[str, str]


def decode_user(value: bytes) -> User:
    """The profile an account record shows."""
    return AccountRecord.model_validate_json(value).to_user()


def _entries(user: User) -> set[Entry]:
    names = {user.username.casefold()}
    if user.display_name:
        names.add(user.display_name.casefold())
    return {(name, user.username) for name in names}


class UsersCopy:
    """The users bucket as profiles, with the index searches read."""

    def __init__(self, bucket: KeyValue) -> None:
        self._copy: BucketCopy[User] = BucketCopy(bucket, "users", decode_user, listener=self)
        self._sorted: list[Entry] = []

    async def start(self) -> None:
        """Load the bucket and follow its changes."""
        await self._copy.start()

    async def stop(self) -> None:
        """Stop following changes."""
        await self._copy.stop()

    def apply(self, key: str, value: bytes, revision: int) -> None:
        """Take in a write this process made, before the watch brings it back."""
        self._copy.apply(key, value, revision)

    def get(self, username: str) -> User | None:
        """The user's profile, if the copy has it."""
        return self._copy.get(username)

    def search(self, query: str, limit: int) -> list[User]:
        """Up to ``limit`` users with a name starting with ``query`` (ignoring case), by
        that name."""
        found: dict[str, User] = {}
        for _, username in self._starting_with(query.casefold()):
            user = self._copy.get(username)
            if user is not None and username not in found:
                found[username] = user
                if len(found) == limit:
                    break
        return list(found.values())

    def _starting_with(self, prefix: str) -> Iterator[Entry]:
        start = bisect.bisect_left(self._sorted, (prefix, ""))
        for index in range(start, len(self._sorted)):
            entry = self._sorted[index]
            if not entry[0].startswith(prefix):
                return
            yield entry

    # --- following the copy (CopyListener) ---

    def changed(self, key: str, old: User | None, new: User | None, revision: int) -> None:
        before = _entries(old) if old else set()
        after = _entries(new) if new else set()
        for entry in before - after:
            index = bisect.bisect_left(self._sorted, entry)
            if index < len(self._sorted) and self._sorted[index] == entry:
                del self._sorted[index]
        for entry in after - before:
            bisect.insort(self._sorted, entry)

    def reloaded(self) -> None:
        self._sorted = sorted(entry for user in self._copy.values() for entry in _entries(user))
