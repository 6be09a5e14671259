"""TLS to NATS: a real nats-server that demands TLS and a client certificate, and the handler
services, the edge and ``chatbus status`` talking to it with the CHATBUS_NATS_TLS_* settings.

The certificates come from a CA made for the test (tests/support/tls_certificates.py). The server
refuses plain connections, clients that do not trust its CA and clients without a
certificate of their own, so the chat working end to end means every program used TLS.
"""

import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import nats.errors
import pytest

from services.core.settings import Settings
from services.ops.embedded_nats import EmbeddedNats, free_port
from services.ops.status_report import gather_status
from services.ops.supervisor import READINESS_PROBES
from tests.support.clients import Users
from tests.support.http import http_client
from tests.support.serving import running_edge, running_services
from tests.support.tls_certificates import CertificateFiles, TestAuthority


@pytest.fixture
def authority(tmp_path: Path) -> TestAuthority:
    return TestAuthority(tmp_path / "tls")


@pytest.fixture
async def tls_nats(tmp_path: Path, authority: TestAuthority) -> AsyncIterator[EmbeddedNats]:
    """nats-server on loopback that speaks only TLS and verifies each client's certificate."""
    server = authority.server("nats-server")
    config = tmp_path / "tls.conf"
    config.write_text(
        "tls {\n"
        f"  cert_file: {json.dumps(str(server.cert))}\n"
        f"  key_file: {json.dumps(str(server.key))}\n"
        f"  ca_file: {json.dumps(str(authority.ca_file))}\n"
        "  verify: true\n"
        "}\n"
    )
    nats_server = EmbeddedNats(0, tmp_path / "nats", include=config)
    await nats_server.start()
    yield nats_server
    await nats_server.stop()


@pytest.fixture
def client_cert(authority: TestAuthority) -> CertificateFiles:
    return authority.client("chatbus")


def tls_settings(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    ca_file: Path,
    client: CertificateFiles,
) -> Settings:
    """Settings read from the environment, as a deployment sets them."""
    for name, value in {
        "NATS_URL": url,
        "CHATBUS_NATS_TLS_CA_FILE": str(ca_file),
        "CHATBUS_NATS_TLS_CERT_FILE": str(client.cert),
        "CHATBUS_NATS_TLS_KEY_FILE": str(client.key),
        "CHATBUS_SECRET": "test-signing-key-that-is-long-enough-for-hs256",
        "CHATBUS_DATA_DIR": str(tmp_path / "var"),
        "CHATBUS_PORT": str(free_port()),
    }.items():
        monkeypatch.setenv(name, value)
    return Settings()


async def test_services_edge_and_status_work_over_tls_with_a_client_certificate(
    tls_nats: EmbeddedNats,
    authority: TestAuthority,
    client_cert: CertificateFiles,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = tls_nats.url.replace("nats://", "tls://")
    settings = tls_settings(monkeypatch, tmp_path, url, authority.ca_file, client_cert)
    async with running_services(settings), running_edge(settings) as edge_url:
        async with http_client(base_url=edge_url) as http:
            users = Users(edge_url, http)
            try:
                alice = await users.connect()
                bob = await users.connect()
                chat = await alice.ok(
                    "chats:create", {"name": "over-tls", "members": [bob.username]}
                )
                sent = await alice.ok("messages:send", {"chat_id": chat["id"], "text": "sealed"})
                await bob.wait_for("message", lambda m: m["id"] == sent["id"])
            finally:
                await users.disconnect_all()
        report = await gather_status(settings, READINESS_PROBES, [tls_nats.monitor_url])
    assert [service.answering for service in report.services] == [True, True, True], report
    assert report.problems == [], report


async def test_a_nats_url_with_nats_scheme_upgrades_to_tls_when_the_ca_is_set(
    tls_nats: EmbeddedNats,
    authority: TestAuthority,
    client_cert: CertificateFiles,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = tls_settings(monkeypatch, tmp_path, tls_nats.url, authority.ca_file, client_cert)
    async with running_services(settings):
        report = await gather_status(settings, READINESS_PROBES, [])
    assert [service.answering for service in report.services] == [True, True, True], report


async def refused(url: str, tls: ssl.SSLContext | None) -> BaseException:
    with pytest.raises(Exception) as caught:
        nc = await nats.connect(
            url, tls=tls, allow_reconnect=False, max_reconnect_attempts=1, connect_timeout=2
        )
        await nc.close()
    return caught.value


async def test_the_server_refuses_plain_untrusting_and_anonymous_clients(
    tls_nats: EmbeddedNats, authority: TestAuthority, client_cert: CertificateFiles
) -> None:
    url = tls_nats.url.replace("nats://", "tls://")
    # Not trusting the test CA: the server's certificate does not verify.
    untrusting = await refused(url, ssl.create_default_context())
    assert "CERTIFICATE_VERIFY_FAILED" in repr(untrusting) or isinstance(
        untrusting, (ssl.SSLError, nats.errors.Error)
    ), repr(untrusting)
    # Trusting it but with no certificate of its own: the server hangs up.
    anonymous = ssl.create_default_context(cafile=authority.ca_file)
    await refused(url, anonymous)
    # With both, it connects: the refusals above were about the certificates.
    full = ssl.create_default_context(cafile=authority.ca_file)
    full.load_cert_chain(client_cert.cert, client_cert.key)
    nc = await nats.connect(url, tls=full, allow_reconnect=False, connect_timeout=2)
    assert nc.is_connected
    await nc.close()
