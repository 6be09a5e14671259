"""``chatbus status`` as compose's ops user, against a real nats-server loaded with
deploy/nats.conf, sees everything it reports."""

import contextlib
import re
from pathlib import Path

import pytest

from services.chats.app import create_chats_service
from services.core.settings import Settings
from services.messages.app import create_messages_service
from services.ops.embedded_nats import EmbeddedNats
from services.ops.status_report import gather_status
from services.ops.supervisor import READINESS_PROBES
from services.status.app import create_status_service
from tests.support.paths import DEPLOY_NATS_CONF

HANDLERS = ("chats", "messages", "status")


async def test_chatbus_status_as_the_ops_user_sees_everything_it_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in re.findall(r"password: \$(\w+)", DEPLOY_NATS_CONF.read_text()):
        monkeypatch.setenv(variable, f"test-{variable.lower()}")
    server = EmbeddedNats(0, tmp_path / "nats", include=DEPLOY_NATS_CONF)
    await server.start()

    def as_user(user: str) -> Settings:
        url = server.url.replace("nats://", f"nats://{user}:test-chatbus_nats_{user}_password@")
        return Settings(nats_url=url, data_dir=tmp_path / "var", secret="s" * 40)

    try:
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(create_chats_service(as_user("chats")))
            await stack.enter_async_context(create_messages_service(as_user("messages")))
            await stack.enter_async_context(create_status_service(as_user("status")))
            report = await gather_status(as_user("ops"), READINESS_PROBES, [server.monitor_url])
    finally:
        await server.stop()

    assert report.problems == [], report
    assert [service.role for service in report.services if service.answering] == list(HANDLERS)
    assert report.stores and report.jetstream["streams"] == len(report.stores)
    assert report.nodes[0].processes == {f"chatbus-{h}": 1 for h in HANDLERS}
