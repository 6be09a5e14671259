"""chats:pin (members, at most 50, announced with `chat`) and chats:mute (one's own view)."""

from nats.aio.client import Client

from services.chats import pins
from services.contracts import CREATE_CHAT, MUTE_CHAT, PIN_MESSAGE, SEND_MESSAGE
from tests.support.clients import ChatClient, Users
from tests.support.nats_programs import NatsUser, error_code
from tests.support.shared_stack import (  # noqa: F401 (the module's fixtures)
    IN_THE_MODULES_LOOP,
    shared_edge_url,
    shared_nats_server,
    shared_nc,
    shared_services,
    shared_settings,
    shared_users,
)

pytestmark = IN_THE_MODULES_LOOP


async def chat_with(owner: ChatClient, messages: int, *members: ChatClient) -> str:
    chat = await owner.ok(
        "chats:create", {"name": "pins", "members": [m.username for m in members]}
    )
    for n in range(messages):
        await owner.ok("messages:send", {"chat_id": chat["id"], "text": f"m{n}"})
    return str(chat["id"])


async def test_members_pin_in_order_and_unpin_and_everyone_in_the_chat_hears(
    users: Users,
) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_with(alice, 3, bob)
    await bob.ok("chats:pin", {"chat_id": chat_id, "seq": 3, "pinned": True})
    chat = await alice.ok("chats:pin", {"chat_id": chat_id, "seq": 1, "pinned": True})
    assert chat["pinned"] == [3, 1]
    again = await alice.ok("chats:pin", {"chat_id": chat_id, "seq": 1, "pinned": True})
    assert again["pinned"] == [3, 1] and again["revision"] == chat["revision"]
    await bob.wait_for("chat", lambda c: c["id"] == chat_id and c["pinned"] == [3, 1])
    unpinned = await bob.ok("chats:pin", {"chat_id": chat_id, "seq": 3, "pinned": False})
    assert unpinned["pinned"] == [1]
    await alice.wait_for("chat", lambda c: c["id"] == chat_id and c["pinned"] == [1])
    assert (await alice.ok("chats:get", {"chat_id": chat_id}))["pinned"] == [1]


async def test_pins_of_outsiders_and_of_missing_messages_are_refused(users: Users) -> None:
    alice, carol = await users.connect(), await users.connect()
    chat_id = await chat_with(alice, 2)
    request = {"chat_id": chat_id, "seq": 1, "pinned": True}
    assert await carol.refused("chats:pin", request) == "forbidden"
    assert await alice.refused("chats:pin", {**request, "seq": 3}) == "not_found"
    assert await alice.refused("chats:pin", {**request, "chat_id": "nosuch"}) == "not_found"


async def test_a_chat_holds_at_most_the_pin_limit(users: Users, nc: Client) -> None:
    alice = NatsUser(nc, await users.register())
    chat = await alice.ok(CREATE_CHAT, {"name": "many pins"})
    limit = pins.MAX_PINS_PER_CHAT
    for n in range(limit + 1):
        await alice.ok(SEND_MESSAGE, {"chat_id": chat["id"], "text": f"m{n}"})
    for seq in range(1, limit + 1):
        await alice.ok(PIN_MESSAGE, {"chat_id": chat["id"], "seq": seq, "pinned": True})
    over = await alice.call(PIN_MESSAGE, {"chat_id": chat["id"], "seq": limit + 1, "pinned": True})
    assert error_code(over) == "too_large"
    await alice.ok(PIN_MESSAGE, {"chat_id": chat["id"], "seq": 1, "pinned": False})
    last = await alice.ok(PIN_MESSAGE, {"chat_id": chat["id"], "seq": limit + 1, "pinned": True})
    assert len(last["pinned"]) == limit and last["pinned"][-1] == limit + 1


async def test_mute_is_ones_own_and_shows_in_the_view(users: Users) -> None:
    alice, bob = await users.connect(), await users.connect()
    chat_id = await chat_with(alice, 1, bob)
    view = await bob.ok("chats:mute", {"chat_id": chat_id, "muted": True})
    assert view["muted"] is True and view["id"] == chat_id and view["role"] == "member"
    (listed,) = [c for c in await bob.ok("chats:list") if c["id"] == chat_id]
    assert listed["muted"] is True
    (theirs,) = [c for c in await alice.ok("chats:list") if c["id"] == chat_id]
    assert theirs["muted"] is False
    await bob.ok("chats:mute", {"chat_id": chat_id, "muted": False})
    (listed,) = [c for c in await bob.ok("chats:list") if c["id"] == chat_id]
    assert listed["muted"] is False


async def test_outsiders_cannot_mute_over_either_transport(users: Users, nc: Client) -> None:
    alice, carol = await users.connect(), await users.connect()
    chat_id = await chat_with(alice, 0)
    assert await carol.refused("chats:mute", {"chat_id": chat_id, "muted": True}) == "forbidden"
    bot = NatsUser(nc, carol.username)
    assert error_code(await bot.call(MUTE_CHAT, {"chat_id": chat_id, "muted": True})) == (
        "forbidden"
    )
    assert (await NatsUser(nc, alice.username).ok(MUTE_CHAT, {"chat_id": chat_id, "muted": True}))[
        "muted"
    ] is True
