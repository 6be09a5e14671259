"""Slowing password guessing and account-creation spam, across every status replica.

Counters live in one JetStream key-value bucket, so every replica of the status
service (and every edge in front of them) sees the same numbers:

    login.pair.<username>.<address>  failed logins for that name from that address
    login.user.<username>            failed logins for that name, from any address
    login.addr.<address>             failed logins from that address, for any name
    register.addr.<address>          registrations tried from one client address

A failure counts on all three login counters. Each lets a few failures go free;
after those, each further one makes the next attempt wait longer (1, 2, 4, ...
seconds after it, up to a few minutes), and until then an attempt is refused
``rate_limited`` with the time left, before any password is checked. A
counter is forgotten once a window passes without a failure on it.

Nobody can lock a user out from an address they logged in from before (a
*known* pair, see ``accounts.py``): such an attempt is slowed only by its own
pair's failures, never by the user's or the address's, which anyone can drive.
From a new address the user's counter applies too, so guessing one password
from many addresses is slowed for all of them: the wait is bounded, never a
block. IPv6 addresses count per /64 network, since one host usually holds a
whole /64. Registrations keep a fixed limit per address and window.

Counts are written under optimistic concurrency (the key's last revision), so
no increment is lost; attempts that race past a check at the same instant are
each still counted, so a wait may start an attempt or two late.
"""

import asyncio
import hashlib
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, fields

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError, BucketNotFoundError, KeyWrongLastSequenceError
from nats.js.errors import NotFoundError as KeyNotFound
from nats.js.kv import KeyValue
from pydantic import AliasChoices, BaseModel, Field

from services.contracts import is_username, storage
from services.core.errors import RateLimited, Unavailable
from services.core.settings import Settings

MAX_WRITE_ATTEMPTS = 20

Clock = Callable[[], float]


@dataclass(frozen=True)
class ThrottleLimits:
    """How many failed logins go free, how the waits grow, and the registration limit.

    Each field is the ``Settings`` field of the same name, where its default is.
    """

    login_failures_per_pair: int
    login_failures_per_user: int
    login_failures_per_address: int
    login_first_delay_seconds: float
    login_max_delay_seconds: float
    login_failure_window_seconds: float
    registrations_per_address: int
    registration_window_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "ThrottleLimits":
        """The limits set by ``CHATBUS_LOGIN_*`` and ``CHATBUS_REGISTRATION*``."""
        return cls(**{field.name: getattr(settings, field.name) for field in fields(cls)})

    def wait_after(self, failures: int, free: int) -> float:
        """Seconds the next attempt waits after the latest of ``failures`` (``free`` go free)."""
        if failures < free:
            return 0.0
        doublings = min(failures - free, 64)  # far past the cap already
        return min(self.login_max_delay_seconds, self.login_first_delay_seconds * 2**doublings)


class Failures(BaseModel):
    """A login counter as stored: how many failures, and when the latest was (Unix seconds)."""

    count: int
    # A counter stored with ``since`` (its window's start, by an older chatbus) reads that
    # as its latest failure: close enough.
    last: float = Field(validation_alias=AliasChoices("last", "since"))


class Tally(BaseModel):
    """A registration counter as stored: how many, since when (Unix seconds)."""

    count: int
    since: float


def user_token(username: str) -> str:
    """A key-safe token for a typed username (names that could not be users are hashed)."""
    if is_username(username):
        return username
    return "=" + hashlib.sha256(username.encode()).hexdigest()[:32]


def user_key(username: str) -> str:
    """The counter key for a typed username."""
    return f"login.user.{user_token(username)}"


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
        cls,
        js: JetStreamContext,
        limits: ThrottleLimits,
        *,
        replicas: int = 1,
        clock: Clock = time.time,
    ) -> "LoginThrottle":
        """The throttle on its bucket, created on first use with the longest window as TTL."""
        ttl = max(limits.login_failure_window_seconds, limits.registration_window_seconds)
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
        return cls(bucket, limits, clock)

    async def check_login(self, username: str, address: str | None, *, known: bool) -> None:
        """``RateLimited`` with the time left while a counter says the attempt must wait.

        ``known``: the user logged in from this address before, so only the pair's
        own failures count.
        """
        limits = self._limits
        checks = self._login_counters(username, address, known=known)
        counts = await asyncio.gather(*(self._failures(key) for key, _ in checks))
        now = self._clock()
        left = max(
            (
                failures.last + limits.wait_after(failures.count, free) - now
                for (_, free), failures in zip(checks, counts, strict=True)
                if failures is not None
            ),
            default=0.0,
        )
        if left > 0:
            raise RateLimited("too many failed attempts; try again later", retry_after=left)

    async def login_failed(self, username: str, address: str | None) -> None:
        """Count a failed login against the pair, the user and the address."""
        keys = [key for key, _ in self._login_counters(username, address, known=False)]
        await asyncio.gather(*(self._count_failure(key) for key in keys))

    async def login_succeeded(self, username: str, address: str | None) -> None:
        """The right password: the pair's failures are forgiven (the user's and the
        address's are not: others may have made them)."""
        if not address:
            return
        key = _pair_key(username, address)
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
        tally, _ = await self._read_tally(key)
        now = self._clock()
        if tally is not None:
            left = tally.since + limits.registration_window_seconds - now
            if left > 0 and tally.count >= limits.registrations_per_address:
                raise RateLimited("too many attempts; try again later", retry_after=left)
        await self._add_registration(key, limits.registration_window_seconds)

    def _login_counters(
        self, username: str, address: str | None, *, known: bool
    ) -> list[tuple[str, int]]:
        """The counters an attempt is checked against: (key, failures that go free)."""
        limits = self._limits
        counters = []
        if address:
            counters.append((_pair_key(username, address), limits.login_failures_per_pair))
        if not known:
            counters.append((user_key(username), limits.login_failures_per_user))
            if address:
                counters.append(
                    (f"login.addr.{address_token(address)}", limits.login_failures_per_address)
                )
        return counters

    async def _failures(self, key: str) -> Failures | None:
        """The counter's failures, None when there are none or it was forgotten."""
        entry = await self._get(key)
        if entry is None:
            return None
        failures = Failures.model_validate_json(entry[0])
        if self._clock() - failures.last >= self._limits.login_failure_window_seconds:
            return None
        return failures

    async def _count_failure(self, key: str) -> None:
        for _ in range(MAX_WRITE_ATTEMPTS):
            entry = await self._get(key)
            now = self._clock()
            failures = Failures.model_validate_json(entry[0]) if entry else None
            if failures is None or now - failures.last >= self._limits.login_failure_window_seconds:
                count = 1  # forgotten, or never counted
            else:
                count = failures.count + 1
            value = Failures(count=count, last=now).model_dump_json().encode()
            if await self._write(key, value, None if entry is None else entry[1]):
                return
        raise Unavailable("too much contention counting attempts; try again")

    async def _add_registration(self, key: str, window: float) -> None:
        for _ in range(MAX_WRITE_ATTEMPTS):
            tally, revision = await self._read_tally(key)
            now = self._clock()
            if tally is None or now - tally.since >= window:
                tally = Tally(count=1, since=now)  # a new window starts
            else:
                tally.count += 1
            if await self._write(key, tally.model_dump_json().encode(), revision):
                return
        raise Unavailable("too much contention counting attempts; try again")

    async def _read_tally(self, key: str) -> tuple[Tally | None, int | None]:
        entry = await self._get(key)
        if entry is None:
            return None, None
        return Tally.model_validate_json(entry[0]), entry[1]

    async def _get(self, key: str) -> tuple[bytes, int] | None:
        """The key's value and revision; None when it holds nothing."""
        try:
            entry = await self._bucket.get(key)
        except KeyNotFound:
            return None
        if not entry.value or entry.revision is None:
            return None
        return entry.value, entry.revision

    async def _write(self, key: str, value: bytes, revision: int | None) -> bool:
        """Write under compare-and-set; False when another write came first."""
        try:
            if revision is None:
                await self._bucket.create(key, value)
            else:
                await self._bucket.update(key, value, last=revision)
        except KeyWrongLastSequenceError:
            return False
        return True


def _pair_key(username: str, address: str) -> str:
    return f"login.pair.{user_token(username)}.{address_token(address)}"
