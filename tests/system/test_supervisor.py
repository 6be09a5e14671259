"""``chatbus up``'s process handling, with tiny Python children standing in for the roles.

Each test runs the supervisor as a real process (signals and exit codes are
the point) and reads its one log stream.
"""

import asyncio
import json
import os
import re
import signal
import socket
import stat
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import nats
import nats.errors
import pytest

from services.core.nats_urls import with_credentials
from services.ops.nats_auth.credentials import CREDENTIALS_FILE
from services.ops.nats_auth.embedded import AUTHORIZATION_FILE
from services.ops.nats_auth.roles import ROLE_NAMES as NATS_USERS
from tests.support.paths import ROOT
from tests.support.polling import wait_until

ROLE_NAMES = ("nats", "chats", "messages", "status", "edge", "up")

# Runs the supervisor with roles given as JSON: run_up() as `chatbus up` does,
# or supervise() directly when the test needs other timeouts.
DRIVER = """
import asyncio, json, sys
from services.core.logs import configure_logging
from services.core.settings import Settings
from services.ops.supervisor import Role, run_up, supervise, tag

spec = json.loads(sys.argv[1])
roles = [Role(name, tuple(argv)) for name, argv in spec["roles"]]
settings = Settings()
if "timeouts" not in spec:
    sys.exit(run_up(settings, roles))
configure_logging(settings, stream=sys.stdout, prefix=tag("up"))
sys.exit(asyncio.run(supervise(settings, roles, **spec["timeouts"])))
"""

# A handler service stand-in: says where it runs, says goodbye on SIGTERM.
# No flush=True: the supervisor must make its children's output unbuffered.
SERVICE = """
import os, signal, sys
name = sys.argv[1]
def stop(*_):
    print(f"{name} got SIGTERM")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
secret = os.path.exists(os.path.join(os.environ["CHATBUS_DATA_DIR"], "secret"))
print(f"{name} pid={os.getpid()} nats={os.environ['NATS_URL']} secret={secret}")
while True:
    signal.pause()
"""

# An edge stand-in: /healthz answers 200 on CHATBUS_PORT.
EDGE = """
import http.server, os, signal, sys
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
def stop(*_):
    print("edge got SIGTERM")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
server = http.server.HTTPServer(("127.0.0.1", int(os.environ["CHATBUS_PORT"])), Health)
print(f"edge pid={os.getpid()} port={server.server_port} nats={os.environ['NATS_URL']}")
server.serve_forever()
"""

CRASH = """
import sys
print("crash is giving up")
sys.exit(3)
"""

STUBBORN = """
import os, signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(f"stubborn pid={os.getpid()} ignores SIGTERM")
while True:
    signal.pause()
"""


def role(name: str, script: str) -> tuple[str, list[str]]:
    return name, [sys.executable, "-c", script, name]


def chatbus_like_roles() -> list[tuple[str, list[str]]]:
    services = [role(name, SERVICE) for name in ("chats", "messages", "status")]
    return [*services, role("edge", EDGE)]


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"  # a zombie has exited; only its parent's bookkeeping is left
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


@dataclass
class Up:
    """A running supervisor and the lines of its log stream."""

    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode().rstrip("\n"))

    async def line_containing(self, text: str, timeout: float = 10.0) -> str:
        await wait_until(lambda: any(text in line for line in self.lines), timeout)
        return next(line for line in self.lines if text in line)

    def index(self, text: str) -> int:
        return next(i for i, line in enumerate(self.lines) if text in line)

    async def exit_code(self, timeout: float = 10.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        assert self.reader is not None
        await asyncio.wait_for(self.reader, timeout)
        return code

    def pids(self) -> list[int]:
        """Every child pid the stream mentions (children print ``pid=``, nats-server ``[pid]``)."""
        found = {int(pid) for line in self.lines for pid in re.findall(r"pid=(\d+)", line)}
        found |= {
            int(pid) for line in self.lines for pid in re.findall(r"^nats +\| \[(\d+)\]", line)
        }
        return sorted(found)

    def log(self) -> str:
        return "\n".join(self.lines)


StartUp = Callable[..., Awaitable[Up]]


@pytest.fixture
async def start_up(tmp_path: Path) -> AsyncIterator[StartUp]:
    started: list[Up] = []

    async def start(
        roles: list[tuple[str, list[str]]],
        *,
        nats_url: str | None = None,
        nats_port: int | None = None,
        timeouts: dict[str, float] | None = None,
    ) -> Up:
        env = {
            key: value
            for key, value in os.environ.items()
            # PYTHONUNBUFFERED too: making children's output unbuffered is the supervisor's job.
            if not key.startswith("CHATBUS_") and key not in ("NATS_URL", "PYTHONUNBUFFERED")
        }
        env |= {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "CHATBUS_DATA_DIR": str(tmp_path / "var"),
            # 0: the supervisor picks the edge's port, nats-server its own.
            "CHATBUS_PORT": "0",
            "CHATBUS_NATS_PORT": str(nats_port or 0),
        }
        if nats_url:
            env["NATS_URL"] = nats_url
        spec: dict[str, object] = {"roles": roles}
        if timeouts is not None:
            spec["timeouts"] = timeouts
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            DRIVER,
            json.dumps(spec),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # our signals reach it alone, never pytest
        )
        up = Up(process)
        up.reader = asyncio.create_task(up.read())
        started.append(up)
        return up

    yield start

    # A failed test must not leave processes behind: killing the supervisor
    # takes its children along (see test_children_die_with_a_killed_supervisor).
    for up in started:
        if up.process.returncode is None:
            up.process.kill()
            await up.process.wait()
        if up.reader is not None:
            up.reader.cancel()


def assert_every_line_is_tagged(up: Up) -> None:
    for line in up.lines:
        assert line[:8].strip() in ROLE_NAMES and line[8:10] == "| ", line


def role_passwords(tmp_path: Path) -> dict[str, str]:
    """The passwords `chatbus up` generated for each role, from its data dir."""
    roles: dict[str, str] = json.loads((tmp_path / "var" / CREDENTIALS_FILE).read_text())["roles"]
    return roles


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_up_prints_the_url_then_a_stop_signal_stops_children_in_reverse_order(
    start_up: StartUp, stop_signal: signal.Signals, tmp_path: Path
) -> None:
    up = await start_up(chatbus_like_roles())

    url_line = await up.line_containing("chatbus is up:")
    edge_port = (await up.line_containing("edge pid=")).split("port=")[1].split()[0]
    assert url_line == f"up      | chatbus is up: http://127.0.0.1:{edge_port}"
    nats_url = (await up.line_containing("nats-server is ready at ")).split(" at ")[-1]
    assert re.fullmatch(r"nats://127\.0\.0\.1:\d+", nats_url)
    chats_line = await up.line_containing("chats pid=")
    assert chats_line.startswith("chats   | ")
    # Each role connects as its own NATS user.
    passwords = role_passwords(tmp_path)
    chats_url = with_credentials(nats_url, "chats", passwords["chats"])
    assert chats_line.endswith(f"nats={chats_url} secret=True")
    edge_url = with_credentials(nats_url, "edge", passwords["edge"])
    assert (await up.line_containing("edge pid=")).endswith(f"nats={edge_url}")
    assert any(line.startswith("nats    | ") for line in up.lines)
    pids = up.pids()
    assert len(pids) == 5  # nats-server, three services, edge

    up.process.send_signal(stop_signal)

    assert await up.exit_code(timeout=10) == 0
    stop_order = [
        up.index(text)
        for text in (
            "edge got SIGTERM",
            "status got SIGTERM",
            "messages got SIGTERM",
            "chats got SIGTERM",
            "Server Exiting",
        )
    ]
    assert stop_order == sorted(stop_order), up.log()
    assert_every_line_is_tagged(up)
    assert not [pid for pid in pids if pid_alive(pid)]


async def test_the_embedded_nats_refuses_anonymous_connects_and_knows_each_role(
    start_up: StartUp, tmp_path: Path
) -> None:
    up = await start_up(chatbus_like_roles())
    await up.line_containing("chatbus is up:")
    nats_url = (await up.line_containing("nats-server is ready at ")).split(" at ")[-1]

    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(nats_url, allow_reconnect=False, max_reconnect_attempts=1)
    passwords = role_passwords(tmp_path)
    assert set(passwords) == set(NATS_USERS)
    assert len(set(passwords.values())) == len(passwords)
    for role_name, password in passwords.items():
        url = with_credentials(nats_url, role_name, password)
        nc = await nats.connect(url, inbox_prefix=f"_INBOX_{role_name}", allow_reconnect=False)
        await nc.flush()
        await nc.close()
    wrong = with_credentials(nats_url, "admin", passwords["ops"])
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(wrong, allow_reconnect=False, max_reconnect_attempts=1)
    for secret_file in (
        tmp_path / "var" / CREDENTIALS_FILE,
        tmp_path / "var" / "nats" / AUTHORIZATION_FILE,
    ):
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600, secret_file

    up.process.send_signal(signal.SIGTERM)
    assert await up.exit_code() == 0
    # The stand-in children print their own URLs; chatbus up's own lines show no password.
    own_lines = [line for line in up.lines if line.startswith(("up ", "nats "))]
    assert own_lines and not [
        line for line in own_lines for password in passwords.values() if password in line
    ]
    assert not [line for line in own_lines if "Plaintext passwords" in line]


async def test_with_nats_url_set_no_nats_server_is_started(
    start_up: StartUp,
) -> None:
    external = "nats://127.0.0.1:1,nats://127.0.0.1:2"
    up = await start_up(chatbus_like_roles(), nats_url=external)

    await up.line_containing("chatbus is up:")
    assert (await up.line_containing("messages pid=")).endswith(f"nats={external} secret=True")
    up.process.send_signal(signal.SIGTERM)

    assert await up.exit_code() == 0
    assert not any(line.startswith("nats    |") for line in up.lines)
    assert "nats-server" not in up.log()
    assert len(up.pids()) == 4  # the three services and the edge, no nats-server


async def test_a_crashing_child_stops_everything_with_a_nonzero_exit(
    start_up: StartUp,
) -> None:
    up = await start_up([role("chats", SERVICE), role("crash", CRASH), role("edge", EDGE)])

    assert await up.exit_code(timeout=15) == 1
    assert "crash   | crash is giving up" in up.lines
    assert "crash exited unexpectedly (exit code 3)" in up.log()
    assert "chatbus is up" not in up.log()
    assert not [pid for pid in up.pids() if pid_alive(pid)]


async def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period(
    start_up: StartUp,
) -> None:
    roles = [role("stubborn", STUBBORN), role("edge", EDGE)]
    up = await start_up(roles, timeouts={"stop_timeout": 1.0, "ready_timeout": 10.0})
    await up.line_containing("chatbus is up:")
    stubborn_pid = int((await up.line_containing("ignores SIGTERM")).split("pid=")[1].split()[0])

    up.process.send_signal(signal.SIGTERM)

    assert await up.exit_code(timeout=10) == 0
    assert "stubborn stopped (ended by SIGKILL)" in up.log()
    assert not pid_alive(stubborn_pid)


async def test_an_edge_that_never_answers_healthz_fails_the_start(
    start_up: StartUp,
) -> None:
    up = await start_up(
        [role("chats", SERVICE)], timeouts={"stop_timeout": 10.0, "ready_timeout": 1.0}
    )

    assert await up.exit_code(timeout=15) == 1
    assert "did not answer" in up.log()
    assert "chats got SIGTERM" in up.log()


async def test_a_nats_server_that_cannot_start_fails_up_before_any_child(
    start_up: StartUp,
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        up = await start_up(chatbus_like_roles(), nats_port=squatter.getsockname()[1])

        assert await up.exit_code(timeout=15) == 1

    assert "address already in use" in up.log()
    assert "started chats" not in up.log() and "chats pid=" not in up.log()
    assert_every_line_is_tagged(up)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses PR_SET_PDEATHSIG")
async def test_children_die_with_a_killed_supervisor(
    start_up: StartUp,
) -> None:
    up = await start_up(chatbus_like_roles())
    await up.line_containing("chatbus is up:")
    pids = up.pids()
    assert len(pids) == 5

    up.process.kill()
    await up.exit_code()

    await wait_until(lambda: not [pid for pid in pids if pid_alive(pid)])
