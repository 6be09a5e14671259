"""Accounts: register and log in, passwords kept as Argon2id hashes."""

import asyncio
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nats.js.errors import KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel

from services.contracts import (
    RESERVED_USERNAMES,
    Account,
    Credentials,
    LoginAttempt,
    is_username,
    utc_now,
)
from services.errors import Conflict, Unauthorized


class AccountRecord(BaseModel):
    """A user as stored in the users bucket."""

    username: str
    password_hash: str
    created_at: datetime


class Accounts:
    """Registration and login against the users bucket."""

    def __init__(self, users: KeyValue, hasher: PasswordHasher | None = None) -> None:
        self._users = users
        self._hasher = hasher or PasswordHasher()
        # Verified against when the user does not exist, so both failures take as long.
        self._decoy_hash = self._hasher.hash("decoy password, never matches")

    async def register(self, credentials: Credentials) -> Account:
        """Create an account; ``Conflict`` when the name is taken."""
        if credentials.username in RESERVED_USERNAMES:
            raise Conflict("that username is reserved")
        password_hash = await asyncio.to_thread(self._hasher.hash, credentials.password)
        record = AccountRecord(
            username=credentials.username, password_hash=password_hash, created_at=utc_now()
        )
        try:
            await self._users.create(credentials.username, record.model_dump_json().encode())
        except KeyWrongLastSequenceError:
            raise Conflict("that username is taken") from None
        return Account(username=credentials.username)

    async def login(self, attempt: LoginAttempt) -> Account:
        """The account whose password matches; ``Unauthorized`` for any mismatch."""
        record = await self._find(attempt.username)
        password_hash = record.password_hash if record else self._decoy_hash
        try:
            await asyncio.to_thread(self._hasher.verify, password_hash, attempt.password)
        except (VerificationError, InvalidHashError):
            raise Unauthorized("wrong username or password") from None
        if record is None:
            raise Unauthorized("wrong username or password")
        return Account(username=record.username)

    async def _find(self, username: str) -> AccountRecord | None:
        if not is_username(username):
            return None
        try:
            entry = await self._users.get(username)
        except NotFoundError:
            return None
        return AccountRecord.model_validate_json(entry.value) if entry.value else None
