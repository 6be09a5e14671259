"""The unit tier runs no process and opens no connection: either fails its test at once."""

import asyncio
import socket
import subprocess
from typing import Any, NoReturn

import pytest


def _refused(what: str) -> Any:
    def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise AssertionError(f"a unit test {what}: it belongs in tests/integration or tests/system")

    return refuse


@pytest.fixture(autouse=True)
def no_network_and_no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connecting a socket or starting a process fails the test that tried."""
    monkeypatch.setattr(socket.socket, "connect", _refused("connected a socket"))
    monkeypatch.setattr(socket.socket, "connect_ex", _refused("connected a socket"))
    monkeypatch.setattr(subprocess.Popen, "__init__", _refused("started a process"))
    monkeypatch.setattr(asyncio, "create_subprocess_exec", _refused("started a process"))
