from tests.support.clients import Users


async def test_two_users_chat_in_a_new_public_chat(users: Users) -> None:
    alice = await users.connect()
    bob = await users.connect()
    chat = await alice.ok("chats:create", {"name": "lunch"})
    await bob.ok("chats:join", {"chat_id": chat["id"]})
    sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "hi bob"})
    received = await bob.wait_for("message", lambda m: m["id"] == sent["id"])
    assert received == sent
    assert sent["seq"] == 1 and sent["via"] == "web" and sent["sender"] == alice.username
