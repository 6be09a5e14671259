"""The command table: one row per event and per subject, the acting user in each subject."""

from typing import Any

import pytest

from services.contracts import COMMANDS, COMMANDS_BY_EVENT


def test_command_table_has_one_row_per_event_and_per_subject() -> None:
    assert len({command.event for command in COMMANDS}) == len(COMMANDS)
    assert len({command.subscription for command in COMMANDS}) == len(COMMANDS)
    assert set(COMMANDS_BY_EVENT) == {command.event for command in COMMANDS}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.event)
def test_command_subject_carries_the_acting_user_as_its_third_token(command: Any) -> None:
    subject = command.subject_for("weatherbot")
    assert subject == f"chat.cmd.weatherbot.{command.area}.{command.verb}"
    assert command.subscription == f"chat.cmd.{{username}}.{command.area}.{command.verb}"
