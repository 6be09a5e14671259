"""The chatbus roles as real processes (``chatbus service X``, ``chatbus edge``) on a given NATS.

Used where a test measures a process from outside (its memory) or must see
that it is still running after a flood; the services answer on NATS before
the edge starts, as under ``chatbus up``.
"""

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import nats

from services.ops.embedded_nats import free_port
from services.ops.processes import http_status, pump_lines, spawn, stop_process
from services.ops.role_names import HANDLER_SERVICES
from services.ops.supervisor import READINESS_PROBES, until_answered
from tests.support.polling import wait_until

READY_WITHIN_SECONDS = 60.0


@dataclass
class RoleProcess:
    """One running role and the lines it printed."""

    name: str
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    pump: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the process has not exited."""
        return self.process.returncode is None

    def rss_kib(self) -> int:
        """Resident memory (VmRSS) of the process, in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for {self.name}")

    def tracebacks(self) -> list[str]:
        """Lines that start a Python traceback in the output."""
        return [line for line in self.lines if line.startswith("Traceback")]


@dataclass
class Stack:
    """The three services and the edge, running as processes."""

    url: str
    roles: dict[str, RoleProcess]

    @property
    def edge(self) -> RoleProcess:
        return self.roles["edge"]

    def all_running(self) -> bool:
        """Whether every role is still up."""
        return all(role.running for role in self.roles.values())


async def _start(name: str, argv: list[str], env: dict[str, str]) -> RoleProcess:
    process = await spawn(argv, env=env)
    role = RoleProcess(name, process)
    assert process.stdout is not None
    role.pump = asyncio.create_task(pump_lines(process.stdout, role.lines.append))
    return role


async def _wait_for_services(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        async with asyncio.timeout(READY_WITHIN_SECONDS):
            for subject in READINESS_PROBES.values():
                await until_answered(nc, subject)
    finally:
        await nc.close()


async def _wait_for_edge(url: str, edge: RoleProcess) -> None:
    async def healthy() -> bool:
        if not edge.running:
            raise RuntimeError("the edge exited:\n" + "\n".join(edge.lines[-30:]))
        return await http_status(f"{url}/healthz") == 200

    await wait_until(healthy, READY_WITHIN_SECONDS, every=0.1)


@contextlib.asynccontextmanager
async def running_stack(
    nats_url: str,
    data_dir: Path,
    secret: str,
    extra_env: dict[str, str] | None = None,
    edge_env: dict[str, str] | None = None,
) -> AsyncIterator[Stack]:
    """Start ``chatbus service chats|messages|status`` and ``chatbus edge``; stop them after.

    ``extra_env`` is for every role, ``edge_env`` for the edge alone."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_")}
    env |= {
        "NATS_URL": nats_url,
        "CHATBUS_SECRET": secret,
        "CHATBUS_DATA_DIR": str(data_dir),
        "CHATBUS_PORT": str(port),
        "CHATBUS_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    cli = [sys.executable, "-m", "services.ops.cli"]
    roles: dict[str, RoleProcess] = {}
    url = f"http://127.0.0.1:{port}"
    try:
        for name in HANDLER_SERVICES:
            roles[name] = await _start(name, [*cli, "service", name], env)
        await _wait_for_services(nats_url)
        roles["edge"] = await _start("edge", [*cli, "edge"], env | (edge_env or {}))
        await _wait_for_edge(url, roles["edge"])
        yield Stack(url, roles)
    finally:
        for role in reversed(list(roles.values())):
            await stop_process(role.process, grace=10)
            if role.pump is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(role.pump, 2)
