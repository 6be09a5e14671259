"""`chatbus up`'s embedded NATS with authorization, from outside: as a local process would try.

Anonymous connects are refused; each role's URL works; `chatbus status`, `up`'s
log and connection errors show no password; `chatbus bots add` gives a bot
exactly a bot's rights at once (the README's bot runs with the URL it prints)
and `bots remove` takes them away at once.
"""

import asyncio
import json
import os
import re
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.js import JetStreamContext

from services.contracts import LIST_CHATS, storage, subjects, utc_now
from services.ops.embedded_nats import EmbeddedNats, free_port
from services.ops.nats_auth.conf import user_entry
from services.ops.nats_auth.credentials import CREDENTIALS_FILE
from services.ops.nats_auth.roles import bot_user
from services.storage.account_records import AccountRecord
from services.storage.jetstream import open_bucket
from tests.support.chatbus_up import CHATBUS_UP, RunningUp, chatbus_up_env
from tests.support.clients import PASSWORD, ChatClient
from tests.support.http import http_client
from tests.support.nats_programs import NatsProgram, NatsUser
from tests.support.readme import python_blocks

CHATBUS = [sys.executable, "-m", "services.ops.cli"]
BOT = "pingbot"


class EmbeddedUp(RunningUp):
    """A `chatbus up` process with its data dir and the URL of its nats-server."""

    def __init__(self, process: asyncio.subprocess.Process, url: str, data_dir: Path) -> None:
        super().__init__(process, url)
        self.data_dir = data_dir
        self.nats_url = ""

    async def until_up(self) -> None:
        await self.read_until("chatbus is up")
        (ready,) = [line for line in self.lines if "nats-server is ready at " in line]
        self.nats_url = ready.split(" at ")[-1].strip()

    def passwords(self) -> list[str]:
        """Every password in the data dir's credentials file."""
        data = json.loads((self.data_dir / CREDENTIALS_FILE).read_text())
        return [*data["roles"].values(), *(bot["password"] for bot in data["bots"].values())]

    async def chatbus(self, *args: str, nats_url: str | None = None) -> tuple[int, str, str]:
        """Run ``chatbus <args>`` as a person beside this `chatbus up` would."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_")}
        env.pop("NATS_URL", None)
        env["CHATBUS_DATA_DIR"] = str(self.data_dir)
        if nats_url is not None:
            env["NATS_URL"] = nats_url
        process = await asyncio.create_subprocess_exec(
            *CHATBUS, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        async with asyncio.timeout(30):
            out, err = await process.communicate()
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()


@pytest.fixture
async def embedded_up(tmp_path: Path) -> AsyncIterator[EmbeddedUp]:
    port = free_port()
    data_dir = tmp_path / "var"
    process = await asyncio.create_subprocess_exec(
        *CHATBUS_UP,
        env=chatbus_up_env(port, free_port(), data_dir),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    running = EmbeddedUp(process, f"http://127.0.0.1:{port}", data_dir)
    try:
        await running.until_up()
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def without_any(text: str, passwords: list[str]) -> bool:
    return not [password for password in passwords if password in text]


async def test_anonymous_nats_is_refused_and_no_output_shows_a_password(
    embedded_up: EmbeddedUp,
) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(embedded_up.nats_url, allow_reconnect=False, max_reconnect_attempts=1)
    passwords = embedded_up.passwords()

    code, ops_url, _ = await embedded_up.chatbus("nats-url", "--role", "ops")
    assert code == 0 and re.fullmatch(r"nats://ops:[\w-]{40,}@127\.0\.0\.1:\d+\n", ops_url)
    ops = await nats.connect(ops_url.strip(), inbox_prefix="_INBOX_ops", allow_reconnect=False)
    assert (await ops.jetstream().account_info()).streams >= 1
    await ops.close()

    code, text, err = await embedded_up.chatbus("status")
    assert (code, err) == (0, ""), text
    assert f"NATS      {embedded_up.nats_url}  " in text and "all well" in text
    code, report, err = await embedded_up.chatbus("status", "--json")
    assert code == 0 and json.loads(report)["nats_url"] == embedded_up.nats_url
    assert without_any(text + report + err, passwords)

    # A URL whose password is wrong, or whose server is not there: said without the password.
    nowhere = f"nats://ops:not-{passwords[0]}@127.0.0.1:{free_port()}"
    code, out, err = await embedded_up.chatbus("status", nats_url=nowhere)
    assert code == 1 and err.startswith("chatbus status: cannot reach NATS at nats://127.0.0.1:")
    code, out, err = await embedded_up.chatbus(
        "say", "--as", "alice", "general", "hi", nats_url=nowhere
    )
    assert code == 1 and "cannot reach NATS at nats://127.0.0.1:" in err
    wrong = embedded_up.nats_url.replace("nats://", f"nats://ops:not-{passwords[0]}@")
    code, out, err = await embedded_up.chatbus("status", nats_url=wrong)
    assert code == 1 and "Authorization Violation" in err
    assert without_any(out + err, [f"not-{passwords[0]}", *passwords])

    assert await embedded_up.stop() == 0
    log = "".join(embedded_up.lines)
    assert "nats-server is ready at nats://127.0.0.1:" in log and without_any(log, passwords)
    lines = log.count("\n")
    print(f"\n{len(passwords)} passwords in none of: status, --json, 3 errors, {lines} lines")


async def test_tools_without_credentials_say_chatbus_up_never_ran(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_") and k != "NATS_URL"}
    env["CHATBUS_DATA_DIR"] = str(tmp_path / "nowhere")
    for args in (
        ["status"],
        ["say", "--as", "alice", "general", "hi"],
        ["nats-url", "--role", "ops"],
    ):
        done = await asyncio.create_subprocess_exec(
            *CHATBUS, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await done.communicate()
        assert done.returncode == 1, args
        assert "no NATS credentials in" in err.decode() and "`chatbus up` never ran" in err.decode()
        assert "Traceback" not in err.decode() and out == b""


async def register_and_connect(url: str, username: str) -> ChatClient:
    async with http_client(base_url=url) as http:
        credentials = {"username": username, "password": PASSWORD}
        assert (await http.post("/api/register", json=credentials)).status_code == 201
        token = (await http.post("/api/login", json=credentials)).json()["token"]
    client = ChatClient(url, token, username)
    await client.connect()
    return client


async def test_bots_add_gives_exactly_a_bots_rights_at_once_and_remove_takes_them_away(
    embedded_up: EmbeddedUp, tmp_path: Path
) -> None:
    alice = await register_and_connect(embedded_up.url, "alice")
    bot_process = None
    try:
        await alice.ok("chats:join", {"chat_id": "general"})
        secret = await alice.ok("chats:create", {"name": "secret", "private": True})

        started = time.perf_counter()
        code, out, err = await embedded_up.chatbus("bots", "add", BOT, "--chat", "general")
        added_in = time.perf_counter() - started
        assert code == 0, err
        (bot_url,) = re.fullmatch(
            r"NATS_URL=(nats://pingbot:[\w-]+@127\.0\.0\.1:\d+)\n", out
        ).groups()

        # The README's bot, as written, with the URL printed: it answers at once.
        script = tmp_path / "pingbot.py"
        (script.write_text(next(block for block in python_blocks() if BOT in block)))
        bot_process = await asyncio.create_subprocess_exec(
            sys.executable, str(script), env={**os.environ, "NATS_URL": bot_url}
        )
        await alice.wait_for("member", lambda e: e["username"] == BOT, timeout=20)
        await alice.ok("messages:send", {"chat_id": "general", "text": "ping"})
        pong = await alice.wait_for("message", lambda m: m["sender"] == BOT, timeout=10)
        assert pong["text"] == "pong"

        bot = NatsProgram()
        await bot.connect(bot_url, inbox_prefix=f"_INBOX_{BOT}")
        assert (await NatsUser(bot.nc, BOT).call(LIST_CHATS))["ok"] is True
        heard = await bot.nc.subscribe("chat.room.general.>")
        mine = await bot.nc.subscribe(f"chat.user.{BOT}.>")
        refused_subscriptions = [
            "chat.auth.>",
            "_INBOX.>",
            "_INBOX_edge.>",
            f"chat.room.{secret['id']}.>",
            subjects.ALL_ROOM_EVENTS,
        ]
        for subject in refused_subscriptions:
            await bot.nc.subscribe(subject)
            await bot.violation("subscription", subject)
        refused_publishes = [
            subjects.command("alice", "messages", "send"),
            f"$KV.{storage.USERS_BUCKET}.alice",
            "$JS.API.INFO",
            subjects.LOGIN,
        ]
        for subject in refused_publishes:
            await bot.nc.publish(subject, b"{}")
            await bot.violation("publish", subject)
        await alice.ok("messages:send", {"chat_id": "general", "text": "heard?"})
        await heard.next_msg(timeout=5)
        assert len(bot.violations()) == len(refused_subscriptions) + len(refused_publishes)
        await mine.unsubscribe()

        # Without NATS_URL, say acts through the embedded server as its admin.
        code, out, err = await embedded_up.chatbus("say", "--as", "alice", "general", "as admin")
        assert code == 0 and out.endswith("alice: as admin\n"), err
        code, out, _ = await embedded_up.chatbus("bots", "list")
        assert (code, out) == (0, "NAME     CHATS\npingbot  general\n")

        started = time.perf_counter()
        code, out, err = await embedded_up.chatbus("bots", "remove", BOT)
        assert code == 0, err
        # Revoked at once: its open connections are closed, a new one is refused.
        await asyncio.wait_for(bot.closed.wait(), 10)
        print(
            f"\nbots add: the bot connected {added_in:.2f} s after the command started; "
            f"bots remove: its connection closed {time.perf_counter() - started:.2f} s after"
        )
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(bot_url, allow_reconnect=False, max_reconnect_attempts=1)
        async with http_client(base_url=embedded_up.url) as http:
            login = await http.post("/api/login", json={"username": BOT, "password": PASSWORD})
            nobody = await http.post("/api/login", json={"username": "nobody", "password": "x"})
            # The same refusal as for a name nobody has: a bot's account has no password.
            assert login.status_code == nobody.status_code == 401
            assert login.json() == nobody.json() and "wrong username or password" in login.text
            taken = await http.post("/api/register", json={"username": BOT, "password": PASSWORD})
            assert taken.status_code == 409
    finally:
        if bot_process is not None and bot_process.returncode is None:
            bot_process.kill()
            await bot_process.wait()
        await alice.sio.disconnect()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bots", "add", "ops"], "'ops' is reserved"),
        (["bots", "add", "Pingbot"], "is not a username"),
        (["bots", "add", "pingbot", "--chat", "no.such"], "is not a chat id"),
    ],
)
async def test_bots_add_refuses_names_it_cannot_give(
    tmp_path: Path, args: list[str], message: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_") and k != "NATS_URL"}
    env["CHATBUS_DATA_DIR"] = str(tmp_path)
    done = await asyncio.create_subprocess_exec(
        *CHATBUS, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await done.communicate()
    assert done.returncode == 2 and message in err.decode() and out == b""


async def test_with_nats_url_bots_add_creates_the_account_and_prints_the_nats_conf_entry(
    nats_server: EmbeddedNats, js: JetStreamContext, tmp_path: Path
) -> None:
    users = await open_bucket(js, storage.USERS_BUCKET)
    person = AccountRecord(username="alice", password_hash="$argon2id$v=19$x", created_at=utc_now())
    await users.create("alice", person.model_dump_json().encode())
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_")}
    env |= {"NATS_URL": nats_server.url, "CHATBUS_DATA_DIR": str(tmp_path)}

    async def chatbus(*args: str) -> tuple[int, str, str]:
        done = await asyncio.create_subprocess_exec(
            *CHATBUS, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await done.communicate()
        assert done.returncode is not None
        return done.returncode, out.decode(), err.decode()

    code, out, err = await chatbus("bots", "add", BOT, "--chat", "general")
    assert code == 0, err
    entry = "\n".join(user_entry(bot_user(BOT, ["general"]), "$CHATBUS_NATS_PINGBOT_PASSWORD"))
    assert entry in out and '"_INBOX_pingbot.>" to the publish allow lists' in out
    (password,) = re.findall(r"CHATBUS_NATS_PINGBOT_PASSWORD=([\w-]+) ", out)
    assert out.endswith(f"NATS_URL={nats_server.url.replace('//', f'//{BOT}:{password}@')}\n")
    record = AccountRecord.model_validate_json((await users.get(BOT)).value or b"")
    assert record.password_hash is None  # no password login

    code, out, err = await chatbus("bots", "add", "alice")
    assert (code, out) == (1, "") and "'alice' is a person's account" in err
    code, out, err = await chatbus("bots", "list")
    assert code == 2 and "with NATS_URL set, bots are users in your nats.conf" in err


async def test_chatbus_admin_grants_and_revokes_the_workspace_role_as_the_admin_user(
    embedded_up: EmbeddedUp,
) -> None:
    alice = await register_and_connect(embedded_up.url, "alice")
    bob = await register_and_connect(embedded_up.url, "bob")
    try:
        deactivate = {"username": bob.username, "deactivated": True}
        assert await alice.refused("users:deactivate", deactivate) == "forbidden"
        code, out, err = await embedded_up.chatbus("admin", "grant", "alice")
        assert (code, out, err) == (0, "alice is a workspace admin\n", "")
        assert (await alice.ok("users:get", {"username": "alice"}))["role"] == "admin"
        assert (await alice.ok("users:deactivate", {**deactivate, "deactivated": False}))[
            "deactivated"
        ] is False
        code, out, err = await embedded_up.chatbus("admin", "revoke", "alice")
        assert code == 0 and "no longer a workspace admin" in out
        assert await alice.refused("users:deactivate", deactivate) == "forbidden"
        code, _, err = await embedded_up.chatbus("admin", "grant", "nobody")
        assert code == 1 and "no user named 'nobody'" in err
    finally:
        await asyncio.gather(alice.sio.disconnect(), bob.sio.disconnect())
