"""chatbus as real, separate processes that a chaos run can kill, stop and restart.

One ``ChaosSystem`` is an embedded nats-server on a store directory of its own,
the three handler services (``chatbus service chats|messages|status``) and one
edge (``chatbus edge``), each its own child process, started the way a
deployment starts them: environment variables only. Every role's output goes
to ``<root>/logs/<role>.log``, and tracebacks are counted, so a run can say
whether anything crashed.
"""

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import nats
import nats.errors
from nats.aio.client import Client

from services.core.nats_urls import inbox_prefix_for
from services.ops.embedded_nats import EmbeddedNats, free_port
from services.ops.processes import http_status, pump_lines, signal_group, spawn
from services.ops.role_names import EDGE, HANDLER_SERVICES
from services.ops.supervisor import READINESS_PROBES

__all__ = ["ROLES", "ChaosSystem", "Exit"]

ROLES = (*HANDLER_SERVICES, EDGE)
SECRET = "chaos-signing-key-that-is-long-enough-for-hs256"
READY_TIMEOUT = 30.0
# How long a SIGTERMed process may take before we record it as stuck and SIGKILL it.
TERM_LIMIT = 15.0


@dataclass(frozen=True)
class Exit:
    """How a process ended after a signal: its exit code and how long it took."""

    role: str
    code: int
    seconds: float


@dataclass
class _Role:
    name: str
    process: asyncio.subprocess.Process
    output: asyncio.Task[None]
    tracebacks: list[str] = field(default_factory=list)


class ChaosSystem:
    """nats-server, the handler services and the edge, each a real process."""

    def __init__(self, root: Path, *, log_level: str = "WARNING") -> None:
        self.root = root
        self.nats = EmbeddedNats(0, root / "nats", on_line=self._nats_line)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_level = log_level
        self._roles: dict[str, _Role] = {}
        self._logs: dict[str, IO[str]] = {}
        self._probe: Client | None = None
        self.tracebacks: dict[str, int] = dict.fromkeys(ROLES, 0)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """nats-server, then each service, then the edge once every service answers."""
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        await self.nats.start()
        self._probe = await nats.connect(
            self.nats.url,
            # It asks what `chatbus status` asks.
            inbox_prefix=inbox_prefix_for([self.nats.url], "ops"),
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.1,
            error_cb=_ignore,  # nats-server is down on purpose: no traceback per attempt
        )
        for role in ROLES:
            await self.start_role(role)

    async def close(self) -> None:
        """Stop every process (edge first, NATS last) and close the logs."""
        for role in reversed(ROLES):
            if role in self._roles:
                await self.terminate(role)
        if self._probe is not None:
            await self._probe.close()
        await self.nats.stop()
        for log in self._logs.values():
            log.close()

    # -- the roles ---------------------------------------------------------------

    async def start_role(self, role: str) -> float:
        """Start ``role`` and wait until it serves; the seconds that took."""
        started = time.monotonic()
        process = await spawn(
            [sys.executable, "-m", "services.ops.cli", *_argv(role)], env=self._env()
        )
        assert process.stdout is not None  # spawn() always pipes it
        running = _Role(role, process, asyncio.create_task(asyncio.sleep(0)))
        running.output = asyncio.create_task(
            pump_lines(process.stdout, lambda line: self._role_line(running, line))
        )
        self._roles[role] = running
        await self.wait_until_serving(role)
        return time.monotonic() - started

    async def wait_until_serving(self, role: str, timeout: float = READY_TIMEOUT) -> None:
        """Until the edge answers ``/healthz`` or a service answers its probe command."""
        async with asyncio.timeout(timeout):
            while not await self.serves(role):
                running = self._roles.get(role)
                if running and running.process.returncode is not None:
                    raise RuntimeError(f"{role} exited with {running.process.returncode}")
                await asyncio.sleep(0.05)

    async def serves(self, role: str) -> bool:
        """Whether ``role`` answers right now."""
        if role == EDGE:
            return await http_status(f"{self.url}/healthz") == 200
        assert self._probe is not None
        try:
            await self._probe.request(READINESS_PROBES[role], b"{}", timeout=0.5)
        except nats.errors.Error:
            return False
        return True

    async def kill(self, role: str) -> Exit:
        """SIGKILL ``role``, as a crash would."""
        return await self._signal(role, signal.SIGKILL)

    async def terminate(self, role: str) -> Exit:
        """SIGTERM ``role`` and time how long it takes to exit (SIGKILL after ``TERM_LIMIT``)."""
        return await self._signal(role, signal.SIGTERM)

    async def _signal(self, role: str, sig: int) -> Exit:
        running = self._roles.pop(role)
        started = time.monotonic()
        signal_group(running.process, sig)
        try:
            await asyncio.wait_for(running.process.wait(), TERM_LIMIT)
        except TimeoutError:
            signal_group(running.process, signal.SIGKILL)
        code = await running.process.wait()
        seconds = time.monotonic() - started
        await asyncio.gather(running.output, return_exceptions=True)
        self._log(role, f"--- {signal.Signals(sig).name}: exit {code} after {seconds:.2f} s")
        return Exit(role, code, seconds)

    # -- nats-server -------------------------------------------------------------

    async def kill_nats(self) -> None:
        """SIGKILL nats-server (its store stays as the crash left it)."""
        await self.nats.kill()

    async def terminate_nats(self) -> Exit:
        """SIGTERM nats-server and time its exit."""
        started = time.monotonic()
        code = await self.nats.stop()
        return Exit("nats", code if code is not None else 0, time.monotonic() - started)

    async def start_nats(self) -> None:
        """Start nats-server again on the same store and port."""
        await self.nats.start()

    async def put(self, bucket: str, key: str, value: bytes) -> None:
        """Write a key straight into a bucket, as another program (or replica) would."""
        assert self._probe is not None
        async with asyncio.timeout(READY_TIMEOUT):
            while True:
                try:
                    kv = await self._probe.jetstream().key_value(bucket)
                    await kv.put(key, value)
                    return
                except nats.errors.Error:
                    await asyncio.sleep(0.05)  # JetStream is still coming back

    # -- plumbing ----------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "NATS_URL": self.nats.url,
            "CHATBUS_HOST": "127.0.0.1",
            "CHATBUS_PORT": str(self.port),
            "CHATBUS_DATA_DIR": str(self.root / "var"),
            "CHATBUS_SECRET": SECRET,
            "CHATBUS_LOG_LEVEL": self._log_level,
            "PYTHONUNBUFFERED": "1",
        }

    def _role_line(self, running: _Role, line: str) -> None:
        if line.startswith("Traceback"):
            self.tracebacks[running.name] += 1
        self._log(running.name, line)

    def _nats_line(self, line: str) -> None:
        self._log("nats", line)

    def _log(self, name: str, line: str) -> None:
        log = self._logs.get(name)
        if log is None:
            log = self._logs[name] = open(self.root / "logs" / f"{name}.log", "a")  # noqa: SIM115
        log.write(line + "\n")
        log.flush()


def _argv(role: str) -> list[str]:
    return [EDGE] if role == EDGE else ["service", role]


async def _ignore(error: Exception) -> None:
    pass
