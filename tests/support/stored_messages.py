"""Messages written straight into JetStream, as a send stores them."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import nats
import pytest
from nats.js import JetStreamContext

from services.contracts import Message
from services.messages.archive import MessageArchive
from services.messages.retention import KEEP_ALL, Retention
from services.ops.embedded_nats import EmbeddedNats
from services.storage.jetstream import LAST_SEQS_BUCKET, ensure_state

# The longest texts as sent, each stored the way an older version stored them (without text
# checks): control characters and DELs take six bytes each in socket.io's JSON, characters
# outside the BMP twelve.
WORST_TEXTS = {"control": "\x01" * 4000, "del": "\x7f" * 4000, "astral": "\U0001f600" * 4000}


async def store_messages(js: JetStreamContext, chat_id: str, count: int, first: int = 1) -> None:
    """``count`` messages in a chat, numbered from ``first``, stored the way sends store them.

    ``first`` is one above the messages the chat already holds.
    """
    archive = MessageArchive(js)
    for n in range(first, first + count):
        draft = message_draft(chat_id, f"{chat_id}-{n}", f"m{n}")
        await archive.append(draft, dedupe_key=draft.id)


def message_draft(chat_id: str, message_id: str, text: str) -> Message:
    """A message as a send hands it to ``MessageArchive.append``, which gives it its seq."""
    return Message(
        chat_id=chat_id,
        seq=1,
        id=message_id,
        sender="alice",
        text=text,
        sent_at=datetime.now(UTC),
        via="nats",
    )


@pytest.fixture(name="retention")
def no_retention() -> Retention:
    """No limits; tests with a limit parametrize their own."""
    return KEEP_ALL


@pytest.fixture(name="js")
async def js_with_retention(
    nats_server: EmbeddedNats, retention: Retention
) -> AsyncIterator[JetStreamContext]:
    """JetStream on the test's server, with the message stream set up for ``retention``."""
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_state(
        js, [LAST_SEQS_BUCKET], replicas=1, max_age_seconds=retention.max_age_seconds
    )
    yield js
    await nc.drain()
