"""Settings read from the environment, and the values they refuse."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.core.settings import MIN_SECRET_BYTES, SECRET_FILE, Settings
from tests.support.tls_certificates import TestAuthority


def test_allowed_hosts_are_read_from_the_environment_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHATBUS_ALLOWED_HOSTS", "chat.lan, 10.1.2.3:8443")
    assert Settings().allowed_hosts == ["chat.lan", "10.1.2.3:8443"]
    monkeypatch.setenv("CHATBUS_ALLOWED_HOSTS", "chat.lan,chat lan:x")
    with pytest.raises(ValueError, match="not a host or host:port: 'chat lan:x'"):
        Settings()


def test_tls_files_that_are_not_certificates_are_a_settings_error(tmp_path: Path) -> None:
    client_cert = TestAuthority(tmp_path / "tls").client("chatbus")
    not_a_cert = tmp_path / "notes.txt"
    not_a_cert.write_text("hello")
    with pytest.raises(ValueError, match="CHATBUS_NATS_TLS_CA_FILE: .* holds no CA certificate"):
        Settings(nats_tls_ca_file=not_a_cert)
    with pytest.raises(ValueError, match="go together: set both"):
        Settings(nats_tls_cert_file=client_cert.cert)
    with pytest.raises(ValueError, match="are not a certificate and its key"):
        Settings(nats_tls_cert_file=client_cert.cert, nats_tls_key_file=not_a_cert)
    with pytest.raises(ValueError, match="does not point to a file"):
        Settings(nats_tls_ca_file=tmp_path / "missing.pem")


def test_a_failure_window_no_longer_than_the_longest_wait_is_refused() -> None:
    with pytest.raises(ValueError, match="CHATBUS_LOGIN_FAILURE_WINDOW_SECONDS"):
        Settings(login_failure_window_seconds=60, login_max_delay_seconds=60)


@pytest.mark.parametrize("secret", ["", "x", "s" * (MIN_SECRET_BYTES - 1), "é" * 15])
def test_a_secret_under_32_bytes_is_refused_without_repeating_it(secret: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(secret=secret)
    message = str(refused.value)
    assert "CHATBUS_SECRET must be at least 32 bytes" in message
    if secret:
        assert secret not in message


def test_a_secret_of_32_bytes_is_used_as_given(tmp_path: Path) -> None:
    secret = "s" * MIN_SECRET_BYTES
    assert Settings(secret=secret, data_dir=tmp_path).signing_key == secret
    assert not (tmp_path / SECRET_FILE).exists()
