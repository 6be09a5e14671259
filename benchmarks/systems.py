"""The two systems under test, each started in its own processes.

chatbus runs as ``chatbus up`` would run it: an embedded nats-server, then
``chatbus service chats|messages|status`` and ``chatbus edge`` as child
processes, with the default settings except the per-user command rate limit
(off: ten senders at 100 messages/s each are the point here, and the baseline
has no such limit). The baseline is ``python -m benchmarks.baseline``. Both
expose the pids of their processes, so the runner can read their CPU and
memory from /proc.
"""

import asyncio
import collections
import contextlib
import os
import secrets
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import nats

from services.core.nats_urls import inbox_prefix_for
from services.edge.tokens import issue_token
from services.ops.embedded_nats import EmbeddedNats, free_port
from services.ops.processes import http_status, pump_lines, spawn, stop_process
from services.ops.role_names import HANDLER_SERVICES
from services.ops.supervisor import READINESS_PROBES, until_answered

from .scenario import Scenario, Setup
from .seeding import add_users, create_chats, store_history

__all__ = ["REPO", "Baseline", "Chatbus", "System", "child_env"]

READY_WITHIN_SECONDS = 90.0
TOKEN_TTL = timedelta(hours=6)
REPO = Path(__file__).resolve().parent.parent


class System(Protocol):
    """What the runner needs from a system under test."""

    name: str
    url: str

    def pids(self) -> dict[str, int]:
        """Each process of the system by role."""
        ...

    @property
    def front(self) -> str:
        """The role that holds the sockets (its memory per idle connection is measured)."""
        ...

    async def set_up(self, scenario: Scenario, tag: str) -> Setup:
        """Make the scenario's users and rooms real; ``tag`` keeps names unique per run."""
        ...


class _Child:
    """A child process whose last lines are kept for an error report."""

    def __init__(self, name: str, process: asyncio.subprocess.Process) -> None:
        self.name = name
        self.process = process
        self.tail: collections.deque[str] = collections.deque(maxlen=40)
        assert process.stdout is not None
        self.pump = asyncio.create_task(pump_lines(process.stdout, self.tail.append))

    async def stop(self) -> None:
        await stop_process(self.process, grace=10)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.pump, 2)

    def check_running(self) -> None:
        if self.process.returncode is not None:
            output = "\n".join(self.tail)
            raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{output}")


async def _until_healthy(url: str, children: list[_Child]) -> None:
    async with asyncio.timeout(READY_WITHIN_SECONDS):
        while await http_status(url) != 200:
            for child in children:
                child.check_running()
            await asyncio.sleep(0.1)


def usernames(scenario: Scenario, tag: str) -> list[str]:
    """The scenario's users' names in this run."""
    return [f"{tag}u{i}" for i in range(scenario.users)]


def room_names(scenario: Scenario, tag: str) -> list[str]:
    """The scenario's rooms' names in this run."""
    return [f"{tag}r{i}" for i in range(len(scenario.rooms))]


class Baseline:
    """The plain python-socketio server, one process."""

    name = "baseline"
    front = "baseline"

    def __init__(self) -> None:
        self.url = ""
        self._child: _Child | None = None

    def pids(self) -> dict[str, int]:
        assert self._child is not None
        return {"baseline": self._child.process.pid}

    @contextlib.asynccontextmanager
    async def running(self, work_dir: Path) -> AsyncIterator["Baseline"]:
        """Serve until the block ends."""
        port = free_port()
        argv = [sys.executable, "-m", "benchmarks.baseline", "--port", str(port)]
        self._child = _Child("baseline", await spawn(argv, env={**os.environ, **child_env()}))
        self.url = f"http://127.0.0.1:{port}"
        try:
            await _until_healthy(f"{self.url}/socket.io/?EIO=4&transport=polling", [self._child])
            yield self
        finally:
            await self._child.stop()

    async def set_up(self, scenario: Scenario, tag: str) -> Setup:
        names = usernames(scenario, tag)
        return Setup(
            url=self.url,
            chat_ids=room_names(scenario, tag),
            auth=[{"token": name} for name in names],
            join_rooms=True,
        )


class Chatbus:
    """nats-server, the three handler services and the edge, each its own process."""

    name = "chatbus"
    front = "edge"

    def __init__(self) -> None:
        self.url = ""
        self.nats: EmbeddedNats | None = None
        self.children: dict[str, _Child] = {}
        self.secret = secrets.token_urlsafe(48)

    def pids(self) -> dict[str, int]:
        assert self.nats is not None and self.nats.pid is not None
        return {"nats": self.nats.pid} | {
            name: child.process.pid for name, child in self.children.items()
        }

    @contextlib.asynccontextmanager
    async def running(self, work_dir: Path) -> AsyncIterator["Chatbus"]:
        """Run every role until the block ends."""
        self.nats = EmbeddedNats(0, work_dir / "nats", on_line=lambda line: None)
        await self.nats.start()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_")}
        env |= child_env() | {
            "NATS_URL": self.nats.url,
            "CHATBUS_SECRET": self.secret,
            "CHATBUS_DATA_DIR": str(work_dir / "var"),
            "CHATBUS_PORT": str(port),
            "CHATBUS_COMMAND_RATE_PER_SECOND": "0",
        }
        cli = [sys.executable, "-m", "services.ops.cli"]
        self.url = f"http://127.0.0.1:{port}"
        try:
            for name in HANDLER_SERVICES:
                self.children[name] = _Child(name, await spawn([*cli, "service", name], env=env))
            await self._until_answering()
            self.children["edge"] = _Child("edge", await spawn([*cli, "edge"], env=env))
            await _until_healthy(f"{self.url}/healthz", list(self.children.values()))
            yield self
        finally:
            for child in reversed(list(self.children.values())):
                await child.stop()
            await self.nats.stop()

    def _check_children(self) -> None:
        for child in self.children.values():
            child.check_running()

    async def _until_answering(self) -> None:
        assert self.nats is not None
        url = self.nats.url
        nc = await nats.connect(url, inbox_prefix=inbox_prefix_for([url], "ops"))
        try:
            async with asyncio.timeout(READY_WITHIN_SECONDS):
                for subject in READINESS_PROBES.values():
                    await until_answered(nc, subject, self._check_children)
        finally:
            await nc.close()

    async def set_up(self, scenario: Scenario, tag: str) -> Setup:
        assert self.nats is not None
        names = usernames(scenario, tag)
        # Seeding writes buckets and the stream directly, as an administrator does.
        url = self.nats.url
        nc = await nats.connect(url, inbox_prefix=inbox_prefix_for([url], "admin"))
        try:
            await add_users(nc, names)
            rooms = [[names[user] for user in members] for members in scenario.rooms]
            chat_ids = await create_chats(nc, room_names(scenario, tag), rooms)
            if scenario.history is not None:
                per_chat = scenario.history.messages_per_chat
                await store_history(nc, chat_ids, names[0], per_chat)
        finally:
            await nc.close()
        return Setup(
            url=self.url,
            chat_ids=chat_ids,
            auth=[{"token": issue_token(name, self.secret, TOKEN_TTL)} for name in names],
            join_rooms=False,
        )


def child_env() -> dict[str, str]:
    """What every child process gets on top of this environment."""
    # The children import `benchmarks` and `services` from the repository being measured.
    path = os.environ.get("PYTHONPATH")
    return {
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": f"{REPO}{os.pathsep}{path}" if path else str(REPO),
    }
