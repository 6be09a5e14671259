"""CHATBUS_LOG_FORMAT=json: a service's stderr is one JSON object per line, tracebacks included."""

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import nats
import nats.errors

from services.contracts import CREATE_CHAT
from services.ops.embedded_nats import EmbeddedNats, free_port
from services.ops.processes import pump_lines, stop_process
from services.ops.supervisor import READINESS_PROBES
from tests.support.chatbus_up import CHATBUS_UP, chatbus_up_env
from tests.support.polling import wait_until

RECORD_FIELDS = {"time", "level", "logger", "message", "role", "pid"}


async def test_service_logs_one_json_object_per_line(
    nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHATBUS_")}
    env |= {
        "NATS_URL": nats_server.url,
        "CHATBUS_DATA_DIR": str(tmp_path / "var"),
        "CHATBUS_SECRET": "test-signing-key-that-is-long-enough-for-hs256",
        "CHATBUS_LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "services.ops.cli", "service", "chats"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    errors: list[str] = []
    output: list[str] = []
    pumps = [
        asyncio.create_task(pump_lines(process.stderr, errors.append)),
        asyncio.create_task(pump_lines(process.stdout, output.append)),
    ]
    try:
        nc = await nats.connect(nats_server.url)
        try:

            async def answering() -> bool:
                try:
                    await nc.request(READINESS_PROBES["chats"], b"", timeout=0.5)
                except nats.errors.Error:
                    return False
                return True

            await wait_until(answering, timeout=30, every=0.1)
            # Nobody waits for an answer to this broken command: the service logs a warning.
            await nc.publish(CREATE_CHAT.subject_for("someone"), b"[not json")
            await nc.flush()

            async def warned() -> bool:
                return any('"WARNING"' in line and "dropped message" in line for line in errors)

            await wait_until(warned, timeout=10)
        finally:
            await nc.close()
    finally:
        code = await stop_process(process, grace=10)
        await asyncio.gather(*pumps)
    assert code == 0, errors

    records: list[dict[str, Any]] = [json.loads(line) for line in errors if line.strip()]
    print(f"\n{len(records)} JSON records on stderr, {len(output)} lines on stdout")
    assert records, "the service logged nothing"
    for record in records:
        assert RECORD_FIELDS <= record.keys(), record
        assert record["role"] == "chats", record
        assert record["pid"] == process.pid, record
        assert record["time"].endswith("Z"), record
    warning = next(r for r in records if "dropped message" in r["message"])
    assert warning["level"] == "WARNING" and warning["logger"] == "chatbus.broker"
    assert CREATE_CHAT.subject_for("someone") in warning["message"]


async def test_chatbus_up_in_json_mode_prints_only_json_records(tmp_path: Path) -> None:
    port, nats_port = free_port(), free_port()
    env = chatbus_up_env(port, nats_port, tmp_path / "var", log_format="json")
    process = await asyncio.create_subprocess_exec(
        *CHATBUS_UP,
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not any("chatbus is up" in line for line in lines):
                line = (await process.stdout.readline()).decode()
                assert line, "chatbus up ended early:\n" + "".join(lines)
                lines.append(line)
    finally:
        await stop_process(process, grace=20)
        lines += (await process.stdout.read()).decode().splitlines(keepends=True)
    records = [json.loads(line) for line in lines]  # every line, nats-server's included
    assert {"nats", "chats", "messages", "status", "edge", "up"} <= {r["role"] for r in records}
    assert all({"time", "level", "logger", "message", "role"} <= set(r) for r in records)
    assert any(r["role"] == "nats" and "Server is ready" in r["message"] for r in records)
