"""The embedded nats-server's authorization: its config, its URLs, reloading it.

``chatbus up`` writes the authorization block (with the generated passwords,
0600) next to the server's own config, which includes it; a change (a bot
added or removed) rewrites it and asks the running server to reload it
(SIGHUP), which applies at once: new users can connect, removed users'
connections are closed, and changed rights apply to connections already open.
"""

import asyncio
import json
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import nats
import nats.errors

from services.core.nats_urls import inbox_prefix_for, with_credentials
from services.core.private_files import write_private
from services.core.settings import Settings
from services.ops.embedded_nats import LOOPBACK

from .conf import authorization_block
from .credentials import CredentialsMissing, CredentialStore, NatsCredentials

__all__ = [
    "AUTHORIZATION_FILE",
    "RunningServer",
    "embedded_store",
    "embedded_url",
    "reload",
    "running_server",
    "servers_as",
    "until_connect",
    "write_authorization",
]

AUTHORIZATION_FILE = "authorization.conf"
# How long a reload may take before a new user can connect (or a removed one cannot).
RELOAD_TIMEOUT = 10.0
RELOAD_POLL = 0.05


@dataclass(frozen=True)
class RunningServer:
    """The embedded nats-server running on a data dir: its process and client port."""

    pid: int
    port: int


def embedded_store(settings: Settings) -> Path:
    """The embedded nats-server's directory: its store, config and ports file."""
    return settings.data_dir / "nats"


def write_authorization(store: Path, credentials: NatsCredentials) -> Path:
    """Write the server's authorization block (passwords in it, so 0600); its path."""
    store.mkdir(parents=True, exist_ok=True)
    path = store / AUTHORIZATION_FILE
    block = authorization_block(
        credentials.users(), lambda user: json.dumps(credentials.password(user))
    )
    write_private(path, block)
    return path


def running_server(store: Path) -> RunningServer | None:
    """The nats-server serving ``store`` now, from its ports file; None when none runs.

    nats-server writes ``<executable>_<pid>.ports`` once it listens and removes it on a
    clean exit; a killed server leaves it behind, so the pid is checked too.
    """
    for ports_file in sorted(store.glob("*_*.ports")):
        try:
            pid = int(ports_file.stem.rsplit("_", 1)[1])
            port = urlsplit(json.loads(ports_file.read_text())["nats"][0]).port
        except (OSError, ValueError, KeyError, IndexError):
            continue
        if port and _alive(pid):
            return RunningServer(pid, port)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, if not ours to signal
    return True


def reload(server: RunningServer) -> None:
    """Ask the server to read its config again (what ``nats-server --signal reload`` sends)."""
    os.kill(server.pid, signal.SIGHUP)


def embedded_url(settings: Settings, user: str) -> str:
    """``nats://<user>:<password>@127.0.0.1:<port>`` for the embedded server of this data dir.

    The port is the running server's, else ``CHATBUS_NATS_PORT``. ``CredentialsMissing``
    when ``chatbus up`` never ran with this data dir, or the server is nowhere to be found.
    """
    credentials = CredentialStore(settings.data_dir).load()
    try:
        password = credentials.password(user)
    except KeyError:
        raise CredentialsMissing(f"the embedded nats-server has no user {user!r}") from None
    server = running_server(embedded_store(settings))
    port = server.port if server else settings.nats_port
    if not port:
        raise CredentialsMissing(
            "the embedded nats-server is not running (CHATBUS_NATS_PORT=0 picks its port at start)"
        )
    return with_credentials(f"nats://{LOOPBACK}:{port}", user, password)


def servers_as(settings: Settings, role: str) -> list[str]:
    """The NATS URLs a command-line tool connects to: ``NATS_URL``, else the embedded server's
    as ``role`` (its credentials from the data dir; ``CredentialsMissing`` if there are none)."""
    if settings.nats_url:
        return settings.nats_servers
    return [embedded_url(settings, role)]


async def until_connect(
    url: str, *, refused: bool = False, timeout: float = RELOAD_TIMEOUT
) -> None:
    """Wait until ``url``'s user can connect (or, ``refused``, is refused), as after a reload."""

    async def quiet(error: Exception) -> None:
        """nats-py would log each refusal with a traceback."""

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            nc = await nats.connect(
                url,
                inbox_prefix=inbox_prefix_for([url], "admin"),
                allow_reconnect=False,
                max_reconnect_attempts=1,
                connect_timeout=2,
                error_cb=quiet,
            )
        except (OSError, nats.errors.Error):
            if refused:
                return
        else:
            await nc.close()
            if not refused:
                return
        if loop.time() > deadline:
            outcome = "still connects" if refused else "cannot connect"
            raise TimeoutError(f"the user {outcome} {timeout} s after the reload")
        await asyncio.sleep(RELOAD_POLL)
