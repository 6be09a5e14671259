"""`chatbus up` as README's run command starts it, in a subprocess."""

import asyncio
import os
import signal
import sys
from pathlib import Path

CHATBUS_UP = [sys.executable, "-m", "services.ops.cli", "up"]
UP_WITHIN_SECONDS = 60
STOP_WITHIN_SECONDS = 15


def chatbus_up_env(port: int, nats_port: int, data_dir: Path, **settings: str) -> dict[str, str]:
    """This environment without chatbus settings, plus the ports, data dir and ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CHATBUS_") and key != "NATS_URL"
    }
    env |= {
        "CHATBUS_PORT": str(port),
        "CHATBUS_NATS_PORT": str(nats_port),
        "CHATBUS_DATA_DIR": str(data_dir),
    }
    return env | {f"CHATBUS_{name.upper()}": value for name, value in settings.items()}


class RunningUp:
    """A `chatbus up` process and what it printed."""

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process = process
        self.url = url
        self.lines: list[str] = []

    async def read_until(self, text: str) -> None:
        """Read its output until a line holds ``text``; fails if it ends first."""
        assert self.process.stdout is not None
        async with asyncio.timeout(UP_WITHIN_SECONDS):
            while True:
                line = await self.process.stdout.readline()
                if not line:
                    raise AssertionError("chatbus up ended early:\n" + "".join(self.lines[-30:]))
                self.lines.append(line.decode(errors="replace"))
                if text in self.lines[-1]:
                    return

    async def stop(self) -> int:
        """SIGTERM it and read the rest of its output; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        assert self.process.stdout is not None
        async with asyncio.timeout(STOP_WITHIN_SECONDS):
            rest = await self.process.stdout.read()
            self.lines.append(rest.decode(errors="replace"))
            return await self.process.wait()
