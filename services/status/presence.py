"""Presence: per connection, across tabs, devices and edges.

A user is online while any of their connections is open; what others see
then is the status they chose. Edges report each connection's opening and
closing and send a heartbeat; the connections of an edge that stays silent
for ``dead_after`` seconds are closed on its behalf, so a crashed edge's
users go offline within that time.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

from nats.aio.client import Client
from nats.js.errors import KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel, Field

from services.contracts import ChosenStatus, Connection, Presence, subjects, utc_now
from services.core.errors import Unavailable
from services.storage.bucket_copy import BucketCopy
from services.storage.jetstream import publish_event

log = logging.getLogger("chatbus.presence")

MAX_WRITE_ATTEMPTS = 20

# Changes a user's record in place; returns whether it changed anything.
Mutation = Callable[["PresenceRecord"], bool]


class PresenceRecord(BaseModel):
    """One user's presence as stored: chosen status and open connections."""

    username: str
    status: ChosenStatus = "online"
    since: datetime
    connections: dict[str, str] = Field(
        default_factory=dict, description="connection key -> edge id"
    )

    def public(self) -> Presence:
        """What others see."""
        status = self.status if self.connections else "offline"
        return Presence(username=self.username, status=status, since=self.since)


def connection_key(connection: Connection) -> str:
    """Unique per connection across edges."""
    return f"{connection.edge_id}.{connection.connection_id}"


class PresenceTracker:
    """Who is online, kept in the presence bucket and announced on change."""

    def __init__(self, nc: Client, bucket: KeyValue, *, dead_after: float) -> None:
        self._nc = nc
        self._bucket = bucket
        self._copy = BucketCopy(bucket, "presence", PresenceRecord.model_validate_json)
        self._dead_after = dead_after
        self._started = time.monotonic()
        self._edges_seen: dict[str, float] = {}
        # Per user: changes waiting to be written, and the task writing them (see _change).
        self._waiting: dict[str, list[tuple[Mutation, asyncio.Future[Presence]]]] = {}
        self._writers: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        """Load everyone's presence and follow changes."""
        await self._copy.start()

    async def stop(self) -> None:
        """Stop following changes."""
        await self._copy.stop()

    async def connection_opened(self, connection: Connection) -> Presence:
        """Count a new connection; the first one brings the user online."""
        self.edge_alive(connection.edge_id)

        def add(record: PresenceRecord) -> bool:
            if not record.connections:
                record.since = utc_now()
            record.connections[connection_key(connection)] = connection.edge_id
            return True

        return await self._change(connection.username, add)

    async def connection_closed(self, connection: Connection) -> Presence:
        """Forget a connection; the last one takes the user offline."""
        key = connection_key(connection)

        def remove(record: PresenceRecord) -> bool:
            if key not in record.connections:
                return False
            del record.connections[key]
            if not record.connections:
                record.since = utc_now()
            return True

        return await self._change(connection.username, remove)

    async def set_status(self, username: str, status: ChosenStatus) -> Presence:
        """Choose what others see while the user is connected."""

        def choose(record: PresenceRecord) -> bool:
            if record.status == status:
                return False
            record.status = status
            if record.connections:
                record.since = utc_now()
            return True

        return await self._change(username, choose)

    def online(self) -> list[Presence]:
        """Everyone who is not offline, by name."""
        return sorted(
            (record.public() for record in self._copy.values() if record.connections),
            key=lambda presence: presence.username,
        )

    def edge_alive(self, edge_id: str) -> None:
        """An edge showed a sign of life."""
        self._edges_seen[edge_id] = time.monotonic()

    async def close_dead_edges(self, *, before_next_sweep: float = 0.0) -> int:
        """Close the connections of silent edges; returns how many were closed.

        An edge that would pass ``dead_after`` before the next sweep, ``before_next_sweep``
        seconds away, counts as dead already: waiting for that sweep would break the promise.
        """
        now = time.monotonic()
        silent_for = self._dead_after - before_next_sweep
        closed = 0
        for record in list(self._copy.values()):
            dead = [
                key
                for key, edge_id in record.connections.items()
                if now - self._edges_seen.get(edge_id, self._started) > silent_for
            ]
            if not dead:
                continue

            def remove_dead(current: PresenceRecord, dead: list[str] = dead) -> bool:
                gone = [key for key in dead if key in current.connections]
                if not gone:
                    return False
                for key in gone:
                    del current.connections[key]
                if not current.connections:
                    current.since = utc_now()
                return True

            await self._change(record.username, remove_dead)
            closed += len(dead)
        if closed:
            log.info("closed %d connections of silent edges", closed)
        return closed

    async def watch_edges(self, interval: float) -> None:
        """Close dead edges' connections every ``interval`` seconds, until cancelled.

        ``interval`` should be well under ``dead_after``: an edge is judged one interval early.
        """
        while True:
            await asyncio.sleep(interval)
            try:
                await self.close_dead_edges(before_next_sweep=interval)
            except Exception:
                log.exception("could not close the connections of silent edges")

    async def _change(self, username: str, mutate: Mutation) -> Presence:
        """Apply ``mutate`` to the user's record; the presence that results.

        Changes to one user that arrive while one of theirs is being written wait
        and are then written together: a thousand tabs opening at once would
        otherwise race a thousand compare-and-sets on one key, and the losers run
        out of attempts. Other replicas are still kept apart by compare-and-set.
        """
        done: asyncio.Future[Presence] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(username, []).append((mutate, done))
        if username not in self._writers:
            self._writers[username] = asyncio.create_task(self._write_waiting(username))
        return await done

    async def _write_waiting(self, username: str) -> None:
        try:
            while batch := self._waiting.pop(username, None):
                try:
                    after = await self._write(username, [mutate for mutate, _ in batch])
                except Exception as error:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(after)
        finally:
            del self._writers[username]

    async def _write(self, username: str, mutations: list[Mutation]) -> Presence:
        # First from the copy, nearly always current: no read from JetStream, and
        # its value is decoded already. Compare-and-set refuses a stale one; then we read.
        known = self._copy.entry(username)
        for _ in range(MAX_WRITE_ATTEMPTS):
            from_copy = known is not None
            if known is not None:
                current, revision = known
                known = None  # a second attempt reads the bucket
            else:
                current, revision = await self._read(username)
            before = current.public()
            # The copy's own record stays as it is: the mutations change this one.
            record = current.model_copy(update={"connections": dict(current.connections)})
            # Every mutation runs (no short-circuit): each may change the record.
            changed = [mutate(record) for mutate in mutations]
            if not any(changed):
                if from_copy:
                    continue  # the copy may be behind: only the bucket can say nothing changed
                return before
            value = record.model_dump_json().encode()
            try:
                new_revision = await self._bucket.update(username, value, last=revision)
            except KeyWrongLastSequenceError:
                continue  # changed by another replica: read again
            self._copy.apply(username, value, new_revision)
            after = record.public()
            if after.status != before.status:
                await publish_event(self._nc, subjects.presence(username), after)
            return after
        raise Unavailable("presence is changing too fast; try again")

    async def _read(self, username: str) -> tuple[PresenceRecord, int]:
        try:
            entry = await self._bucket.get(username)
        except NotFoundError:
            return PresenceRecord(username=username, since=utc_now()), 0
        return PresenceRecord.model_validate_json(entry.value or b""), entry.revision or 0
