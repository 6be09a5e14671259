"""Child processes that start, talk and stop the same way everywhere.

Used by the embedded nats-server launcher and by ``chatbus up``. Every child
runs in its own process group (so a terminal's Ctrl-C reaches only its
parent, which stops children in order), has stdout and stderr merged into one
pipe read line by line, and on Linux is sent SIGTERM if its parent dies, so a
killed ``chatbus up`` or test run leaves no orphans.
"""

import asyncio
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

__all__ = [
    "LineSink",
    "first_line",
    "http_status",
    "pump_lines",
    "signal_group",
    "spawn",
    "stop_process",
]

LineSink = Callable[[str], None]
"""Receives one line of a child's output, without the line ending."""

# Longer lines are cut rather than stalling the reader (asyncio's default is 64 KiB).
LINE_LIMIT = 1 << 20
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGTERM the child when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    # Resolved before fork: the hook itself must do as little as possible.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()
    sigterm = int(signal.SIGTERM)

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, sigterm)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os.kill(os.getpid(), sigterm)

    return hook


async def spawn(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None
) -> asyncio.subprocess.Process:
    """Start ``argv`` in its own process group with stdout+stderr on one pipe.

    Note: on Linux the death signal is tied to the thread that spawns the
    child, so call this from a thread that lives as long as the child should.
    """
    return await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=dict(env) if env is not None else None,
        start_new_session=True,
        preexec_fn=_die_with_parent(),
        limit=LINE_LIMIT,
    )


async def pump_lines(stream: asyncio.StreamReader, sink: LineSink) -> None:
    """Hand every line of ``stream`` to ``sink`` until end of file."""
    while True:
        try:
            raw = await stream.readline()
        except ValueError:  # over LINE_LIMIT: asyncio has already dropped it
            sink(f"[line longer than {LINE_LIMIT} bytes dropped]")
            continue
        if not raw:
            return
        sink(raw.decode(errors="replace").rstrip("\r\n"))


def signal_group(process: asyncio.subprocess.Process, sig: int) -> None:
    """Send ``sig`` to the child's whole process group, if any of it is left."""
    try:
        os.killpg(process.pid, sig)  # spawn() made the child its group's leader
    except (ProcessLookupError, PermissionError):
        pass


def exit_description(code: int) -> str:
    """How a child ended, for a person: ``exit code 1``, or ``ended by SIGTERM``.

    uvicorn re-raises the signal it shut down on, so a clean stop of the edge
    reads as -15; named, it no longer looks like a crash.
    """
    if code >= 0:
        return f"exit code {code}"
    try:
        return f"ended by {signal.Signals(-code).name}"
    except ValueError:
        return f"ended by signal {-code}"


async def stop_process(process: asyncio.subprocess.Process, *, grace: float = 10.0) -> int:
    """SIGTERM the child's group, wait up to ``grace`` seconds, then SIGKILL it.

    Returns the child's exit code (negative: the signal that ended it).
    """
    if process.returncode is None:
        signal_group(process, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            signal_group(process, signal.SIGKILL)
    code = await process.wait()
    # Anything the child left behind in its group (workers, helpers) goes too.
    signal_group(process, signal.SIGKILL)
    return code


async def first_line(
    host: str, port: int, *, send: bytes = b"", timeout: float = 1.0
) -> bytes | None:
    """Connect, send ``send``, return the first line the peer answers; None if unreachable."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return None
    try:
        if send:
            writer.write(send)
        return await asyncio.wait_for(reader.readline(), timeout)
    except (OSError, TimeoutError):
        return None
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


async def http_status(url: str, *, timeout: float = 1.0) -> int | None:
    """GET ``url`` (plain http) and return the status code, or None if unreachable.

    Hand-written so readiness probes need no HTTP client dependency and never
    go through a proxy from the environment.
    """
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
    status_line = await first_line(
        parts.hostname or "127.0.0.1", parts.port or 80, send=request.encode(), timeout=timeout
    )
    fields = (status_line or b"").split()
    return int(fields[1]) if len(fields) >= 2 and fields[1].isdigit() else None
