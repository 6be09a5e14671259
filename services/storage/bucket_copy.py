"""An in-memory copy of a key-value bucket in one process, kept current by a watch.

Reads that scan a whole bucket (the chats a user can see, who is online) are
answered from memory; writes still go to JetStream with compare-and-set, and a
writer applies its own result at once so it reads what it wrote. Values are
kept decoded, each once per change, so a read that scans every chat decodes
none of them (benchmarks/FINDINGS.md, "Copies of buckets keep their values
decoded"). A value that does not decode (a program on NATS wrote junk) is left
out of the copy with a warning, instead of failing every read that scans it. A
key deleted or left out keeps the revision it went at, so an older write of this
process's own, applied after, does not bring it back.

A watch can die silently (a restarted nats-server forgets its consumers). So
the copy reloads everything as soon as its connection says it has reconnected
(it is told, so an idle process does not wake to look), and every few seconds
compares the bucket's last revision with the newest one its watch delivered,
reloading once it has been behind for a second: that catches a watch lost
without a reconnect (a cluster node that held it restarted). Its own writes do
not count as delivered: one made after a write the dead watch missed would
otherwise hide the miss.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar

from nats.js.kv import KV_DEL, KV_PURGE, KeyValue

from services.storage._natspy.flow_control import stop_flow_control_polling
from services.storage._natspy.jetstream_connection import bucket_connection
from services.storage._natspy.reconnect_callbacks import call_on_reconnect

log = logging.getLogger("chatbus.bucket_copy")

# How soon the copy compares again while its watch is behind the bucket.
RECHECK_BEHIND_SECONDS = 0.5
# How often it asks nats-server for the bucket's last revision: each stream-info request
# costs this process and nats-server more than an idle second's other work
# (benchmarks/FINDINGS.md, "Idle services stop asking nats-server").
COMPARE_EVERY_SECONDS = 5.0
# An update may be in flight when we look; only a lag that lasts this long is a dead watch.
STALE_AFTER_SECONDS = 1.0
# Changed keys remembered for what is derived from the copy (``keys_changed_since``): one
# further behind rebuilds from everything, which costs about as much as this many changes.
CHANGES_KEPT = 1024

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


class CopyListener(Protocol[T_contra]):
    """Told of every change the copy takes in, to keep what is derived from it current."""

    def changed(self, key: str, old: T_contra | None, new: T_contra | None, revision: int) -> None:
        """``key`` went from ``old`` to ``new`` (None: absent) at ``revision``."""

    def reloaded(self) -> None:
        """The copy was loaded afresh: derive everything again from its entries."""


class BucketCopy(Generic[T]):
    """Copy of a bucket: key -> (value as ``decode`` makes it of the stored bytes, revision).

    ``decode_entry`` instead of ``decode`` decodes a value knowing its key, for buckets
    that keep several kinds of record.
    """

    def __init__(
        self,
        bucket: KeyValue,
        name: str,
        decode: Callable[[bytes], T] | None = None,
        *,
        decode_entry: Callable[[str, bytes], T] | None = None,
        listener: CopyListener[T] | None = None,
    ) -> None:
        self._bucket = bucket
        self._name = name
        if decode_entry is None:
            if decode is None:
                raise TypeError("BucketCopy needs decode or decode_entry")
            plain = decode
            decode_entry = lambda _key, value: plain(value)  # noqa: E731
        self._decode = decode_entry
        self._listener = listener
        self._entries: dict[str, tuple[T, int]] = {}
        # The revision at which each key not in ``_entries`` was deleted or left out: an
        # older write of our own applied after it must not bring the key back.
        self._absent: dict[str, int] = {}
        # Goes up with every change the copy takes in: what is derived from it (an index)
        # is still good while this has not moved.
        self.version = 0
        # (version, key) of the latest changes to ``_entries``; those at or before
        # ``_changes_floor`` are forgotten (or came with a reload).
        self._changes: deque[tuple[int, str]] = deque()
        self._changes_floor = 0
        # The newest revision the *watch* delivered, and when: our own writes (``apply``)
        # must not count, or a write of ours after a missed one hides that the watch is dead.
        self._newest_revision = 0
        self._last_update = time.monotonic()
        self._task: asyncio.Task[None] | None = None
        self._reconnected = asyncio.Event()

    async def start(self) -> None:
        """Load every key, then follow changes in the background."""
        call_on_reconnect(bucket_connection(self._bucket), self._reconnected.set)
        watcher = await self._load()
        self._task = asyncio.create_task(self._follow(watcher), name=f"copy-{self._name}")

    async def stop(self) -> None:
        """Stop following changes."""
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def apply(self, key: str, value: bytes | None, revision: int) -> None:
        """Record a change this process made (ignored if the copy already knows a newer one).

        ``value`` None: the key was deleted.
        """
        known = self._entries.get(key)
        newest = known[1] if known else self._absent.get(key, 0)
        if newest >= revision:
            return
        self._store(self._entries, self._absent, key, value, revision)

    @property
    def delivered_revision(self) -> int:
        """The newest revision the watch delivered: the copy holds every change up to it.

        This process's own writes (``apply``) do not count: one may come before a change
        of another process that the watch has yet to deliver.
        """
        return self._newest_revision

    def keys_changed_since(self, version: int) -> list[str] | None:
        """The keys changed after ``version``, oldest first, a key once per change.

        None when they are not all known: a reload came since, or more changes than
        ``CHANGES_KEPT``. Then whatever was derived from the copy must be derived afresh.
        """
        if version < self._changes_floor:
            return None
        return [key for changed_at, key in self._changes if changed_at > version]

    def get(self, key: str) -> T | None:
        """The value of ``key``, if the copy has it."""
        entry = self._entries.get(key)
        return entry[0] if entry else None

    def entry(self, key: str) -> tuple[T, int] | None:
        """The value of ``key`` with its revision, if the copy has it."""
        return self._entries.get(key)

    def keys(self) -> list[str]:
        """Every key that has a value."""
        return list(self._entries)

    def values(self) -> Iterator[T]:
        """Every value, in no particular order."""
        return (value for value, _ in list(self._entries.values()))

    def entries(self) -> Iterator[tuple[T, int]]:
        """Every value with its revision, in no particular order."""
        return iter(list(self._entries.values()))

    def _store(
        self,
        entries: dict[str, tuple[T, int]],
        absent: dict[str, int],
        key: str,
        value: bytes | None,
        revision: int,
    ) -> None:
        self.version += 1
        live = entries is self._entries  # not a reload's new copy (see ``_load``)
        if live:
            if len(self._changes) == CHANGES_KEPT:
                self._changes_floor = self._changes.popleft()[0]
            self._changes.append((self.version, key))
        old = entries.get(key)
        new: T | None = None
        if value is not None:
            try:
                new = self._decode(key, value)
            except ValueError:  # pydantic's ValidationError is one
                log.warning("left out %s of %s: its value does not decode", key, self._name)
        if new is not None:
            entries[key] = (new, revision)
            absent.pop(key, None)
        else:
            entries.pop(key, None)
            absent[key] = revision
        if live and self._listener is not None:
            self._listener.changed(key, old[0] if old else None, new, revision)

    async def _load(self) -> KeyValue.KeyWatcher:
        # A reconnect from now on may have taken this watch with it.
        self._reconnected.clear()
        watcher = await self._bucket.watchall()
        stop_flow_control_polling(watcher)
        loaded: dict[str, tuple[T, int]] = {}
        absent: dict[str, int] = {}
        while (entry := await watcher.updates(timeout=30)) is not None:
            deleted = entry.operation in (KV_DEL, KV_PURGE)
            value = None if deleted else entry.value
            self._store(loaded, absent, entry.key, value, entry.revision or 0)
            self._newest_revision = max(self._newest_revision, entry.revision or 0)
        self._entries, self._absent = loaded, absent
        self.version += 1
        self._changes.clear()
        self._changes_floor = self.version
        self._last_update = time.monotonic()
        if self._listener is not None:
            self._listener.reloaded()
        return watcher

    async def _follow(self, watcher: KeyValue.KeyWatcher) -> None:
        while True:
            try:
                updates = asyncio.create_task(self._apply_updates(watcher))
                why = await self._wait_until_stale(updates)
                updates.cancel()
                with contextlib.suppress(Exception):
                    await watcher.stop()
                log.warning("reloading %s: %s", self._name, why)
                watcher = await self._load()
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await watcher.stop()
                raise
            except Exception:
                log.exception("could not reload %s; trying again", self._name)
                await asyncio.sleep(RECHECK_BEHIND_SECONDS)

    async def _apply_updates(self, watcher: KeyValue.KeyWatcher) -> None:
        async for entry in watcher:
            if entry is not None:
                deleted = entry.operation in (KV_DEL, KV_PURGE)
                revision = entry.revision or 0
                self._newest_revision = max(self._newest_revision, revision)
                self._last_update = time.monotonic()
                self.apply(entry.key, None if deleted else entry.value, revision)

    async def _wait_until_stale(self, updates: asyncio.Task[None]) -> str:
        """Return, saying why, once the watch may be lost."""
        behind_since: float | None = None
        while True:
            reconnected = asyncio.ensure_future(self._reconnected.wait())
            await asyncio.wait(
                {updates, reconnected},
                timeout=COMPARE_EVERY_SECONDS if behind_since is None else RECHECK_BEHIND_SECONDS,
                return_when=asyncio.FIRST_COMPLETED,
            )
            reconnected.cancel()
            if updates.done():
                return "the watch ended"
            if self._reconnected.is_set():
                return "the connection was lost and is back; the watch may be gone with the server"
            try:
                status = await self._bucket.status()
            except Exception:
                continue  # NATS is away; look again later
            if status.stream_info.state.last_seq <= self._newest_revision:
                behind_since = None
                continue
            # Behind since we first saw it, or since the last update arrived, whichever is later.
            behind_since = max(behind_since or time.monotonic(), self._last_update)
            if time.monotonic() - behind_since >= STALE_AFTER_SECONDS:
                return "the watch fell behind the bucket"
