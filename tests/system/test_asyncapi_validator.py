"""The official AsyncAPI parser (Node.js) finds no error or warning in the document, as
committed and as the edge serves it."""

import asyncio
import json
import shutil
import subprocess
from typing import Any

import pytest

from tests.support.paths import ASYNCAPI, JS_TOOLS

VALIDATOR = JS_TOOLS / "validate_asyncapi.mjs"


async def validate(source: str) -> list[dict[str, Any]]:
    """The official parser's diagnostics for ``source`` (a file or a URL); fails on a crash."""
    node = shutil.which("node")
    assert node, "Node.js is needed for this test (make test installs tests/js)"
    # Asynchronously: the edge answering the parser's fetch runs in this event loop.
    process = await asyncio.create_subprocess_exec(
        node,
        str(VALIDATOR),
        source,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode in (0, 1), stderr.decode()
    diagnostics: list[dict[str, Any]] = json.loads(stdout)
    return diagnostics


async def test_official_parser_finds_no_errors_or_warnings_in_the_served_document(
    edge_url: str,
) -> None:
    diagnostics = await validate(f"{edge_url}/asyncapi.json")
    assert [d for d in diagnostics if d["severity"] <= 1] == [], diagnostics


@pytest.mark.parametrize("name", ["asyncapi.yaml", "asyncapi.json"])
def test_official_asyncapi_parser_finds_no_errors_or_warnings(name: str) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed for this test (make test installs tests/js)"
    result = subprocess.run(
        [node, str(VALIDATOR), str(ASYNCAPI / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    diagnostics = json.loads(result.stdout)
    assert [d for d in diagnostics if d["severity"] <= 1] == [], diagnostics
    assert result.returncode == 0, result.stdout + result.stderr
