"""Opening chatbus's JetStream state: the message stream and the key-value buckets."""

import logging

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType, StreamConfig
from nats.js.errors import BadRequestError, BucketNotFoundError, NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel

from services.contracts import storage, subjects

log = logging.getLogger("chatbus.jetstream")

# How long JetStream remembers a Nats-Msg-Id: a client retrying a send within
# this window gets the stored message back instead of a second copy.
DEDUPLICATION_WINDOW_SECONDS = 3600.0


async def open_bucket(js: JetStreamContext, bucket: str, *, replicas: int = 1) -> KeyValue:
    """The bucket, created on first use. Several processes may race here; all win."""
    try:
        return await js.key_value(bucket)
    except BucketNotFoundError:
        pass
    config = KeyValueConfig(bucket=bucket, history=1, storage=StorageType.FILE, replicas=replicas)
    try:
        return await js.create_key_value(config)
    except BadRequestError:
        # Created by another process between our look-up and our create.
        return await js.key_value(bucket)


async def ensure_message_stream(js: JetStreamContext, *, replicas: int = 1) -> None:
    """The stream that stores every message under ``chat.store.<chat_id>.<seq>``."""
    config = StreamConfig(
        name=storage.MESSAGES_STREAM,
        subjects=[subjects.ALL_STORED_MESSAGES],
        storage=StorageType.FILE,
        num_replicas=replicas,
        duplicate_window=DEDUPLICATION_WINDOW_SECONDS,
        allow_direct=True,
    )
    try:
        await js.stream_info(storage.MESSAGES_STREAM)
    except NotFoundError:
        try:
            await js.add_stream(config)
            log.info("created stream %s", storage.MESSAGES_STREAM)
        except BadRequestError:
            pass  # created concurrently by another replica


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
    """``(chat seq, stream seq)`` of a chat's newest stored message; ``(0, 0)`` when empty."""
    try:
        newest = await js.get_last_msg(
            storage.MESSAGES_STREAM, subjects.stored_messages(chat_id), direct=True
        )
    except NotFoundError:
        return 0, 0
    return int((newest.subject or "").rsplit(".", 1)[1]), newest.seq or 0
