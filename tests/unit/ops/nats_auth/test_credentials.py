"""The embedded server's credentials file and authorization block, in the data dir."""

import json
import stat
from pathlib import Path

import pytest

from services.ops.nats_auth.credentials import CREDENTIALS_FILE, CredentialsMissing, CredentialStore
from services.ops.nats_auth.roles import ROLE_NAMES


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


def test_a_corrupt_credentials_file_is_refused_not_replaced(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.path.write_text("{not json")
    with pytest.raises(CredentialsMissing, match="not a credentials file"):
        store.load_or_create()
    assert store.path.read_text() == "{not json"
