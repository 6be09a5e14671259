"""The embedded server's credentials file and authorization block, in the data dir."""

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.contracts import RESERVED_USERNAMES
from services.ops.nats_auth.credentials import (
    CREDENTIALS_FILE,
    BotEntry,
    CredentialsMissing,
    CredentialStore,
)
from services.ops.nats_auth.embedded import AUTHORIZATION_FILE, write_authorization
from services.ops.nats_auth.roles import ROLE_NAMES


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away: a file is private only if it was created so."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_role_gets_a_password_once_in_a_file_only_its_owner_reads(
    tmp_path: Path, open_umask: None
) -> None:
    store = CredentialStore(tmp_path / "var")
    with pytest.raises(CredentialsMissing, match="chatbus up"):
        store.load()
    first = store.load_or_create()
    assert set(first.roles) == set(ROLE_NAMES)
    assert len(set(first.roles.values())) == len(ROLE_NAMES)
    assert all(len(password) >= 40 for password in first.roles.values())
    assert mode(store.path) == 0o600
    assert store.load_or_create() == first  # kept, not generated again
    # A role added later (one more entry in ROLES) gets its password on the next start.
    data = json.loads(store.path.read_text())
    del data["roles"]["ops"]
    store.path.write_text(json.dumps(data))
    again = store.load_or_create()
    assert again.roles["ops"] != first.roles["ops"] and again.roles["edge"] == first.roles["edge"]
    assert mode(store.path) == 0o600
    assert sorted(p.name for p in store.data_dir.iterdir()) == [
        ".nats-credentials.lock",
        CREDENTIALS_FILE,
    ]


def test_the_authorization_block_holds_each_password_and_only_its_owner_reads_it(
    tmp_path: Path, open_umask: None
) -> None:
    store = CredentialStore(tmp_path / "var")
    with store.changing(create=True) as credentials:
        credentials.bots["pingbot"] = BotEntry("bot-password", ("general",))
    path = write_authorization(tmp_path / "var" / "nats", store.load())
    assert path.name == AUTHORIZATION_FILE and mode(path) == 0o600
    text = path.read_text()
    for name, password in store.load().roles.items():
        assert f"user: {name}\n" in text and f'password: "{password}"\n' in text
    assert 'password: "bot-password"' in text and '"chat.room.general.>"' in text
    assert '"_INBOX_pingbot.>"' in text  # the services may answer the bot


def test_a_corrupt_credentials_file_is_refused_not_replaced(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.path.write_text("{not json")
    with pytest.raises(CredentialsMissing, match="not a credentials file"):
        store.load_or_create()
    assert store.path.read_text() == "{not json"


def test_no_person_or_bot_may_take_a_programs_name() -> None:
    assert set(ROLE_NAMES) | {"search"} <= RESERVED_USERNAMES
