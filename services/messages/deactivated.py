"""Who is deactivated, from a watched copy of the users bucket.

A deactivated user's commands are refused here as the edge refuses their tokens:
a bot on NATS, whose connection no token guards, is stopped by this. The copy
keeps one flag per account, not the record (whose password hash the messages
service has no use for); a plain send reads it from memory, no round trip.
"""

import json

from nats.js.kv import KeyValue

from services.core.errors import Unauthorized
from services.storage.bucket_copy import BucketCopy

__all__ = ["DeactivatedAccounts"]


def _is_deactivated(value: bytes) -> bool:
    record = json.loads(value)
    return isinstance(record, dict) and record.get("deactivated") is True


class DeactivatedAccounts:
    """``require_active(username)`` refuses a user whose account is deactivated."""

    def __init__(self, users: KeyValue) -> None:
        self._copy = BucketCopy(users, "users", _is_deactivated)

    async def start(self) -> None:
        """Load the accounts, then follow their changes."""
        await self._copy.start()

    async def stop(self) -> None:
        """Stop following."""
        await self._copy.stop()

    def require_active(self, username: str) -> str:
        """``username``, unless their account is deactivated (``Unauthorized``)."""
        if self._copy.get(username):
            raise Unauthorized(f"{username} is deactivated")
        return username
