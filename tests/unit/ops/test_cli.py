"""The command line: what it takes for an argument."""

import re

from services.chats.rules import new_chat_id
from services.contracts.fields import CHAT_ID_PATTERN
from services.ops.cli import build_parser


def test_every_new_chat_id_reads_as_a_chat_id_on_the_command_line() -> None:
    # token_urlsafe starts one id in 64 with "-", which argparse would take for an option.
    parser = build_parser()
    drawn = {new_chat_id() for _ in range(2000)}
    assert len(drawn) == 2000
    for chat_id in drawn:
        assert re.fullmatch(CHAT_ID_PATTERN, chat_id)
        assert parser.parse_args(["tail", chat_id, "--as", "bob"]).chat_id == chat_id
