"""Accounts: register, log in, change a password; passwords kept as Argon2id hashes.

A record also says which of the user's tokens no longer work (``revoked``): a
password change voids every token issued before it but the one it was made
with, and edges are told so at once (``chat.auth.revoked``). And it keeps the
addresses the user last logged in from, as keyed hashes (a copy of the users
bucket reveals no address): from those, the login throttle never holds the
user back for failures made elsewhere (``login_throttle.py``).
"""

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nats.errors import Error as NatsError
from nats.js.errors import KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from services.contracts import (
    RESERVED_USERNAMES,
    Account,
    LoginRequest,
    PasswordChange,
    Registration,
    TokenRevocation,
    utc_now,
)
from services.core.errors import ChatbusError, Conflict, Unauthorized, Unavailable
from services.storage.account_records import AccountRecord, read_account

from .login_throttle import LoginThrottle, address_token

log = logging.getLogger("chatbus.accounts")

# Writes of one record that lose a race before one wins (a login and a password change).
MAX_RECORD_WRITES = 20
# Addresses remembered per user, the most recent first: a home, a phone, an office, ...
KNOWN_ADDRESSES = 20


class Accounts:
    """Registration and login against the users bucket."""

    def __init__(
        self,
        users: KeyValue,
        throttle: LoginThrottle,
        address_key: bytes,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._users = users
        self._throttle = throttle
        self._address_key = address_key
        self._hasher = hasher or PasswordHasher()
        self.written: Callable[[str, bytes, int], None] | None = None
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

        ``RateLimited``, whatever the password, while recent failures make the attempt
        wait (see ``login_throttle``): from an address the user logged in from before,
        only failures from there count. Unknown names are counted alike, so the
        answer never tells which names exist.
        """
        username, address = attempt.username, attempt.address
        record = await self._find(username)
        known = self._is_known(record, address)
        await self._throttle.check_login(username, address, known=known)
        # A bot's account (no password), like a missing one, is checked against the decoy.
        password_hash = record.password_hash if record else None
        matched = await self._verify(password_hash, attempt.password)  # a name or not: as long
        if record is None or not matched:
            await self._throttle.login_failed(username, address)
            raise Unauthorized("wrong username or password")
        if record.deactivated:
            raise Unauthorized("this account is deactivated; ask a workspace admin")
        await self._throttle.login_succeeded(username, address)
        await self._remember_address(record, address)
        return Account(username=record.username)

    async def require_token_works(
        self, username: str, token_id: str | None, issued_at: datetime | None
    ) -> Account:
        """The account a token is for; ``Unauthorized`` for a name with no account or a
        token a revocation voided (a missing id or issue time is void too)."""
        record = await self._find(username)
        if record is None:
            raise Unauthorized(f"{username} is not a registered user")
        if token_id is None or issued_at is None or not record.token_works(token_id, issued_at):
            raise Unauthorized("this token no longer works; log in again")
        return Account(username=record.username)

    async def change_password(self, change: PasswordChange) -> TokenRevocation:
        """Set a new password; every other token of the user stops working.

        ``Unauthorized`` for a wrong old password (counted and throttled as a failed
        login) or a token that no longer works; ``Conflict`` when another change
        came first. Returns the revocation to announce to the edges.
        """
        username, address = change.username, change.address
        record = await self._find(username)
        await self._throttle.check_login(username, address, known=self._is_known(record, address))
        if record is None or not record.token_works(change.token_id, change.issued_at):
            raise Unauthorized("this token no longer works; log in again")
        verified = record.password_hash
        if not await self._verify(verified, change.old_password):
            await self._throttle.login_failed(username, address)
            raise Unauthorized("wrong password")
        new_hash = await asyncio.to_thread(self._hasher.hash, change.new_password)
        revocation = TokenRevocation(
            username=username, void_before=utc_now(), kept_token=change.token_id
        )

        def changed(current: AccountRecord) -> AccountRecord:
            if current.password_hash != verified:
                raise Conflict("the password was changed meanwhile; log in again")
            return current.model_copy(update={"password_hash": new_hash, "revoked": revocation})

        await self.update(username, changed)
        return revocation

    async def revoke_tokens(self, username: str, keep: str | None = None) -> TokenRevocation:
        """Void every token of ``username`` issued until now but ``keep`` (none: all of
        them, as a deactivation does). Returns the revocation to announce."""
        revocation = TokenRevocation(username=username, void_before=utc_now(), kept_token=keep)
        await self.update(
            username, lambda current: current.model_copy(update={"revoked": revocation})
        )
        return revocation

    def _address_hash(self, address: str) -> str:
        token = address_token(address).encode()
        return hmac.new(self._address_key, token, hashlib.sha256).hexdigest()[:32]

    def _is_known(self, record: AccountRecord | None, address: str | None) -> bool:
        """Whether the user logged in from ``address`` before (among the latest ones)."""
        if record is None or not address:
            return False
        return self._address_hash(address) in record.known_addresses

    async def _remember_address(self, record: AccountRecord, address: str | None) -> None:
        """Put ``address`` first among the user's known ones; a failure only logs."""
        if not address:
            return
        known = self._address_hash(address)
        if record.known_addresses[:1] == [known]:
            return  # the usual case: the same address as last time, no write

        def remembered(current: AccountRecord) -> AccountRecord:
            others = [a for a in current.known_addresses if a != known]
            addresses = [known, *others][:KNOWN_ADDRESSES]
            return current.model_copy(update={"known_addresses": addresses})

        try:
            await self.update(record.username, remembered)
        except (ChatbusError, NatsError) as error:
            # The login stands; the address is remembered at the next one.
            log.warning("could not remember a login address of %s: %s", record.username, error)

    async def _verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash, the decoy's is checked (as long) and
        nothing matches."""
        try:
            await asyncio.to_thread(
                self._hasher.verify, password_hash or self._decoy_hash, password
            )
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    async def update(
        self, username: str, change: Callable[[AccountRecord], AccountRecord]
    ) -> AccountRecord:
        """Write ``change`` of the user's record under compare-and-set, again on a lost race.

        ``Unauthorized`` when there is no such account. Each write is handed to the
        ``written`` callback, so a copy of the bucket in this process reads it at once.
        """
        for _ in range(MAX_RECORD_WRITES):
            record, revision = await self._find_with_revision(username)
            if record is None or revision is None:
                raise Unauthorized(f"{username} is not a registered user")
            updated = change(record)
            value = updated.model_dump_json().encode()
            try:
                new_revision = await self._users.update(username, value, last=revision)
            except KeyWrongLastSequenceError:
                continue  # written meanwhile: apply the change to what is there now
            if self.written is not None:
                self.written(username, value, new_revision)
            return updated
        raise Unavailable("the account is too busy right now; try again")

    async def _find(self, username: str) -> AccountRecord | None:
        record, _ = await self._find_with_revision(username)
        return record

    async def _find_with_revision(self, username: str) -> tuple[AccountRecord | None, int | None]:
        record, revision = await read_account(self._users, username)
        return record, revision or None
