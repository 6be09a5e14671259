"""Profiles and workspace administration: users:get, users:search, users:update and
users:deactivate, answered from a copy of the users bucket where a copy will do.

Deactivating a user marks their account (no login, no token works: see
``AccountRecord.token_works``) and voids every token they hold in the same write;
the revocation is then announced, and every edge closes their sockets at once.
Their messages keep their name: nothing else changes.

The copy loads in the background: with many users it takes seconds (about 18 for
100,000 here, README "Guarantees"), and logins, presence and typing must not wait for
it. Until it is loaded, ``users:get`` reads JetStream and ``users:search`` finds no one.
"""

import asyncio
import contextlib
import logging

from nats.js.kv import KeyValue

from services.contracts import (
    DeactivateUser,
    GetUser,
    SearchUsers,
    TokenRevocation,
    UpdateProfile,
    User,
    utc_now,
)
from services.core.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from services.storage.account_records import AccountRecord, read_account

from .accounts import Accounts
from .user_index import UsersCopy

log = logging.getLogger("chatbus.people")

# How long to wait before trying again to load the users, when a load failed.
RETRY_LOAD_SECONDS = 1.0


class People:
    """The users as others see them, and what admins may do to them."""

    def __init__(self, bucket: KeyValue, accounts: Accounts) -> None:
        self._bucket = bucket
        self._accounts = accounts
        self.copy = UsersCopy(bucket)
        accounts.written = self.copy.apply
        self._loading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start loading the profiles in the background; they are followed once loaded."""
        self._loading = asyncio.create_task(self._load(), name="load-users")

    async def stop(self) -> None:
        """Stop loading or following."""
        if self._loading is not None:
            self._loading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loading
        await self.copy.stop()

    async def _load(self) -> None:
        while True:
            try:
                await self.copy.start()
                return
            except Exception:
                log.exception("could not load the users; trying again")
                await asyncio.sleep(RETRY_LOAD_SECONDS)

    async def get(self, request: GetUser) -> User:
        """A user's profile; ``NotFound`` for a name nobody has."""
        user = self.copy.get(request.username)
        if user is None:
            record, _ = await read_account(self._bucket, request.username)
            if record is None:
                raise NotFound(f"no user named {request.username}")
            user = record.to_user()
        return user

    def search(self, request: SearchUsers) -> list[User]:
        """Users whose username or display name starts with the query, ignoring case."""
        return self.copy.search(request.query, request.limit)

    async def update(self, username: str, request: UpdateProfile) -> User:
        """Change one's own display name or about text."""
        changes = {
            field: value
            for field, value in (("display_name", request.display_name), ("about", request.about))
            if value is not None
        }

        def changed(current: AccountRecord) -> AccountRecord:
            if current.deactivated:
                raise Unauthorized(f"{username} is deactivated")
            return current.model_copy(update=changes)

        return (await self._accounts.update(username, changed)).to_user()

    async def deactivate(
        self, admin: str, request: DeactivateUser
    ) -> tuple[User, TokenRevocation | None]:
        """Deactivate or reactivate a user; a workspace admin's doing. Returns the user and,
        for a deactivation, the revocation to announce."""
        acting, _ = await read_account(self._bucket, admin)
        if acting is None or acting.deactivated:
            raise Unauthorized(f"{admin} is not an active user")
        if acting.role != "admin":
            raise Forbidden("only workspace admins deactivate users")
        target = request.username
        if target == admin and request.deactivated:
            raise InvalidInput("admins do not deactivate themselves; ask another admin")
        if (await read_account(self._bucket, target))[0] is None:
            raise NotFound(f"no user named {target}")
        revocation = (
            TokenRevocation(username=target, void_before=utc_now()) if request.deactivated else None
        )

        def changed(current: AccountRecord) -> AccountRecord:
            update: dict[str, object] = {"deactivated": request.deactivated}
            if revocation is not None:
                update["revoked"] = revocation
            return current.model_copy(update=update)

        record = await self._accounts.update(target, changed)
        return record.to_user(), revocation
