"""One user flooding chatbus's processes, over socket.io and NATS at once, slows no other
user's acknowledgements."""

import asyncio
import contextlib
import json
import signal
import statistics
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.core.settings import Settings
from services.ops.embedded_nats import free_port
from services.ops.nats_auth.embedded import embedded_url
from tests.support.chatbus_up import CHATBUS_UP, chatbus_up_env
from tests.support.clients import ChatClient, Users
from tests.support.http import http_client

RATE = 50.0  # commands a second per user, the default
BURST = 100
SAMPLES = 150  # latencies measured per phase
ROUNDS = 2  # quiet and flooded phases alternate, so drift in the machine's load cancels out
PACE_SECONDS = 1 / 40  # the measured user stays inside their own budget
FLOOD_RATE = 4 * RATE  # per transport: the flooder asks for 8 times its budget


@dataclass
class RunningChatbus:
    """``chatbus up`` as processes (nats-server, three services, edge)."""

    url: str
    nats_url: str


@pytest.fixture
async def chatbus_processes(tmp_path: Path) -> AsyncIterator[RunningChatbus]:
    """``chatbus up`` with this module's budget, each role in its own process."""
    port, nats_port = free_port(), free_port()
    env = chatbus_up_env(
        port,
        nats_port,
        tmp_path / "var",
        command_rate_per_second=str(RATE),
        command_burst=str(BURST),
    )
    process = await asyncio.create_subprocess_exec(
        *CHATBUS_UP,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    assert process.stdout is not None
    try:
        async with asyncio.timeout(60):
            while f"chatbus is up: {url}" not in (line := await process.stdout.readline()).decode():
                assert line, "chatbus up ended early"
        output = asyncio.create_task(process.stdout.read())  # keep the pipe from filling
        # The flooder's NATS side acts as a program with every right: the admin's credentials.
        admin = embedded_url(Settings(data_dir=tmp_path / "var", nats_port=nats_port), "admin")
        yield RunningChatbus(url, admin)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(20):
                await process.wait()
        output.cancel()


async def test_one_user_flooding_does_not_slow_another_users_acks(
    chatbus_processes: RunningChatbus,
) -> None:
    async with http_client(base_url=chatbus_processes.url) as http:
        pool = Users(chatbus_processes.url, http)
        try:
            victim, flooder = await pool.connect(), await pool.connect()
            victims_chat = (await victim.ok("chats:create", {"name": "quiet"}))["id"]
            floods_chat = (await flooder.ok("chats:create", {"name": "noisy"}))["id"]
            await send_latencies(victim, victims_chat)  # warm up
            before: list[float] = []
            during: list[float] = []
            floods = []
            for _ in range(ROUNDS):
                before += await send_latencies(victim, victims_chat)
                async with flooding(chatbus_processes, flooder, floods_chat) as codes:
                    during += await send_latencies(victim, victims_chat)
                floods.append(codes)
        finally:
            await pool.disconnect_all()
    print(
        f"\nvictim send ack p99 {p99(before):.2f} ms quiet, {p99(during):.2f} ms during a flood"
        f" (median {statistics.median(before):.2f} -> {statistics.median(during):.2f} ms,"
        f" {len(before)} sends each); flooder answers per round: {floods}"
    )
    for codes in floods:
        for transport in ("socket.io", "nats"):
            assert set(codes[transport]) <= {"ok", "rate_limited"}, codes
            assert codes[transport]["rate_limited"] > codes[transport].get("ok", 0), codes
    # The figures above are the measurement (README "Guarantees": within 10 % when the machine
    # is otherwise idle). What is asserted is that the flood cannot starve the victim, with room
    # for a shared CI machine, where the 10 % bound does not hold.
    # Without the budget, the flood's 400 sends/s would be stored ahead of the victim's.
    assert statistics.median(during) <= statistics.median(before) * 1.5 + 2.0
    assert p99(during) <= p99(before) * 2.0 + 5.0


async def send_latencies(client: ChatClient, chat_id: str) -> list[float]:
    """Ack latencies (ms) of ``SAMPLES`` paced sends, sorted."""
    loop = asyncio.get_running_loop()
    latencies = []
    for n in range(SAMPLES):
        started = loop.time()
        reply = await client.call("messages:send", {"chat_id": chat_id, "text": f"ping {n}"})
        latencies.append((loop.time() - started) * 1000)
        assert reply["ok"], reply
        await asyncio.sleep(PACE_SECONDS)  # pacing, so the victim stays inside its budget
    return sorted(latencies)


def p99(latencies: list[float]) -> float:
    """The 99th percentile of ``latencies``."""
    return statistics.quantiles(latencies, n=100)[98]


@contextlib.asynccontextmanager
async def flooding(
    chatbus: RunningChatbus, flooder: ChatClient, chat_id: str
) -> AsyncIterator[dict[str, Any]]:
    """A flood by ``flooder`` in its own process, under way (refused) for the block's length.

    Yields the answers the flooder got per transport, filled in when the block ends.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.system.rate_limit_flooder",
        chatbus.url,
        flooder.token,
        chatbus.nats_url,
        flooder.username,
        chat_id,
        str(FLOOD_RATE),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin and process.stdout
    codes: dict[str, Any] = {}
    try:
        async with asyncio.timeout(30):
            assert await process.stdout.readline() == b"flooding\n"
        yield codes
    finally:
        process.stdin.close()
        async with asyncio.timeout(30):
            result, _ = await process.communicate()
    codes.update(json.loads(result))
