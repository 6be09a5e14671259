"""Commands kept out of the wheel add themselves to ``chatbus`` where they are importable.

``chatbus bench`` is one: benchmarks/ registers it from a checkout (the command
itself runs in tests/unit/benchmarks/test_command.py), and an installation without
benchmarks/ has every other command.
"""

import argparse
import contextlib
import io
from pathlib import Path

import pytest

from services.ops.cli import build_parser

BUILT_IN = ("up", "edge", "service", "docs", "say", "tail", "status", "bots", "nats-url")


def answers(parser: argparse.ArgumentParser, command: str) -> bool:
    """Whether ``chatbus COMMAND --help`` is understood (exit 0) rather than refused (2)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            parser.parse_args([command, "--help"])
        except SystemExit as exit:
            return exit.code == 0
    return False


def test_a_checkout_has_chatbus_bench() -> None:
    parser = build_parser(("benchmarks.chatbus_command",))
    assert [name for name in (*BUILT_IN, "bench") if not answers(parser, name)] == []


def test_without_the_module_every_other_command_is_there() -> None:
    parser = build_parser(("benchmarks_not_here.chatbus_command",))
    assert [name for name in BUILT_IN if not answers(parser, name)] == []
    assert not answers(parser, "bench")


def test_a_registered_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "greeting_command.py").write_text(
        "def register(add):\n"
        "    add('greet', lambda args, settings: 7, 'say hello').add_argument('--name')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    args = build_parser(("greeting_command",)).parse_args(["greet", "--name", "ann"])
    assert (args.name, args.run(args, None)) == ("ann", 7)


def test_a_command_whose_own_import_fails_is_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_command.py").write_text("import a_dependency_nobody_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="a_dependency_nobody_installed"):
        build_parser(("broken_command",))
