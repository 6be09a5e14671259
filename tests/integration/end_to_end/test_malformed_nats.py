"""1,000 malformed NATS commands mixed with 1,000 good ones.

All good sends are stored once with contiguous seqs; every bad command that
has a reply subject is answered with the right failure code; those without one
are logged once each; nothing is redelivered: commands are core-NATS queue
subscriptions, and no JetStream consumer holds or redelivers anything.
"""

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nats
import nats.errors
import pytest
from nats.aio.client import Client

from services.contracts import CREATE_CHAT, MESSAGE_HISTORY, SEND_MESSAGE, subjects
from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats
from tests.support.clients import PASSWORD, unique_name
from tests.support.nats_programs import NatsUser, edge_headers, request_raw
from tests.support.polling import wait_until
from tests.system.abuse.nats_corpus import BadCommand, bad_commands, flood, spoofing_edge

BAD = 1000
GOOD = 1000
SPOOFS = 20
EVERY_NTH_WITHOUT_REPLY = 5
CONCURRENCY = 64
DROPPED = "dropped message on"

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def settings(nats_server: EmbeddedNats, tmp_path: Path) -> Settings:
    """The suite's settings with the per-user command and typing limits off.

    A bot sending 2,000 commands at once is over any sensible budget; this test is
    about what malformed input does, and the limits have their own tests.
    """
    return Settings(
        nats_url=nats_server.url,
        data_dir=tmp_path / "var",
        secret="test-signing-key-that-is-long-enough-for-hs256",
        command_rate_per_second=0,
        typing_rate_per_second=0,
    )


@pytest.fixture
async def nc(settings: Settings, services: None) -> AsyncIterator[Client]:
    """A bot's plain NATS connection, with the services running."""
    client = await nats.connect(settings.nats_servers)
    yield client
    await client.close()


async def registered(nc: Client, settings: Settings) -> NatsUser:
    # Accounts are created through the edge: registration is an edge-only subject.
    username = unique_name("bot")
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    headers = edge_headers(settings.signing_key)
    assert (await request_raw(nc, subjects.REGISTER_USER, body, headers))["ok"] is True
    return NatsUser(nc, username)


async def answer_to(nc: Client, bad: BadCommand) -> str:
    """What a requester hears back: the failure code, ``ok:<via>``, or ``no_responders``."""
    try:
        reply = await nc.request(bad.subject, bad.body, timeout=15, headers=bad.headers or None)
    except nats.errors.NoRespondersError:
        return "no_responders"
    envelope: dict[str, Any] = json.loads(reply.data)
    if envelope.get("ok") is True:
        return f"ok:{envelope['data'].get('via')}"
    assert isinstance(envelope["error"]["message"], str), envelope
    code: str = envelope["error"]["code"]
    return code


def stream_subject_matches(pattern: str, subject: str) -> bool:
    """Whether a NATS subject pattern (``*``, ``>``) matches ``subject``."""
    wanted, tokens = pattern.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > index
        if index >= len(tokens) or token not in ("*", tokens[index]):
            return False
    return len(wanted) == len(tokens)


async def test_a_thousand_malformed_commands_among_a_thousand_good_ones(
    nc: Client, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="chatbus")
    bot, owner = await registered(nc, settings), await registered(nc, settings)
    own_chat = (await bot.ok(CREATE_CHAT, {"name": "flood"}))["id"]
    spoof_chat = (await bot.ok(CREATE_CHAT, {"name": "spoofs"}))["id"]
    private_chat = (await owner.ok(CREATE_CHAT, {"name": "secret", "private": True}))["id"]
    cases = bad_commands(bot.username, own_chat, private_chat)
    kinds = {case.kind for case in cases}
    assert len(kinds) >= 10

    bad = list(flood(cases, BAD))
    without_reply = bad[::EVERY_NTH_WITHOUT_REPLY]
    with_reply = [case for index, case in enumerate(bad) if index % EVERY_NTH_WITHOUT_REPLY]
    spoofs = [spoofing_edge(bot.username, spoof_chat, index) for index in range(SPOOFS)]
    gate = asyncio.Semaphore(CONCURRENCY)
    answers: list[tuple[BadCommand, str]] = []
    good_replies: list[dict[str, Any]] = []

    async def ask(case: BadCommand) -> None:
        async with gate:
            answers.append((case, await answer_to(nc, case)))

    async def publish(case: BadCommand) -> None:
        async with gate:
            await nc.publish(case.subject, case.body, headers=case.headers or None)

    async def send_good(index: int) -> None:
        async with gate:
            payload = {"chat_id": own_chat, "text": f"good {index}", "client_id": f"g{index}"}
            good_replies.append(await bot.call(SEND_MESSAGE, payload))

    work = [ask(case) for case in [*with_reply, *spoofs]] + [publish(c) for c in without_reply]
    work += [send_good(index) for index in range(GOOD)]
    # Interleave bad and good so they reach the handlers mixed.
    mixed = [item for pair in zip(work[::2], work[1::2], strict=False) for item in pair]
    mixed += work[len(mixed) :]
    started = time.perf_counter()
    await asyncio.gather(*mixed)
    await nc.flush()
    took = time.perf_counter() - started

    # Every good send stored once, seqs 1..GOOD with no gap.
    assert all(reply["ok"] for reply in good_replies), [r for r in good_replies if not r["ok"]][:3]
    history = await read_all_after_nats(bot, own_chat)
    assert [message["seq"] for message in history] == list(range(1, GOOD + 1))
    assert sorted(m["text"] for m in history) == sorted(f"good {i}" for i in range(GOOD))

    # Every bad one with a reply subject answered with a right code.
    wrong = [(c.kind, c.subject[:60], code) for c, code in answers if code not in c.expected]
    assert wrong == []

    # Those without a reply subject that reach a handler: logged once each, and only once.
    reaching = [case for case in without_reply if "no_responders" not in case.expected]

    async def all_logged() -> bool:
        return sum(DROPPED in r.getMessage() for r in caplog.records) >= len(reaching)

    await wait_until(all_logged, timeout=20)
    await bot.ok(SEND_MESSAGE, {"chat_id": spoof_chat, "text": "last"})  # handlers still work
    dropped = [r for r in caplog.records if DROPPED in r.getMessage()]
    assert len(dropped) == len(reaching)
    unexpected = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert unexpected == []

    # No redelivery loop: no stream catches commands, no consumer redelivered anything.
    js = nc.jetstream()
    consumers = redelivered = 0
    for stream in await js.streams_info():
        for pattern in stream.config.subjects or []:
            assert not stream_subject_matches(pattern, SEND_MESSAGE.subject_for("x")), pattern
        assert stream.config.name is not None
        for consumer in await js.consumers_info(stream.config.name):
            consumers += 1
            redelivered += consumer.num_redelivered or 0
            assert not consumer.num_ack_pending, consumer
    assert redelivered == 0

    per_kind = Counter(case.kind for case in bad)
    answered = Counter(code for _, code in answers)
    print(
        f"\nNATS flood: {BAD} malformed commands of {len(per_kind)} kinds"
        f" ({len(with_reply)} with a reply subject, {len(without_reply)} without)"
        f" + {SPOOFS} edge-header spoofs, mixed with {GOOD} good sends, in {took:.1f} s;"
        f" answers {dict(answered)}; logged drops {len(dropped)}; JetStream consumers"
        f" {consumers}, redelivered {redelivered}\n  per kind: {dict(sorted(per_kind.items()))}"
    )


async def read_all_after_nats(bot: NatsUser, chat_id: str) -> list[Any]:
    """A chat's whole history, paged over NATS."""
    messages: list[Any] = []
    after = 0
    while True:
        page = await bot.ok(MESSAGE_HISTORY, {"chat_id": chat_id, "after": after, "limit": 100})
        messages += page["messages"]
        if not page["more"]:
            return messages
        after = page["messages"][-1]["seq"]
