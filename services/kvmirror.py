"""A process-local, always-updating copy of a key-value bucket.

Reads that scan a whole bucket (the chats a user can see, who is online) are
answered from memory; writes still go to JetStream with compare-and-set, and a
writer applies its own result at once so it reads what it wrote.
"""

import asyncio
import logging
from collections.abc import Iterator

from nats.js.kv import KV_DEL, KV_PURGE, KeyValue

log = logging.getLogger("chatbus.kvmirror")


class KvMirror:
    """Mirror of ``bucket``: key -> (value, revision)."""

    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket
        self._entries: dict[str, tuple[bytes, int]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Load every key, then follow changes in the background."""
        watcher = await self._bucket.watchall()
        while (entry := await watcher.updates(timeout=30)) is not None:
            self._apply_entry(entry)
        self._task = asyncio.create_task(self._follow(watcher), name="kv-mirror")

    async def stop(self) -> None:
        """Stop following changes."""
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def apply(self, key: str, value: bytes | None, revision: int) -> None:
        """Record a write this process made (ignored if the mirror already knows newer)."""
        known = self._entries.get(key)
        if known and known[1] >= revision:
            return
        if value is None:
            self._entries.pop(key, None)
        else:
            self._entries[key] = (value, revision)

    def get(self, key: str) -> bytes | None:
        """The value of ``key``, if the mirror has it."""
        entry = self._entries.get(key)
        return entry[0] if entry else None

    def values(self) -> Iterator[bytes]:
        """Every value, in no particular order."""
        return (value for value, _ in list(self._entries.values()))

    async def _follow(self, watcher: KeyValue.KeyWatcher) -> None:
        while True:
            try:
                async for entry in watcher:
                    if entry is not None:
                        self._apply_entry(entry)
                return
            except asyncio.CancelledError:
                await watcher.stop()
                raise
            except Exception:
                log.exception("mirror of %s stopped; restarting it", self._bucket._name)
                await asyncio.sleep(1)
                watcher = await self._bucket.watchall()

    def _apply_entry(self, entry: KeyValue.Entry) -> None:
        deleted = entry.operation in (KV_DEL, KV_PURGE)
        self.apply(entry.key, None if deleted else entry.value, entry.revision or 0)
