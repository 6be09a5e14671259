"""All configuration, from environment variables, in one class."""

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret"


class Settings(BaseSettings):
    """chatbus settings. The variable names are public and stable (see README)."""

    model_config = SettingsConfigDict(env_prefix="CHATBUS_", extra="ignore")

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
    # Copies of every stream and bucket: 1 on one server, 3 in a 3-node cluster (compose.yaml).
    replicas: int = Field(default=1, ge=1, le=5)
    log_level: str = "INFO"
    # "text" or "json" (one JSON object per line, for log collectors); see services/logs.py.
    log_format: Literal["text", "json"] = "text"
    # A handler service's /metrics and /healthz port. 0 (the default) is off: `chatbus up`
    # runs three services on one host, so no single port could do; compose.yaml sets it.
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # Abuse limits (see services/rate_limits.py and services/status/login_throttle.py).
    # Per user, per handler process: each replica keeps its own buckets (0 turns it off).
    command_rate_per_second: float = Field(default=50.0, ge=0)
    command_burst: int = Field(default=200, ge=1)
    # Typing notices have a budget of their own, per user and handler process (0: off).
    typing_rate_per_second: float = Field(default=5.0, ge=0)
    typing_burst: int = Field(default=10, ge=1)
    # Across every replica (JetStream KV): failed logins per user and per client address.
    login_failures_per_user: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_seconds: float = Field(default=300.0, gt=0)
    registrations_per_address: int = Field(default=100, ge=1)
    registration_window_seconds: float = Field(default=600.0, gt=0)

    @field_validator("cors_origins", mode="before")
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

    @cached_property
    def signing_key(self) -> str:
        """``CHATBUS_SECRET``, or one generated once and kept in the data dir."""
        if self.secret:
            return self.secret
        path = self.data_dir / SECRET_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{SECRET_FILE}.{secrets.token_hex(4)}")
            draft.write_text(secrets.token_urlsafe(48))
            draft.chmod(0o600)
            try:
                # A hard link is atomic: of two processes starting at once, one key wins.
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip()
