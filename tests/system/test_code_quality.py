"""The type checker and the linter run clean (STYLE.md: "the checker runs clean")."""

import subprocess
import sys

from tests.support.paths import ROOT


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_mypy_finds_no_type_errors_in_services_and_the_benchmark() -> None:
    result = run("mypy", "services", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_no_lint_errors() -> None:
    result = run("ruff", "check", "services", "benchmarks", "tests")
    assert result.returncode == 0, result.stdout + result.stderr
