"""The README's examples work as written."""

import asyncio
import os
import sys
from pathlib import Path

from services.ops.embedded_nats import EmbeddedNats
from tests.support.clients import Users
from tests.support.readme import python_blocks


async def test_readme_ping_bot_answers_ping_in_general(
    users: Users, nats_server: EmbeddedNats, tmp_path: Path
) -> None:
    (bot_code,) = [block for block in python_blocks() if "pingbot" in block]
    await users.register("pingbot")
    alice = await users.connect()
    await alice.ok("chats:join", {"chat_id": "general"})
    script = tmp_path / "bot.py"
    script.write_text(bot_code)
    bot = await asyncio.create_subprocess_exec(
        sys.executable, str(script), env={**os.environ, "NATS_URL": nats_server.url}
    )
    try:
        # The bot joins general once it runs; ping until it answers, as a person would.
        await alice.wait_for(
            "member", lambda e: e["username"] == "pingbot" and e["action"] == "joined", timeout=20
        )
        await alice.ok("messages:send", {"chat_id": "general", "text": "ping"})
        pong = await alice.wait_for("message", lambda m: m["sender"] == "pingbot", timeout=10)
        assert pong["text"] == "pong" and pong["via"] == "nats"
    finally:
        bot.kill()
        await bot.wait()
