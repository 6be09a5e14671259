"""The signing secret: generated once, readable by its owner only from the moment it exists;
refused when set too short, without being repeated in the error."""

import asyncio
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from services.core.settings import MIN_SECRET_BYTES, SECRET_FILE
from tests.support.paths import ROOT

# Generates the secret in a data dir under umask 0, with an audit hook that records how
# files there were opened, chmod-ed and linked: a file written and then chmod-ed shows.
GENERATE = """
import json, os, sys
data = sys.argv[1]
events = []

def hook(event, args):
    if event in ("open", "os.chmod", "os.link") and str(args[0]).startswith(data):
        flags = args[2] if event == "open" and isinstance(args[2], int) else None
        events.append({"event": event, "path": str(args[0]), "flags": flags})

sys.addaudithook(hook)
os.umask(0)
from services.core.settings import Settings

key = Settings(data_dir=data).signing_key
print(json.dumps({"key": key, "events": events}))
"""


def without_chatbus_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_") and k != "NATS_URL"}


def generate(data_dir: Path) -> tuple[str, list[dict[str, Any]]]:
    """The key a new process generates in ``data_dir``, and how it opened and chmod-ed files."""
    result = subprocess.run(
        [sys.executable, "-c", GENERATE, str(data_dir)],
        cwd=ROOT,
        env=without_chatbus_settings(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    return output["key"], output["events"]


def test_the_generated_secret_is_created_0600_and_exclusively_never_chmod_ed(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    key, events = generate(data_dir)
    assert not [e for e in events if e["event"] == "os.chmod"], events
    opened = [e for e in events if e["event"] == "open" and e["flags"] is not None]
    created = [e for e in opened if e["flags"] & os.O_CREAT]
    assert created, events
    assert all(e["flags"] & os.O_EXCL for e in created), created
    # Under umask 0 and with no chmod, the mode now is the mode it was created with.
    secret = data_dir / SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text() == key
    assert len(key.encode()) >= MIN_SECRET_BYTES
    assert [p.name for p in data_dir.iterdir()] == [SECRET_FILE]  # no draft left behind


async def test_processes_starting_at_once_all_get_the_same_secret(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            GENERATE,
            str(data_dir),
            cwd=ROOT,
            env=without_chatbus_settings(),
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(4)
    ]
    outputs = [await process.communicate() for process in processes]
    keys = {json.loads(stdout)["key"] for stdout, _ in outputs}
    assert len(keys) == 1
    assert keys == {(data_dir / SECRET_FILE).read_text()}


def test_the_command_line_says_a_short_secret_is_refused_and_does_not_print_it() -> None:
    secret = "hunter2-is-too-short"
    result = subprocess.run(
        [sys.executable, "-m", "services.ops.cli", "status"],
        cwd=ROOT,
        env=without_chatbus_settings() | {"CHATBUS_SECRET": secret},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "CHATBUS_SECRET must be at least 32 bytes" in result.stderr
    assert secret not in result.stdout + result.stderr
