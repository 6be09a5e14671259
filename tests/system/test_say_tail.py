"""`chatbus say` and `chatbus tail`, run as a person runs them, against a real NATS."""

import asyncio
import json
import os
import re
import shlex
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest

from services.contracts import COMMANDS
from services.core.settings import Settings
from services.ops.cli import build_parser
from services.ops.embedded_nats import free_port
from tests.support.clients import ChatClient, Users
from tests.support.paths import README

CHATBUS = str(Path(sys.executable).parent / "chatbus")
GENERAL = "general"
LINE_SECONDS = 15
PRINTED = re.compile(r"^#(?P<seq>\d+) (?P<sender>[a-z0-9_-]+): (?P<text>.*)$")


def environment(nats_url: str) -> dict[str, str]:
    """The caller's environment with only ``NATS_URL`` set among chatbus's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBUS_") and k != "NATS_URL"}
    return env | {"NATS_URL": nats_url}


async def chatbus(nats_url: str, *args: str) -> tuple[int, str, str]:
    """Run ``chatbus <args>`` to the end: exit code, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        CHATBUS,
        *args,
        env=environment(nats_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def one_line_error(stderr: str) -> str:
    """The error ``chatbus`` printed: exactly one line, no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("chatbus: "), stderr
    return lines[0]


@pytest.fixture
async def alice(users: Users) -> ChatClient:
    """A member of general, connected with socket.io like a browser."""
    client = await users.connect()
    await client.ok("chats:join", {"chat_id": GENERAL})
    return client


async def test_say_posts_as_the_user_and_members_see_it_live_and_in_history(
    settings: Settings, users: Users, alice: ChatClient
) -> None:
    bob = await users.register()
    assert settings.nats_url
    code, out, err = await chatbus(
        settings.nats_url, "say", "--as", bob, "--join", GENERAL, "hello", "there"
    )
    assert code == 0, err
    printed = PRINTED.match(out.strip())
    assert printed, out
    assert (printed["sender"], printed["text"]) == (bob, "hello there")
    seq = int(printed["seq"])

    live = await alice.wait_for("message", lambda m: m["sender"] == bob)
    assert (live["seq"], live["text"], live["via"]) == (seq, "hello there", "nats")
    page = await alice.ok("messages:history", {"chat_id": GENERAL, "after": seq - 1})
    assert [(m["seq"], m["sender"], m["text"]) for m in page["messages"]] == [
        (seq, bob, "hello there")
    ]


async def test_say_in_a_chat_not_joined_fails_with_the_services_reason(
    settings: Settings, users: Users, alice: ChatClient
) -> None:
    carol = await users.register()
    assert settings.nats_url
    code, out, err = await chatbus(settings.nats_url, "say", "--as", carol, GENERAL, "hi")
    assert code == 1 and out == ""
    assert one_line_error(err).startswith("chatbus: forbidden: "), err
    await alice.sync()
    assert alice.received("message", lambda m: m["sender"] == carol) == []


async def test_say_to_a_chat_that_does_not_exist_is_not_found(
    settings: Settings, users: Users
) -> None:
    dave = await users.register()
    assert settings.nats_url
    code, _, err = await chatbus(settings.nats_url, "say", "--as", dave, "--join", "nope", "hi")
    assert code == 1
    assert one_line_error(err).startswith("chatbus: not_found: "), err


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["say", "--as", "Alice", GENERAL, "hi"], "is not a username"),
        (["say", "--as", "alice", "no such chat!", "hi"], "is not a chat id"),
        (["say", "--as", "alice", GENERAL, "   "], "text"),
        (["tail", "../general"], "is not a chat id"),
        (["tail", GENERAL, "--history", "5"], "--history needs --as"),
        (["tail", GENERAL, "--as", "alice", "--history", "101"], "between 0 and 100"),
    ],
    ids=["bad-username", "bad-chat-id", "blank-text", "tail-bad-chat", "history-alone", "too-many"],
)
async def test_bad_input_is_one_line_and_exit_code_2(args: list[str], complaint: str) -> None:
    # NATS is never reached: the input is refused first.
    code, out, err = await chatbus(f"nats://127.0.0.1:{free_port()}", *args)
    assert code == 2 and out == ""
    assert complaint in one_line_error(err)


@pytest.mark.parametrize("command", [["say", "--as", "alice", GENERAL, "hi"], ["tail", GENERAL]])
async def test_unreachable_nats_is_one_line_and_exit_code_1(command: list[str]) -> None:
    nowhere = f"nats://127.0.0.1:{free_port()}"
    code, _, err = await chatbus(nowhere, *command)
    assert code == 1
    assert f"cannot reach NATS at {nowhere}" in one_line_error(err)


@pytest.fixture
async def tails() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """The ``chatbus tail`` processes a test starts; any still running is killed at the end."""
    started: list[asyncio.subprocess.Process] = []
    yield started
    for process in started:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def start_tail(
    settings: Settings, started: list[asyncio.subprocess.Process], *args: str
) -> asyncio.subprocess.Process:
    """``chatbus tail <args>``, returned once it says it is following (subscribed)."""
    assert settings.nats_url
    process = await asyncio.create_subprocess_exec(
        CHATBUS,
        "tail",
        *args,
        env=environment(settings.nats_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    started.append(process)
    assert process.stderr is not None
    said = await asyncio.wait_for(process.stderr.readline(), LINE_SECONDS)
    assert said.decode().startswith("chatbus: following "), said
    return process


async def next_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), LINE_SECONDS)
    assert line, "tail ended"
    return line.decode().rstrip("\n")


async def test_tail_prints_the_last_messages_then_what_others_send(
    settings: Settings,
    users: Users,
    alice: ChatClient,
    tails: list[asyncio.subprocess.Process],
) -> None:
    for text in ("one", "two", "three"):
        await alice.ok("messages:send", {"chat_id": GENERAL, "text": text})
    bob = await users.connect()
    await bob.ok("chats:join", {"chat_id": GENERAL})
    tail = await start_tail(settings, tails, GENERAL, "--as", bob.username, "--history", "2")
    sender = alice.username
    assert [await next_line(tail), await next_line(tail)] == [
        f"#2 {sender}: two",
        f"#3 {sender}: three",
    ]

    await alice.ok("messages:send", {"chat_id": GENERAL, "text": "four\nand a second line"})
    assert await next_line(tail) == f"#4 {sender}: four"
    assert await next_line(tail) == "    and a second line"

    tail.send_signal(signal.SIGINT)  # Ctrl-C
    assert await asyncio.wait_for(tail.wait(), LINE_SECONDS) == 0
    assert tail.stderr is not None
    assert "Traceback" not in (await tail.stderr.read()).decode()


async def test_tail_without_a_user_follows_live_messages(
    settings: Settings, alice: ChatClient, tails: list[asyncio.subprocess.Process]
) -> None:
    tail = await start_tail(settings, tails, GENERAL)
    sent = await alice.ok("messages:send", {"chat_id": GENERAL, "text": "anyone there?"})
    assert await next_line(tail) == f"#{sent['seq']} {alice.username}: anyone there?"


async def test_tail_of_a_private_chat_as_an_outsider_is_refused(
    settings: Settings, users: Users, alice: ChatClient
) -> None:
    secret = await alice.ok("chats:create", {"name": "secret", "private": True})
    outsider = await users.register()
    assert settings.nats_url
    code, out, err = await chatbus(settings.nats_url, "tail", secret["id"], "--as", outsider)
    assert code == 1 and out == ""
    assert one_line_error(err).startswith("chatbus: forbidden: "), err


def readme_shell_lines(section: str) -> list[list[str]]:
    """The commands in the ```sh blocks of one README section, split as a shell would."""
    text = README.read_text()
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", body, flags=re.DOTALL)
    return [shlex.split(line, comments=True) for block in blocks for line in block.splitlines()]


async def test_readme_shell_examples_for_nats_work_as_written(
    settings: Settings, users: Users
) -> None:
    lines = readme_shell_lines("Talk to it from NATS")
    assert {tuple(line[:2]) for line in lines} >= {
        ("chatbus", "say"),
        ("chatbus", "tail"),
        ("nats", "req"),
        ("nats", "sub"),
    }
    await users.register("alice")
    assert settings.nats_url
    nc = await nats.connect(settings.nats_url)
    try:
        for line in lines:
            if line[:2] == ["nats", "req"]:
                # What `nats req SUBJECT BODY` sends: the body as is.
                subject, body = line[2:]
                reply = json.loads((await nc.request(subject, body.encode(), timeout=5)).data)
                assert reply["ok"] is True, (line, reply)
                assert any(subject == c.subject_for("alice") for c in COMMANDS), subject
            elif line[:2] == ["chatbus", "say"]:
                code, out, err = await chatbus(settings.nats_url, *line[1:])
                assert code == 0, (line, err)
                assert PRINTED.match(out.strip()), out
            elif line[:2] == ["chatbus", "tail"]:
                build_parser().parse_args(line[1:])  # follows forever; its test is above
    finally:
        await nc.close()
