"""Opening chatbus's JetStream state: the message stream and the key-value buckets.

Every service opens the state it uses with the deployment's replica count
(``CHATBUS_REPLICAS``) before taking commands, so whichever process starts
first creates each bucket and the stream with the right number of replicas.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import nats.errors
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType, StreamConfig
from nats.js.errors import (
    APIError,
    BadRequestError,
    BucketNotFoundError,
    NoStreamResponseError,
    NotFoundError,
    ServiceUnavailableError,
)
from nats.js.kv import KeyValue
from pydantic import BaseModel

from services.contracts import storage, subjects
from services.storage.newest_seqs import end_of_run

log = logging.getLogger("chatbus.jetstream")

# How long JetStream remembers a Nats-Msg-Id: a client retrying a send within
# this window gets the stored message back instead of a second copy.
DEDUPLICATION_WINDOW_SECONDS = 3600.0


# How long a service waits at startup for a new replicated stream to elect its leader.
LEADER_WAIT_SECONDS = 10.0
LEADER_POLL_SECONDS = 0.05
# A fresh cluster's JetStream is busy electing leaders for a while: its API times out or
# is unavailable. A starting service tries again for this long instead of crashing.
STARTUP_RETRY_SECONDS = 60.0
STARTUP_RETRY_PAUSE = 0.5
NOT_READY_YET = (
    nats.errors.TimeoutError,
    NoRespondersError,
    ServiceUnavailableError,
    NoStreamResponseError,
    # A stream or bucket another process has just created, asked of a server that has
    # not heard of it yet (startup creates whatever is missing, so nothing else is).
    NotFoundError,
)

# Each chat's newest seq, kept only while messages expire by age (see record_last_seq).
LAST_SEQS_BUCKET = "chat_last_seqs"
# Revisions the stream keeps of one message: the current one and a few before it, for
# an edit that reads one and writes the next. Earlier texts travel in the current
# revision itself (services/messages/revisions.py), so a storm of reactions, each a
# revision, pushes out no text.
REVISIONS_KEPT = 4

# What the message stream needs beyond a plain stream: bounded revisions, rollups (a
# delete replaces every revision by a tombstone) and per-message TTLs (a revision
# expires with the message it revises).
REVISION_SETTINGS: dict[str, int | bool] = {
    "max_msgs_per_subject": REVISIONS_KEPT,
    "allow_rollup_hdrs": True,
    "allow_msg_ttl": True,
}


async def open_bucket(js: JetStreamContext, bucket: str, *, replicas: int = 1) -> KeyValue:
    """The bucket, created on first use. Several processes may race here; all win."""
    try:
        return await js.key_value(bucket)
    except BucketNotFoundError:
        pass
    config = KeyValueConfig(
        bucket=bucket,
        history=1,
        storage=StorageType.FILE,
        replicas=replicas,
        # last_seq's fallback reads this one bucket with a direct get.
        direct=True if bucket == LAST_SEQS_BUCKET else None,
    )
    try:
        return await js.create_key_value(config)
    except BadRequestError:
        # Created by another process between our look-up and our create.
        return await js.key_value(bucket)


async def ensure_state(
    js: JetStreamContext,
    buckets: Sequence[str],
    *,
    replicas: int,
    message_stream: bool = True,
    max_age_seconds: float | None = None,
) -> None:
    """Create a service's buckets and the message stream, ``replicas`` replicas each, if missing.

    Each service names only what it uses: its NATS permissions cover no more.
    ``max_age_seconds`` (0: keep forever) is applied to the stream even when it
    exists; None leaves the stream's retention as it is (services other than
    messages do not own it).
    """

    async def create_missing() -> None:
        for bucket in buckets:
            await open_bucket(js, bucket, replicas=replicas)
            await until_led(js, KV_STREAM_PREFIX + bucket)
        if message_stream:
            await ensure_message_stream(js, replicas=replicas, max_age_seconds=max_age_seconds)
            await until_led(js, storage.MESSAGES_STREAM)

    await while_jetstream_starts(create_missing)


async def while_jetstream_starts(step: Callable[[], Awaitable[None]]) -> None:
    """Run a service's startup ``step``, again while JetStream is still electing leaders.

    ``step`` must be safe to run again after it failed part way (open, never append).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_RETRY_SECONDS
    while True:
        try:
            return await step()
        except NOT_READY_YET as error:
            if loop.time() > deadline:
                raise
            log.warning("JetStream is not ready yet (%r); trying again", error)
            await asyncio.sleep(STARTUP_RETRY_PAUSE)


async def until_led(
    js: JetStreamContext, stream: str, timeout: float = LEADER_WAIT_SECONDS
) -> None:
    """Return once ``stream`` has a leader, or after ``timeout`` seconds (with a warning).

    A replicated stream takes writes only once its replicas have elected a leader, a
    moment after it is created; a write before that finds no stream ("no response from
    stream"), which at startup would crash a service writing its first record (the chats
    service's general chat) in a fresh 3-node cluster. On one server this returns at once.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            info = await js.stream_info(stream)
        except NotFoundError:
            # Just created: in a cluster the server that answers may not know it yet.
            info = None
        if info is not None and (info.cluster is None or info.cluster.leader):
            return
        if loop.time() > deadline:
            log.warning("stream %s has no leader after %s s; going on", stream, timeout)
            return
        await asyncio.sleep(LEADER_POLL_SECONDS)


async def ensure_message_stream(
    js: JetStreamContext, *, replicas: int | None = None, max_age_seconds: float | None = None
) -> None:
    """The stream that stores every message under ``chat.store.<chat_id>.<seq>``.

    Created when missing. An existing stream is updated when ``replicas`` or
    ``max_age_seconds`` is given and differs (a changed retention setting
    takes effect on restart); None means "as it is".
    """
    try:
        info = await js.stream_info(storage.MESSAGES_STREAM)
    except NotFoundError:
        config = StreamConfig(
            name=storage.MESSAGES_STREAM,
            subjects=[subjects.ALL_STORED_MESSAGES],
            storage=StorageType.FILE,
            num_replicas=replicas or 1,
            max_age=max_age_seconds or 0,
            duplicate_window=_deduplication_window(max_age_seconds or 0),
            allow_direct=True,
            max_msgs_per_subject=REVISIONS_KEPT,
            allow_rollup_hdrs=True,
            allow_msg_ttl=True,
        )
        try:
            await js.add_stream(config)
            log.info("created stream %s", storage.MESSAGES_STREAM)
            return
        except BadRequestError:
            # Created concurrently by another replica; check its settings below.
            info = await js.stream_info(storage.MESSAGES_STREAM)
    current = info.config
    wanted: dict[str, float | int | bool] = {}
    if replicas is not None:
        wanted.update(
            (name, value)
            for name, value in REVISION_SETTINGS.items()
            if getattr(current, name) != value
        )
    if replicas is not None and (current.num_replicas or 1) != replicas:
        wanted["num_replicas"] = replicas
    if max_age_seconds is not None and abs((current.max_age or 0) - max_age_seconds) > 1e-3:
        wanted["max_age"] = max_age_seconds
        wanted["duplicate_window"] = _deduplication_window(max_age_seconds)
    if not wanted:
        return
    try:
        await js.update_stream(current.evolve(**wanted))
        log.info("updated stream %s: %s", storage.MESSAGES_STREAM, wanted)
    except APIError as error:
        # E.g. more replicas than servers: keep serving with the stream as it is.
        log.error("could not update stream %s to %s: %s", storage.MESSAGES_STREAM, wanted, error)


def _deduplication_window(max_age_seconds: float) -> float:
    # JetStream refuses a window longer than the max age; nothing older is kept to match anyway.
    if max_age_seconds > 0:
        return min(DEDUPLICATION_WINDOW_SECONDS, max_age_seconds)
    return DEDUPLICATION_WINDOW_SECONDS


async def is_registered(users: KeyValue, username: str) -> bool:
    """Whether ``username`` has an account."""
    try:
        entry = await users.get(username)
    except (NotFoundError, KeyError):
        return False
    return entry.value is not None


async def publish_event(nc: Client, subject: str, event: BaseModel) -> None:
    """Announce an event on core NATS (subscribers that are away miss it; history does not)."""
    await nc.publish(subject, event.model_dump_json().encode())


async def last_seq(js: JetStreamContext, chat_id: str) -> tuple[int, int]:
    """``(chat seq, stream seq)`` of a chat's newest stored message; ``(0, 0)`` when empty.

    When retention by age has removed every message of a chat, the chat seq
    comes from its recorded last seq (see ``record_last_seq``) and the stream
    seq is 0: nothing is stored under the chat's subjects any more.

    The stream seq is that of the chat's last write, which a count-limited append
    is conditioned on. That write is the newest message unless it revises an older
    one (an edit, a reaction): then the newest seq is looked for above it.
    """
    try:
        last = await js.get_last_msg(
            storage.MESSAGES_STREAM, subjects.stored_messages(chat_id), direct=True
        )
    except NotFoundError:
        return await recorded_last_seq(js, chat_id), 0
    seq = int((last.subject or "").rsplit(".", 1)[1])
    if storage.REVISION_OF_HEADER in (last.headers or {}):
        seq = await end_of_run(js, chat_id, seq)
    return seq, last.seq or 0


async def record_last_seq(js: JetStreamContext, chat_id: str, seq: int) -> None:
    """Remember ``seq`` as a chat's newest, so seqs go on after age-based retention empties it."""
    await js.publish(_last_seq_key(chat_id), str(seq).encode())


async def recorded_last_seq(js: JetStreamContext, chat_id: str) -> int:
    """The seq ``record_last_seq`` kept for a chat; 0 when none was."""
    try:
        entry = await js.get_last_msg(
            KV_STREAM_PREFIX + LAST_SEQS_BUCKET, _last_seq_key(chat_id), direct=True
        )
    except (NotFoundError, NoRespondersError):
        return 0  # nothing recorded, or the bucket is not there yet
    try:
        return int(entry.data or b"0")
    except ValueError:
        return 0


# How nats.py lays out a key-value bucket in JetStream (stream KV_<bucket>, subjects
# $KV.<bucket>.<key>); used directly so a read costs one direct get and no stream info.
KV_STREAM_PREFIX = "KV_"


def _last_seq_key(chat_id: str) -> str:
    return f"$KV.{LAST_SEQS_BUCKET}.{chat_id}"
