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
    LoginRequest,
    Registration,
    is_username,
    utc_now,
)
from services.errors import Conflict, Unauthorized

from .login_throttle import LoginThrottle


class AccountRecord(BaseModel):
    """A user as stored in the users bucket.

    A bot's account (``chatbus bots add``) has no password hash: nobody logs in as it.
    """

    username: str
    password_hash: str | None = None
    created_at: datetime


class Accounts:
    """Registration and login against the users bucket."""

    def __init__(
        self, users: KeyValue, throttle: LoginThrottle, hasher: PasswordHasher | None = None
    ) -> None:
        self._users = users
        self._throttle = throttle
        self._hasher = hasher or PasswordHasher()
        # Verified against when the user does not exist, so both failures take as long.
        self._decoy_hash = self._hasher.hash("decoy password, never matches")

    async def register(self, credentials: Registration) -> Account:
        """Create an account; ``Conflict`` when the name is taken.

        ``RateLimited`` when too many came from the same address lately (each try
        counts, taken names too: every one costs a password hash).
        """
        await self._throttle.count_registration(credentials.address)
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

    async def login(self, attempt: LoginRequest) -> Account:
        """The account whose password matches; ``Unauthorized`` for any mismatch.

        ``RateLimited``, whatever the password, after too many recent failures for
        the username or from the address; unknown names are counted alike, so the
        answer never tells which names exist.
        """
        await self._throttle.check_login(attempt.username, attempt.address)
        record = await self._find(attempt.username)
        # A bot's account, like a missing one, is checked against the decoy: it never matches.
        password_hash = record.password_hash if record and record.password_hash else None
        try:
            await asyncio.to_thread(
                self._hasher.verify, password_hash or self._decoy_hash, attempt.password
            )
            matched = password_hash is not None
        except (VerificationError, InvalidHashError):
            matched = False
        if not matched or record is None:
            await self._throttle.login_failed(attempt.username, attempt.address)
            raise Unauthorized("wrong username or password")
        await self._throttle.login_succeeded(record.username)
        return Account(username=record.username)

    async def _find(self, username: str) -> AccountRecord | None:
        if not is_username(username):
            return None
        try:
            entry = await self._users.get(username)
        except NotFoundError:
            return None
        return AccountRecord.model_validate_json(entry.value) if entry.value else None
