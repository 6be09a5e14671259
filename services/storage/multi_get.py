"""Reading many stored messages with one JetStream request (batched direct get).

A direct get with ``multi_last`` (nats-server >= 2.11) names up to 1024
subjects; the server answers on the request's reply subject with one message
per subject it holds, in stream order, then an empty end-of-batch message
(status 204, ``EOB``). A request matching nothing gets one status 404. A page
of history is then one round trip, where a direct get per message was fifty.
"""

import asyncio
import json
from collections.abc import Sequence

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import APIError

from services.storage._natspy.jetstream_connection import api_prefix, connection

__all__ = ["MAX_SUBJECTS", "last_for_each", "next_on_subject"]

# The server refuses a multi_last request matching more subjects (status 413).
MAX_SUBJECTS = 1024
REPLY_TIMEOUT = 5.0

END_OF_BATCH = "204"
NO_RESULTS = "404"
NO_RESPONDERS = "503"


async def last_for_each(
    js: JetStreamContext, stream: str, subjects: Sequence[str]
) -> dict[str, bytes]:
    """The payload of the newest message on each of ``subjects`` that ``stream`` holds.

    Subjects the stream holds nothing on are left out. Raises nats errors as a
    single direct get would (timeout, no responders, API error).
    """
    if len(subjects) > MAX_SUBJECTS:
        raise ValueError(f"at most {MAX_SUBJECTS} subjects in one read")
    request = json.dumps({"multi_last": list(subjects)}).encode()
    found, pending = await _batch(js, stream, request)
    if pending:
        # Only a batch over the server's byte limit (64 MiB by default) ends early;
        # a page is far smaller. Better unavailable than a page that skips messages.
        raise APIError(code=int(END_OF_BATCH), description="batched read ended early")
    return {subject: data for subject, _, data in found}


async def next_on_subject(
    js: JetStreamContext, stream: str, subject: str, start: int, batch: int
) -> list[tuple[str, int, bytes]]:
    """Up to ``batch`` messages on ``subject`` (wildcards allowed) from stream seq ``start``
    on, in stream order: ``(subject, stream seq, payload)`` each."""
    request = json.dumps({"seq": start, "next_by_subj": subject, "batch": batch}).encode()
    found, _ = await _batch(js, stream, request)
    return found


async def _batch(
    js: JetStreamContext, stream: str, request: bytes
) -> tuple[list[tuple[str, int, bytes]], int]:
    """The messages a batched direct get answers with, and how many more it left out;
    raises as a single direct get would."""
    subject = f"{api_prefix(js)}.DIRECT.GET.{stream}"
    found, last = await _replies(connection(js), subject, request)
    headers = last.headers or {}
    status = headers["Status"]
    if status == NO_RESULTS:
        return [], 0
    if status == NO_RESPONDERS:
        raise nats.errors.NoRespondersError
    if status != END_OF_BATCH:
        raise APIError(code=int(status), description=headers.get("Description"))
    return found, int(headers.get("Nats-Num-Pending") or 0)


async def _replies(
    nc: Client, subject: str, request: bytes
) -> tuple[list[tuple[str, int, bytes]], Msg]:
    """The messages that answer ``request``, and the status message that ends them."""
    found: list[tuple[str, int, bytes]] = []
    ended: asyncio.Future[Msg] = asyncio.get_running_loop().create_future()

    async def collect(msg: Msg) -> None:
        headers = msg.headers or {}
        if not msg.data and "Status" in headers:  # the end of the batch, or an error
            if not ended.done():
                ended.set_result(msg)
        else:
            found.append((headers["Nats-Subject"], int(headers["Nats-Sequence"]), msg.data))

    inbox = nc.new_inbox()
    subscription = await nc.subscribe(inbox, cb=collect)
    try:
        await nc.publish(subject, request, reply=inbox)
        try:
            last = await asyncio.wait_for(ended, REPLY_TIMEOUT)
        except TimeoutError:
            raise nats.errors.TimeoutError from None
    finally:
        await subscription.unsubscribe()
    return found, last
