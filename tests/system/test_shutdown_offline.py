"""A process stopped while NATS is down stops cleanly: in time, usual exit code, no traceback.

An orchestrator stops everything at once, or restarts a process while its NATS
node is away: the process cannot drain a connection that is reconnecting, and
must not crash trying (exit 1 and a traceback look like a bug and can trip
restart policies and alerts).
"""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import nats.errors
import pytest

from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats, free_port
from services.ops.processes import http_status, pump_lines, signal_group, spawn
from services.ops.role_names import HANDLER_SERVICES
from services.ops.supervisor import READINESS_PROBES
from tests.support.clients import Users
from tests.support.http import http_client
from tests.support.polling import wait_until

STOP_WITHIN_SECONDS = 10.0
SECRET = "test-signing-key-that-is-long-enough-for-hs256"
# What a stop that went wrong leaves in the output (Python's, and uvicorn's for the edge).
FAILURE_MARKS = ("Traceback", "shutdown failed")


@dataclass
class Role:
    """One ``chatbus`` role running as a process, and what it printed (stdout and stderr)."""

    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    pump: asyncio.Task[None] | None = None

    def output(self) -> str:
        """Everything printed so far."""
        return "\n".join(self.lines)


@pytest.fixture
def role_env(nats_server: EmbeddedNats, tmp_path: Path) -> dict[str, str]:
    """The environment of a role on the test's nats-server."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHATBUS_")}
    return env | {
        "NATS_URL": nats_server.url,
        "CHATBUS_SECRET": SECRET,
        "CHATBUS_DATA_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
async def roles() -> AsyncIterator[list[Role]]:
    """Roles a test starts; any still running at the end are killed."""
    started: list[Role] = []
    yield started
    for role in started:
        if role.process.returncode is None:
            signal_group(role.process, signal.SIGKILL)
            await role.process.wait()
        if role.pump is not None:
            await asyncio.wait_for(role.pump, 5)


async def start_role(roles: list[Role], argv: list[str], env: dict[str, str]) -> Role:
    """``python -m services.ops.cli <argv>`` as a process whose output is collected."""
    process = await spawn([sys.executable, "-m", "services.ops.cli", *argv], env=env)
    assert process.stdout is not None
    role = Role(process)
    role.pump = asyncio.create_task(pump_lines(process.stdout, role.lines.append))
    roles.append(role)
    return role


async def wait_for_health(role: Role, url: str, expected: int) -> None:
    """Wait until ``url`` answers ``expected``; fail at once if the process exits."""

    async def answers() -> bool:
        assert role.process.returncode is None, role.output()
        return await http_status(url) == expected

    await wait_until(answers, timeout=60, every=0.1)


async def sigterm_and_wait(role: Role) -> tuple[int, float]:
    """SIGTERM the role; its exit code and how long it took to exit."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    role.process.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(role.process.wait(), STOP_WITHIN_SECONDS)
    except TimeoutError:
        pytest.fail(f"still running {STOP_WITHIN_SECONDS} s after SIGTERM:\n{role.output()}")
    assert role.pump is not None
    await asyncio.wait_for(role.pump, 5)  # all of its output, to look for tracebacks in
    return code, loop.time() - started


def assert_stopped_cleanly(role: Role) -> None:
    """No traceback nor failed shutdown in the role's output."""
    for mark in FAILURE_MARKS:
        assert mark not in role.output(), role.output()


@pytest.mark.parametrize("name", HANDLER_SERVICES)
async def test_service_stopped_while_nats_is_down_exits_0_without_traceback(
    name: str, nats_server: EmbeddedNats, role_env: dict[str, str], roles: list[Role]
) -> None:
    metrics_port = free_port()
    env = role_env | {"CHATBUS_METRICS_PORT": str(metrics_port)}
    service = await start_role(roles, ["service", name], env)
    nc = await nats.connect(nats_server.url)
    try:

        async def answering() -> bool:
            assert service.process.returncode is None, service.output()
            try:
                await nc.request(READINESS_PROBES[name], b"", timeout=0.5)
            except nats.errors.Error:
                return False
            return True

        await wait_until(answering, timeout=60, every=0.1)
    finally:
        await nc.close()

    await nats_server.stop()
    # /healthz turns 503 once the service knows NATS is gone: it is reconnecting now.
    await wait_for_health(service, f"http://127.0.0.1:{metrics_port}/healthz", 503)
    code, took = await sigterm_and_wait(service)

    print(f"\n{name}: SIGTERM with NATS down -> exit {code} in {took:.2f} s")
    assert code == 0, service.output()
    assert_stopped_cleanly(service)


async def test_edge_stopped_while_nats_is_down_exits_as_usual_without_traceback(
    nats_server: EmbeddedNats,
    settings: Settings,
    services: None,
    role_env: dict[str, str],
    roles: list[Role],
) -> None:
    # The services run in this test's loop (the `services` fixture); the edge is `chatbus edge`.
    url = f"http://127.0.0.1:{settings.port}"
    edge = await start_role(roles, ["edge"], role_env | {"CHATBUS_PORT": str(settings.port)})
    await wait_for_health(edge, f"{url}/healthz", 200)
    async with http_client(base_url=url) as http:
        pool = Users(url, http)
        # A connected user, so the stop also closes a socket whose goodbye cannot reach NATS.
        alice = await pool.connect()
        await nats_server.stop()
        await wait_for_health(edge, f"{url}/healthz", 503)
        code, took = await sigterm_and_wait(edge)

        async def alice_let_go() -> bool:
            return not alice.sio.connected

        await wait_until(alice_let_go, timeout=10)

    print(f"\nedge: SIGTERM with NATS down -> exit {code} in {took:.2f} s")
    # uvicorn re-raises the signal once it has stopped: -SIGTERM is a normal stop of the edge.
    assert code == -signal.SIGTERM, edge.output()
    assert_stopped_cleanly(edge)
