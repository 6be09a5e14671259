"""The status service's state, opened once NATS is connected."""

import asyncio

from nats.aio.client import Client
from nats.js.kv import KeyValue

from services.contracts import TokenRevocation, storage, subjects
from services.core.errors import Unauthorized
from services.core.keys import Purpose, derived_key
from services.core.settings import Settings
from services.storage.chats_copy import ChatsCopy
from services.storage.jetstream import is_registered, open_bucket, publish_event

from .accounts import Accounts
from .login_throttle import LoginThrottle, ThrottleLimits
from .people import People
from .presence import PresenceTracker
from .typing_notices import TypingNotices

# How often silent edges are looked for; well inside the 30 s promise.
DEAD_EDGE_CHECK_SECONDS = 5.0


class StatusState:
    """Accounts, presence and typing, behind one ``open``."""

    accounts: Accounts
    people: People
    presence: PresenceTracker
    typing: TypingNotices
    _users: KeyValue
    _nc: Client

    def __init__(self, settings: Settings) -> None:
        self._edge_dead_after = settings.edge_dead_after_seconds
        self._address_key = derived_key(settings.signing_key, Purpose.KNOWN_ADDRESSES)
        self._limits = ThrottleLimits.from_settings(settings)
        self._replicas = settings.replicas
        self._sweeper: asyncio.Task[None] | None = None
        self._chats_copy: ChatsCopy | None = None
        self._people: People | None = None

    async def open(self, nc: Client) -> None:
        """Open the buckets and load presence."""
        self._nc = nc
        js = nc.jetstream()
        self._users = await open_bucket(js, storage.USERS_BUCKET)
        self.accounts = Accounts(
            self._users,
            await LoginThrottle.open(js, self._limits, replicas=self._replicas),
            self._address_key,
        )
        self.people = People(self._users, self.accounts)
        self.presence = PresenceTracker(
            nc, await open_bucket(js, storage.PRESENCE_BUCKET), dead_after=self._edge_dead_after
        )
        chats = await open_bucket(js, storage.CHATS_BUCKET)
        self._chats_copy = ChatsCopy(chats)
        self.typing = TypingNotices(nc, chats, self._chats_copy)
        await self._chats_copy.start()
        await self.people.start()
        self._people = self.people
        await self.presence.start()
        check_every = min(DEAD_EDGE_CHECK_SECONDS, self._edge_dead_after / 3)
        self._sweeper = asyncio.create_task(
            self.presence.watch_edges(check_every), name="dead-edge-sweeper"
        )

    async def close(self) -> None:
        """Stop sweeping and following presence changes."""
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        await self.presence.stop()
        if self._people is not None:
            await self._people.stop()
        if self._chats_copy is not None:
            await self._chats_copy.stop()

    async def announce_revocation(self, revocation: TokenRevocation) -> None:
        """Tell every edge, so each disconnects the user's sockets whose token is void."""
        await publish_event(self._nc, subjects.TOKENS_REVOKED, revocation)

    async def require_registered(self, username: str) -> None:
        """Refuse commands from names nobody registered."""
        if not await is_registered(self._users, username):
            raise Unauthorized(f"{username} is not a registered user")
