"""10,000 attempts by non-members on a private chat, over socket.io and NATS.

Reading, posting, joining, inviting, typing, leaving, naming another user in
the payload, forging the edge's header, asking to subscribe to the room: none
succeeds, each is answered ``forbidden`` (or ``invalid`` for a payload that
names a user), and no intruder socket receives anything of the chat while its
owner keeps posting. The same campaign runs as a script:
``python -m tests.system.abuse.authorization --attempts 10000``.
"""

import pytest

from services.ops.embedded_nats import EmbeddedNats
from tests.system.abuse.authorization import run_campaign
from tests.system.abuse.stack import Stack

ATTEMPTS = 10_000

pytestmark = pytest.mark.timeout(180)


async def test_ten_thousand_attempts_by_non_members_on_a_private_chat_all_fail(
    stack: Stack, nats_server: EmbeddedNats
) -> None:
    figures = await run_campaign(stack.url, nats_server.url, ATTEMPTS)
    print("\n" + figures.summary())
    assert figures.attempts == ATTEMPTS
    assert figures.succeeded == 0
    assert figures.wrong == []
    assert figures.leaked_events == []
    assert figures.owner_messages > 0  # there was something to leak
    assert len(figures.per_kind) >= 15
    assert stack.all_running()
