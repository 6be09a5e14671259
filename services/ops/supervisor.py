"""``chatbus up``: NATS, the three handler services and the edge as one program.

Starts the embedded nats-server (unless ``NATS_URL`` names another NATS) with
a user per role (``services.ops.nats_auth``: anonymous connects are refused), then
each role as a child process pointed at that NATS as its own user
(``NATS_URL=nats://<role>:<password>@127.0.0.1:<port>``), and prints their output as
one stream, each line tagged with its role. Once the edge answers
``/healthz`` it prints the URL. Ctrl-C or SIGTERM stops the children in
reverse order (edge first, NATS last) and exits 0; a child that exits on its
own stops everything with exit code 1. No restarts: a crash is for a person
to read about.
"""

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

import nats
import nats.aio.client
import nats.errors

from services.core.logs import configure_logging, json_line
from services.core.nats_urls import inbox_prefix_for, with_credentials, without_credentials
from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats, NatsServerError, free_port
from services.ops.nats_auth.credentials import CredentialStore
from services.ops.nats_auth.embedded import embedded_store, write_authorization
from services.ops.nats_auth.roles import READINESS_PROBES
from services.ops.processes import (
    LineSink,
    exit_description,
    http_status,
    pump_lines,
    spawn,
    stop_process,
)
from services.ops.role_names import EDGE, HANDLER_SERVICES

__all__ = ["READINESS_PROBES", "Role", "chatbus_roles", "run_up", "supervise", "tag"]

log = logging.getLogger("chatbus.up")

TAG_WIDTH = 8
# A child's last lines arrive just after it exits; this only bounds a stuck pipe.
DRAIN_TIMEOUT = 2.0
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@dataclass(frozen=True)
class Role:
    """One child process of ``chatbus up``: its tag in the log stream and its command line.

    ``answers_on``: a NATS subject the role answers once it is ready (any reply will do).
    ``after_answers``: start this role only once every earlier role answers, so the edge
    never reports healthy while a service is still starting.
    """

    name: str
    argv: tuple[str, ...]
    answers_on: str | None = None
    after_answers: bool = False


async def until_answered(
    nc: nats.aio.client.Client, subject: str, check: Callable[[], None] = lambda: None
) -> None:
    """Ask on ``subject`` until a service answers (any reply will do).

    ``check`` runs before each try and may raise to give up (a child that died).
    """
    while True:
        check()
        try:
            await nc.request(subject, b"", timeout=0.5)
            return
        except nats.errors.Error:
            await asyncio.sleep(0.1)


def chatbus_roles() -> list[Role]:
    """The handler services, then the edge, each run through this Python's ``services.ops.cli``."""
    cli = (sys.executable, "-m", "services.ops.cli")
    services = [
        Role(name, (*cli, "service", name), answers_on=READINESS_PROBES[name])
        for name in HANDLER_SERVICES
    ]
    return [*services, Role(EDGE, (*cli, EDGE), after_answers=True)]


def tag(role: str) -> str:
    """The fixed-width prefix of a role's lines, e.g. ``"nats    | "``."""
    return f"{role:<{TAG_WIDTH}}| "


def run_up(settings: Settings, roles: Sequence[Role] | None = None) -> int:
    """Run ``chatbus up`` until Ctrl-C, SIGTERM or a crash; return the exit code."""
    configure_logging(settings, stream=sys.stdout, prefix=tag("up"))
    return asyncio.run(supervise(settings, roles or chatbus_roles(), out=sys.stdout))


async def supervise(
    settings: Settings,
    roles: Sequence[Role],
    *,
    out: TextIO | None = None,
    ready_timeout: float = 60.0,
    stop_timeout: float = 10.0,
) -> int:
    """Start NATS (when embedded) and ``roles`` in order, wait for the edge, run until stopped.

    Returns 0 after a stop signal, 1 when a child exited on its own, the edge
    never became healthy, or something failed to start.
    """
    supervisor = _Supervisor(settings, out or sys.stdout, ready_timeout, stop_timeout)
    return await supervisor.run(roles)


@dataclass
class _Child:
    role: Role
    process: asyncio.subprocess.Process
    output: asyncio.Task[None]
    watch: asyncio.Task[None] | None = None


class _Supervisor:
    def __init__(
        self, settings: Settings, out: TextIO, ready_timeout: float, stop_timeout: float
    ) -> None:
        self.settings = settings
        self.out = out
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.stop_requested = asyncio.Event()
        self.exit_code = 0
        self.shutting_down = False
        self.nats: EmbeddedNats | None = None
        self.children: list[_Child] = []

    async def run(self, roles: Sequence[Role]) -> int:
        loop = asyncio.get_running_loop()
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            await self._start(roles)
            await self.stop_requested.wait()
        except NatsServerError as exc:
            log.error("%s%s", exc.reason, " (its output is above)" if exc.output else "")
            self.exit_code = 1
        except Exception:
            log.exception("chatbus up failed")
            self.exit_code = 1
        finally:
            await self._shut_down()
            for sig in _STOP_SIGNALS:
                loop.remove_signal_handler(sig)
        return self.exit_code

    async def _start(self, roles: Sequence[Role]) -> None:
        # Created before any child starts, so no two of them race to generate it.
        _ = self.settings.signing_key
        host = self.settings.host
        port = self.settings.port or free_port(_probe_host(host))
        env = {
            **os.environ,
            "CHATBUS_PORT": str(port),
            "CHATBUS_DATA_DIR": str(self.settings.data_dir.resolve()),
            # Python children would otherwise hold their print output in a pipe buffer.
            "PYTHONUNBUFFERED": "1",
        }
        # Each role's NATS URL (a child not named here gets the shared one), and the probes'.
        urls: dict[str, str] = {}
        if self.settings.embedded:
            credentials = CredentialStore(self.settings.data_dir).load_or_create()
            store = embedded_store(self.settings)
            self.nats = EmbeddedNats(
                self.settings.nats_port,
                store,
                on_line=self._nats_sink(),
                stop_timeout=self.stop_timeout,
                include=write_authorization(store, credentials),
            )
            await self.nats.start()
            log.info("nats-server is ready at %s", without_credentials(self.nats.url))
            shared_url = self.nats.url
            urls = {
                name: with_credentials(self.nats.url, name, password)
                for name, password in credentials.roles.items()
            }
        else:
            shared_url = ",".join(self.settings.nats_servers)
        for role in roles:
            if role.after_answers:
                probes_url = urls.get("ops", shared_url)
                await self._wait_until_answering(probes_url, roles[: roles.index(role)])
            if self.stop_requested.is_set():
                return
            await self._start_child(role, env | {"NATS_URL": urls.get(role.name, shared_url)})
        await self._wait_until_healthy(_probe_host(host), port)

    async def _start_child(self, role: Role, env: dict[str, str]) -> None:
        process = await spawn(role.argv, env=env)
        assert process.stdout is not None  # spawn() always pipes it
        output = asyncio.create_task(pump_lines(process.stdout, self._sink(role.name)))
        child = _Child(role, process, output)
        child.watch = asyncio.create_task(self._watch(child))
        self.children.append(child)
        log.info("started %s (pid %d)", role.name, process.pid)

    async def _wait_until_answering(self, nats_url: str, roles: Sequence[Role]) -> None:
        probes = [role.answers_on for role in roles if role.answers_on]
        if not probes:
            return
        deadline = asyncio.get_running_loop().time() + self.ready_timeout
        servers = nats_url.split(",")
        nc = await nats.connect(
            servers,
            allow_reconnect=False,
            inbox_prefix=inbox_prefix_for(servers, "ops"),
            tls=self.settings.nats_tls(),
        )
        try:
            while probes and not self.stop_requested.is_set():
                try:
                    await nc.request(probes[0], b"", timeout=0.5)
                    probes.pop(0)
                except nats.errors.Error:
                    if asyncio.get_running_loop().time() > deadline:
                        log.error("no answer on %s within %s s", probes[0], self.ready_timeout)
                        self._request_stop(1)
                        return
                    await asyncio.sleep(0.05)
        finally:
            await nc.close()

    async def _watch(self, child: _Child) -> None:
        code = await child.process.wait()
        if not self.shutting_down:
            log.error(
                "%s exited unexpectedly (%s); stopping", child.role.name, exit_description(code)
            )
            self._request_stop(1)

    async def _wait_until_healthy(self, host: str, port: int) -> None:
        url = f"http://{_url_host(host)}:{port}"
        deadline = asyncio.get_running_loop().time() + self.ready_timeout
        while not self.stop_requested.is_set():
            if await http_status(f"{url}/healthz") == 200:
                self._write("up", f"chatbus is up: {url}")
                return
            if asyncio.get_running_loop().time() > deadline:
                log.error("the edge did not answer %s/healthz within %s s", url, self.ready_timeout)
                self._request_stop(1)
                return
            try:
                await asyncio.wait_for(self.stop_requested.wait(), 0.1)
            except TimeoutError:
                pass

    async def _shut_down(self) -> None:
        self.shutting_down = True
        for child in reversed(self.children):
            code = await stop_process(child.process, grace=self.stop_timeout)
            await _drain(child.output)
            log.info("%s stopped (%s)", child.role.name, exit_description(code))
        await asyncio.gather(*(child.watch for child in self.children if child.watch))
        if self.nats is not None and (nats_code := await self.nats.stop()) is not None:
            log.info("nats-server stopped (%s)", exit_description(nats_code))

    def _on_signal(self, sig: int) -> None:
        if self.stop_requested.is_set():
            log.info("%s: already stopping", signal.Signals(sig).name)
            return
        log.info("%s: stopping", signal.Signals(sig).name)
        self._request_stop(0)

    def _request_stop(self, code: int) -> None:
        if not self.stop_requested.is_set():
            self.exit_code = code
            self.stop_requested.set()

    def _nats_sink(self) -> LineSink:
        # nats-server's start-up banner is ~30 lines; keep its warnings and milestones.
        everything = self.settings.log_level.upper() == "DEBUG"
        show = self._sink("nats")
        return lambda line: show(line) if everything or _worth_showing(line) else None

    def _sink(self, role: str) -> LineSink:
        return lambda line: self._write(role, line)

    def _write(self, role: str, line: str) -> None:
        try:
            if self.settings.log_format == "json":
                # One record per line for log collectors: no tags, nats-server's lines wrapped.
                self.out.write(json_line(role, line) + "\n")
            else:
                self.out.write(f"{tag(role)}{line}\n")
            self.out.flush()
        except (OSError, ValueError):
            pass  # a closed terminal must not stop us draining the children


NATS_MILESTONES = ("Version:", "Server is ready", "Listening for", "Trapped", "Exiting")


# The embedded server's passwords are in its authorization file in plain text, as in the
# credentials file the children's URLs come from: only the owner reads either, and hashing
# one copy would protect nothing the other holds. nats-server warns at every start.
NATS_NOISE = ("Plaintext passwords detected",)


def _worth_showing(nats_line: str) -> bool:
    """Warnings, errors and milestones of nats-server's output."""
    if any(noise in nats_line for noise in NATS_NOISE):
        return False
    if "[INF]" not in nats_line:
        return True
    return any(milestone in nats_line for milestone in NATS_MILESTONES)


async def _drain(output: asyncio.Task[None]) -> None:
    try:
        await asyncio.wait_for(output, DRAIN_TIMEOUT)
    except TimeoutError:
        pass  # wait_for has cancelled it


def _probe_host(host: str) -> str:
    """Where to reach a server bound to ``host`` from this machine."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
