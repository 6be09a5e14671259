"""Throttling password guessing and account-creation spam, across every status replica.

Counters live in one JetStream key-value bucket, so every replica of the status
service (and every edge in front of them) sees the same numbers:

    login.user.<username>    failed logins for that name (a success clears it)
    login.addr.<address>     failed logins from one client address
    register.addr.<address>  registrations tried from one client address

A counter holds for a fixed window from its first count; the bucket's
``max_age`` sweeps stale counters away. Over the limit, the attempt is refused
``rate_limited`` before any password is checked, whatever the password.
IPv6 addresses count per /64 network, since one host usually holds a whole /64.

Counts are written under optimistic concurrency (the key's last revision), so
no increment is lost; attempts that race past a check at the same instant are
each still counted, so the limit may be overshot by the attempts in flight.
"""

import hashlib
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError, BucketNotFoundError, KeyWrongLastSequenceError
from nats.js.errors import NotFoundError as KeyNotFound
from nats.js.kv import KeyValue
from pydantic import BaseModel

from services.contracts import is_username, storage
from services.errors import RateLimited, Unavailable
from services.settings import Settings

MAX_WRITE_ATTEMPTS = 20

Clock = Callable[[], float]


@dataclass(frozen=True)
class ThrottleLimits:
    """How many failed logins and registrations are allowed, and over how long."""

    login_failures_per_user: int = 5
    login_failures_per_address: int = 20
    login_window_seconds: float = 300.0
    registrations_per_address: int = 100
    registration_window_seconds: float = 600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "ThrottleLimits":
        """The limits set by ``CHATBUS_LOGIN_*`` and ``CHATBUS_REGISTRATION*``."""
        return cls(
            login_failures_per_user=settings.login_failures_per_user,
            login_failures_per_address=settings.login_failures_per_address,
            login_window_seconds=settings.login_failure_window_seconds,
            registrations_per_address=settings.registrations_per_address,
            registration_window_seconds=settings.registration_window_seconds,
        )


class Tally(BaseModel):
    """One counter as stored: how many, since when (Unix seconds)."""

    count: int
    since: float


def user_key(username: str) -> str:
    """The counter key for a typed username (names that could not be users are hashed)."""
    if is_username(username):
        return f"login.user.{username}"
    return f"login.user.={hashlib.sha256(username.encode()).hexdigest()[:32]}"


def address_token(address: str) -> str:
    """A key-safe token for a client address; IPv6 counts per /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "=" + hashlib.sha256(address.encode()).hexdigest()[:32]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        network = ipaddress.IPv6Network((parsed, 64), strict=False)
        return str(network).replace(":", "-").replace("/", "_")
    return str(parsed)


class LoginThrottle:
    """Failed-login and registration counters in the throttle bucket."""

    def __init__(self, bucket: KeyValue, limits: ThrottleLimits, clock: Clock = time.time) -> None:
        self._bucket = bucket
        self._limits = limits
        self._clock = clock

    @classmethod
    async def open(
        cls, js: JetStreamContext, limits: ThrottleLimits, *, replicas: int = 1
    ) -> "LoginThrottle":
        """The throttle on its bucket, created on first use with the longest window as TTL."""
        ttl = max(limits.login_window_seconds, limits.registration_window_seconds)
        try:
            bucket = await js.key_value(storage.THROTTLE_BUCKET)
        except BucketNotFoundError:
            config = KeyValueConfig(
                bucket=storage.THROTTLE_BUCKET,
                history=1,
                ttl=ttl,
                storage=StorageType.FILE,
                replicas=replicas,
            )
            try:
                bucket = await js.create_key_value(config)
            except BadRequestError:  # created by another replica meanwhile
                bucket = await js.key_value(storage.THROTTLE_BUCKET)
        return cls(bucket, limits)

    async def check_login(self, username: str, address: str | None) -> None:
        """``RateLimited`` when the user or the address has failed too often lately."""
        limits = self._limits
        await self._refuse_over(
            user_key(username), limits.login_failures_per_user, limits.login_window_seconds
        )
        if address:
            await self._refuse_over(
                f"login.addr.{address_token(address)}",
                limits.login_failures_per_address,
                limits.login_window_seconds,
            )

    async def login_failed(self, username: str, address: str | None) -> None:
        """Count a failed login against the user and the address."""
        window = self._limits.login_window_seconds
        await self._add(user_key(username), window)
        if address:
            await self._add(f"login.addr.{address_token(address)}", window)

    async def login_succeeded(self, username: str) -> None:
        """The right password: the user's failures are forgiven (the address's are not)."""
        key = user_key(username)
        try:
            await self._bucket.get(key)
        except KeyNotFound:
            return  # the usual case: nothing to forgive, no write
        await self._bucket.purge(key)

    async def count_registration(self, address: str | None) -> None:
        """Count a registration from ``address``; ``RateLimited`` beyond the limit."""
        if not address:
            return
        limits = self._limits
        key = f"register.addr.{address_token(address)}"
        await self._refuse_over(
            key, limits.registrations_per_address, limits.registration_window_seconds
        )
        await self._add(key, limits.registration_window_seconds)

    async def _refuse_over(self, key: str, limit: int, window: float) -> None:
        tally, _ = await self._read(key)
        if tally is None:
            return
        left = tally.since + window - self._clock()
        if left > 0 and tally.count >= limit:
            raise RateLimited("too many attempts; try again later", retry_after=left)

    async def _add(self, key: str, window: float) -> None:
        for _ in range(MAX_WRITE_ATTEMPTS):
            tally, revision = await self._read(key)
            now = self._clock()
            if tally is None or now - tally.since >= window:
                tally = Tally(count=1, since=now)  # a new window starts
            else:
                tally.count += 1
            try:
                if revision is None:
                    await self._bucket.create(key, tally.model_dump_json().encode())
                else:
                    await self._bucket.update(key, tally.model_dump_json().encode(), last=revision)
                return
            except KeyWrongLastSequenceError:
                continue  # another attempt counted first: count on top of it
        raise Unavailable("too much contention counting attempts; try again")

    async def _read(self, key: str) -> tuple[Tally | None, int | None]:
        try:
            entry = await self._bucket.get(key)
        except KeyNotFound:
            return None, None
        if not entry.value:
            return None, None
        return Tally.model_validate_json(entry.value), entry.revision
