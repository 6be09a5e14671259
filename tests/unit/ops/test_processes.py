"""A child process's end, told as a person reads it."""

import signal

import pytest

from services.ops.processes import exit_description


@pytest.mark.parametrize(
    ("code", "described"),
    [
        (0, "exit code 0"),
        (3, "exit code 3"),
        (-signal.SIGTERM, "ended by SIGTERM"),
        (-signal.SIGKILL, "ended by SIGKILL"),
        (-200, "ended by signal 200"),
    ],
)
def test_a_childs_end_is_told_by_its_signals_name(code: int, described: str) -> None:
    assert exit_description(code) == described
