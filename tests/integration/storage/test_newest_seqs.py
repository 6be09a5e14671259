"""A chat's newest seq found near a seq seen before agrees with reading its last message.

Real nats-server; messages stored through ``MessageArchive.append``.
"""

from nats.js import JetStreamContext

from services.messages.retention import purge_chat
from services.storage.jetstream import last_seq
from services.storage.multi_get import MAX_SUBJECTS
from services.storage.newest_seqs import newest_near
from tests.support.stored_messages import store_messages

PROBE = 16


async def test_found_from_a_hint_when_the_read_shows_it_and_left_out_otherwise(
    js: JetStreamContext,
) -> None:
    await store_messages(js, "long", 40)
    await store_messages(js, "purged", 20)
    await purge_chat(js, "purged", keep=5)  # 16..20 stay

    hints = {"long": 40, "purged": 18}
    assert await newest_near(js, hints, PROBE) == {"long": 40, "purged": 20}
    # The read ends at hint + PROBE: the newest it can show is one below.
    assert await newest_near(js, {"long": 40 - PROBE + 1}, PROBE) == {"long": 40}
    # The run goes on past what was read; the hint is gone; the hint is beyond the chat.
    assert await newest_near(js, {"long": 40 - PROBE}, PROBE) == {}
    assert await newest_near(js, {"purged": 10}, PROBE) == {}
    assert await newest_near(js, {"long": 41}, PROBE) == {}
    assert (await last_seq(js, "long"))[0] == 40


async def test_more_chats_than_one_read_can_name_are_read_in_several(
    js: JetStreamContext,
) -> None:
    chats = {f"c{n}": 1 + n % 3 for n in range(MAX_SUBJECTS // (PROBE + 1) + 5)}
    for chat_id, count in chats.items():
        await store_messages(js, chat_id, count)
    assert await newest_near(js, dict.fromkeys(chats, 1), PROBE) == chats
