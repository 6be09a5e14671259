"""All configuration, from environment variables, in one class."""

import secrets
import ssl
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, FilePath, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.core.allowed_hosts import AllowedHosts
from services.core.nats_tls import client_tls_context
from services.core.private_files import create_private

SECRET_FILE = "secret"
# HS256 wants a key at least as long as its hash; shorter secrets are guessable offline.
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    """chatbus settings. The variable names are public and stable (see README)."""

    # Errors name the variable but never repeat its value: it may be the secret.
    model_config = SettingsConfigDict(
        env_prefix="CHATBUS_", extra="ignore", hide_input_in_errors=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    nats_url: str | None = Field(
        default=None, validation_alias=AliasChoices("NATS_URL", "CHATBUS_NATS_URL")
    )
    nats_port: int = Field(default=4222, ge=0, le=65535)
    data_dir: Path = Path("./var")
    secret: str | None = None
    cors_origins: list[str] | None = None
    token_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    request_timeout_seconds: float = Field(default=5.0, gt=0)
    edge_dead_after_seconds: float = Field(default=30.0, gt=0)
    # Retention (see services/messages/retention.py): 0 keeps messages forever / all of them.
    retention_max_age_seconds: float = Field(default=0.0, ge=0)
    retention_max_messages_per_chat: int = Field(default=0, ge=0)
    # Replicas of every stream and bucket: 1 on one server, 3 in a 3-node cluster (compose.yaml).
    replicas: int = Field(default=1, ge=1, le=5)
    log_level: str = "INFO"
    # "text" or "json" (one JSON object per line, for log collectors); see services/core/logs.py.
    log_format: Literal["text", "json"] = "text"
    # A handler service's /metrics and /healthz port. 0 (the default) is off: `chatbus up`
    # runs three services on one host, so no single port could do; compose.yaml sets it.
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # Abuse limits (see services/runtime/rate_limits.py and services/status/login_throttle.py).
    # Per user, per handler process: each replica keeps its own buckets (0 turns it off).
    command_rate_per_second: float = Field(default=50.0, ge=0)
    command_burst: int = Field(default=200, ge=1)
    # Typing notices have a budget of their own, per user and handler process (0: off).
    typing_rate_per_second: float = Field(default=5.0, ge=0)
    typing_burst: int = Field(default=10, ge=1)
    # Across every replica (JetStream KV): failed logins that go free per user and address
    # pair, per user (from addresses it never logged in from) and per client address;
    # after them each failure doubles the wait before the next attempt, up to the max.
    # A count is forgotten after a window without failures (longer than the max wait).
    login_failures_per_pair: int = Field(default=5, ge=1)
    login_failures_per_user: int = Field(default=10, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_first_delay_seconds: float = Field(default=1.0, gt=0)
    login_max_delay_seconds: float = Field(default=120.0, gt=0)
    login_failure_window_seconds: float = Field(default=3600.0, gt=0)
    registrations_per_address: int = Field(default=100, ge=1)
    registration_window_seconds: float = Field(default=600.0, gt=0)
    # Deployment and web hardening (README "Deploy"). TLS to NATS: the CA that signed the
    # servers' certificates, and this program's own certificate when NATS asks for one;
    # any of them (or a tls:// URL) makes every connection TLS.
    nats_tls_ca_file: FilePath | None = None
    nats_tls_cert_file: FilePath | None = None
    nats_tls_key_file: FilePath | None = None
    # The proxies whose X-Forwarded-For / X-Forwarded-Proto the edge believes (uvicorn's
    # variable name, comma-separated addresses or networks); empty trusts nobody, so no
    # client can pick the address that login limits count against.
    forwarded_allow_ips: str = Field(
        default="",
        validation_alias=AliasChoices("FORWARDED_ALLOW_IPS", "CHATBUS_FORWARDED_ALLOW_IPS"),
    )
    # Host names the edge answers besides its own (see services/edge/hosts.py): a page
    # on another name that resolves to this edge (DNS rebinding) is refused.
    allowed_hosts: list[str] | None = None

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, secret: str | None) -> str | None:
        if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"CHATBUS_SECRET must be at least {MIN_SECRET_BYTES} bytes (it is"
                f" {len(secret.encode())}); e.g. python -c 'import secrets;"
                " print(secrets.token_urlsafe(48))', or leave it unset to generate one"
            )
        return secret

    @model_validator(mode="after")
    def _waits_end_before_counts_are_forgotten(self) -> "Settings":
        if self.login_failure_window_seconds <= self.login_max_delay_seconds:
            raise ValueError(
                "CHATBUS_LOGIN_FAILURE_WINDOW_SECONDS must be longer than"
                " CHATBUS_LOGIN_MAX_DELAY_SECONDS: a count forgotten sooner lets a guesser"
                " start over instead of waiting"
            )
        return self

    @model_validator(mode="after")
    def _usable_hosts_and_tls_files(self) -> "Settings":
        # Checked at start, so a wrong entry or file is a settings error, not a failure later.
        AllowedHosts(self.allowed_hosts or [])
        if (self.nats_tls_cert_file is None) != (self.nats_tls_key_file is None):
            raise ValueError(
                "CHATBUS_NATS_TLS_CERT_FILE and CHATBUS_NATS_TLS_KEY_FILE go together: set both"
            )
        client_tls_context(self.nats_tls_ca_file, self.nats_tls_cert_file, self.nats_tls_key_file)
        return self

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        # Accept "a,b" as well as a JSON list, so the variable is easy to set by hand.
        if isinstance(value, str) and not value.lstrip().startswith("["):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def embedded(self) -> bool:
        """Whether chatbus runs its own nats-server (no ``NATS_URL`` given)."""
        return not self.nats_url

    @property
    def nats_servers(self) -> list[str]:
        """The NATS URLs to connect to."""
        if self.nats_url:
            return [url.strip() for url in self.nats_url.split(",") if url.strip()]
        return [f"nats://127.0.0.1:{self.nats_port}"]

    def nats_tls(self) -> ssl.SSLContext | None:
        """The context for ``nats.connect(tls=...)``; None when no TLS file is set."""
        return client_tls_context(
            self.nats_tls_ca_file, self.nats_tls_cert_file, self.nats_tls_key_file
        )

    @cached_property
    def signing_key(self) -> str:
        """``CHATBUS_SECRET``, or one generated once and kept in the data dir."""
        if self.secret is not None:
            return self.secret
        path = self.data_dir / SECRET_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            create_private(path, secrets.token_urlsafe(48))
        return path.read_text().strip()
