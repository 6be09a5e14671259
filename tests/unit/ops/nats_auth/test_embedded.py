"""The embedded server's authorization block, written from the credentials file."""

import stat
from pathlib import Path

from services.ops.nats_auth.credentials import BotEntry, CredentialStore
from services.ops.nats_auth.embedded import AUTHORIZATION_FILE, write_authorization


def test_the_authorization_block_holds_each_password_and_only_its_owner_reads_it(
    tmp_path: Path, open_umask: None
) -> None:
    store = CredentialStore(tmp_path / "var")
    with store.changing(create=True) as credentials:
        credentials.bots["pingbot"] = BotEntry("bot-password", ("general",))
    path = write_authorization(tmp_path / "var" / "nats", store.load())
    assert path.name == AUTHORIZATION_FILE and stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    for name, password in store.load().roles.items():
        assert f"user: {name}\n" in text and f'password: "{password}"\n' in text
    assert 'password: "bot-password"' in text and '"chat.room.general.>"' in text
    assert '"_INBOX_pingbot.>"' in text  # the services may answer the bot
