"""Edges and handler-service replicas as real processes, all on one NATS cluster.

Each process is started as a deployment starts it: ``chatbus edge`` or
``chatbus service chats|messages|status`` with environment variables only.
Every service replica gets a metrics port of its own, so the test can ask
each replica how many commands it answered.
"""

import asyncio
import contextlib
import os
import re
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats.aio.client
import nats.errors

from services.ops.embedded_nats import free_port
from services.ops.processes import http_status, pump_lines, signal_group, spawn, stop_process
from services.ops.role_names import HANDLER_SERVICES
from services.ops.supervisor import READINESS_PROBES
from tests.support.http import http_client
from tests.support.polling import wait_until
from tests.system.abuse.stack import RoleProcess

SECRET = "multinode-signing-key-that-is-long-enough-for-hs256"
READY_WITHIN_SECONDS = 45.0
# What the status service waits before it closes a silent edge's connections (default 30 s):
# lower here so the test sees a dead edge's users go offline well inside its time budget.
EDGE_DEAD_AFTER_SECONDS = 10.0
_COMMANDS = re.compile(r'^chatbus_commands_total\{command="([^"]+)",outcome="([^"]+)"\} (\S+)$')


@dataclass
class Replica:
    """One running role (an edge or a service replica) and where it answers HTTP."""

    name: str
    role: RoleProcess
    http_url: str

    @property
    def pid(self) -> int:
        return self.role.process.pid

    def check_running(self) -> None:
        """Fail with the process's last output lines if it has exited."""
        if not self.role.running:
            raise RuntimeError(f"{self.name} exited:\n" + "\n".join(self.role.lines[-40:]))

    async def healthy(self) -> bool:
        """Whether its ``/healthz`` answers 200 (for a service: its NATS connection is up)."""
        self.check_running()
        return await http_status(f"{self.http_url}/healthz") == 200

    async def commands(self, command: str, outcome: str | None = "ok") -> int:
        """How many ``command`` (e.g. ``messages:send``) this process answered with ``outcome``
        (None: with any outcome)."""
        try:
            async with http_client(trust_env=False, timeout=5) as http:
                text = (await http.get(f"{self.http_url}/metrics")).text
        except httpx.HTTPError:
            await asyncio.wait_for(self.role.process.wait(), 5)  # it died: say how
            self.check_running()
            raise
        answered = 0
        for line in text.splitlines():
            found = _COMMANDS.match(line)
            if found and found.group(1) == command and outcome in (None, found.group(2)):
                answered += int(float(found.group(3)))
        return answered

    def nats_ports(self) -> set[int]:
        """The remote ports of this process's established TCP connections (Linux /proc)."""
        inodes = set()
        for fd in Path(f"/proc/{self.pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        ports = set()
        for row in Path(f"/proc/{self.pid}/net/tcp").read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
                ports.add(int(fields[2].split(":")[1], 16))
        return ports


@dataclass
class Deployment:
    """Two edges and two replicas of each handler service on the cluster at ``nats_url``."""

    nats_url: str
    data_dir: Path
    edges: list[Replica] = field(default_factory=list)
    services: dict[str, list[Replica]] = field(default_factory=dict)

    @property
    def edge_urls(self) -> list[str]:
        return [edge.http_url for edge in self.edges]

    def everything(self) -> list[Replica]:
        return [*self.edges, *(r for replicas in self.services.values() for r in replicas)]

    async def start(self, *, edges: int = 2, replicas: int = 2) -> None:
        """Every service replica, then (once each is healthy) the edges."""
        self.services = {
            name: list(
                await asyncio.gather(
                    *(self._spawn(f"{name}{i}", ["service", name]) for i in range(replicas))
                )
            )
            for name in HANDLER_SERVICES
        }
        await self._until_healthy([r for replicas in self.services.values() for r in replicas])
        self.edges = list(
            await asyncio.gather(*(self._spawn(f"edge{i}", ["edge"]) for i in range(edges)))
        )
        await self._until_healthy(self.edges)

    async def kill(self, replica: Replica) -> None:
        """SIGKILL one process, as a crash would."""
        signal_group(replica.role.process, signal.SIGKILL)
        await replica.role.process.wait()

    async def stop(self) -> None:
        """Stop the edges, then the services (SIGTERM, SIGKILL after a few seconds)."""
        for group in (self.edges, [r for rs in self.services.values() for r in rs]):
            await asyncio.gather(*(stop_process(r.role.process, grace=5) for r in group))
        for replica in self.everything():
            if replica.role.pump is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(replica.role.pump, 2)

    async def _spawn(self, name: str, command: list[str]) -> Replica:
        port = free_port()
        edge = command == ["edge"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_")}
        env |= {
            "NATS_URL": self.nats_url,
            "CHATBUS_SECRET": SECRET,
            "CHATBUS_HOST": "127.0.0.1",
            "CHATBUS_PORT": str(port if edge else free_port()),
            "CHATBUS_METRICS_PORT": "0" if edge else str(port),
            "CHATBUS_DATA_DIR": str(self.data_dir / name),
            "CHATBUS_REPLICAS": "3",
            "CHATBUS_COMMAND_RATE_PER_SECOND": "0",
            "CHATBUS_EDGE_DEAD_AFTER_SECONDS": str(EDGE_DEAD_AFTER_SECONDS),
            "CHATBUS_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        process = await spawn([sys.executable, "-m", "services.ops.cli", *command], env=env)
        role = RoleProcess(name, process)
        assert process.stdout is not None  # spawn() always pipes it
        role.pump = asyncio.create_task(pump_lines(process.stdout, role.lines.append))
        return Replica(name, role, f"http://127.0.0.1:{port}")

    @staticmethod
    async def _until_healthy(replicas: list[Replica]) -> None:
        async def all_healthy() -> bool:
            return all(await asyncio.gather(*(r.healthy() for r in replicas)))

        await wait_until(all_healthy, READY_WITHIN_SECONDS, every=0.1)


# The command each service's readiness probe counts as, in its /metrics.
PROBE_COMMANDS = {"chats": "chats:list", "messages": "messages:history", "status": "presence:list"}


async def until_every_replica_answers(deployment: Deployment, nc: nats.aio.client.Client) -> None:
    """Probe each service until both of its replicas have answered a command.

    A replica's NATS connection can be up before its subscriptions are, and a
    queue group hands each request to one member at random: a replica that has
    answered a probe is one that takes its share.
    """
    async with asyncio.timeout(READY_WITHIN_SECONDS):
        for name, replicas in deployment.services.items():
            while not all([await r.commands(PROBE_COMMANDS[name], None) > 0 for r in replicas]):
                with contextlib.suppress(nats.errors.Error):
                    await nc.request(READINESS_PROBES[name], b"{}", timeout=1)
