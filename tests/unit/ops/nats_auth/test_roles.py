"""The programs' NATS users, and the names they keep from people and bots."""

from services.contracts import RESERVED_USERNAMES
from services.ops.nats_auth.roles import ROLE_NAMES


def test_no_person_or_bot_may_take_a_programs_name() -> None:
    assert set(ROLE_NAMES) | {"search"} <= RESERVED_USERNAMES
