"""One typed settings object, read once from the environment by the wiring code.

Variables use the ``CHIBO_`` prefix, except ``DATABASE_URL`` and ``BROKER_URL`` which follow the
usual twelve-factor names. Nothing else in the code base reads ``os.environ``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infra.clusters import parse as parse_clusters


@dataclass(frozen=True, slots=True)
class Settings:
    """How this process is configured."""

    database_url: str | None
    """External PostgreSQL; ``None`` starts the embedded server under ``data_dir``."""
    data_dir: Path
    broker_url: str | None
    """``amqp://…`` for RabbitMQ, ``redis://…`` for Redis; ``None`` uses the in-process stub."""
    host: str = "127.0.0.1"
    port: int = 8000
    pool_size: int = 6
    """Most psycopg connections of this process, all provinces together (writes, catalog,
    projection workers); the read side adds ``read_pool_size`` asyncpg connections."""
    read_pool_size: int = 4
    pool_timeout: float = 3.0
    """Seconds a request waits for a connection before answering 503."""
    tenant_cache_size: int = 1024
    pooler_host: str = ""
    """PgBouncer (transaction mode) in front of ``DATABASE_URL``'s server: transactions go
    there, same credentials; ``LISTEN`` stays on ``DATABASE_URL`` (it needs a session)."""
    pooler_port: int = 5432
    jwt_secret: str = ""
    """Signing key for access tokens; generated and kept under ``data_dir`` when empty."""
    demo_password: str = ""
    """The demo administrator's password; a fresh random one at each start when empty."""
    operator_token: str = ""
    """Bearer secret for the cross-province admin API (provisioning); empty disables it."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks (CIDR) of reverse proxies whose ``X-Forwarded-For`` is believed."""
    queue_namespace: str = "chibo"
    """Prefix of this deployment's broker queues. Two deployments sharing a RabbitMQ vhost
    with the same prefix would take each other's messages (give each its own vhost)."""

    seal_minutes: float = 60.0
    """Minutes between two rounds of periodic sealing (in the worker process); 0 turns it off."""
    seal_export_dir: Path | None = None
    report_keep_days: float = 7.0
    """Days a finished report job and its file are kept for download; 0 keeps them for ever."""
    """Where each new seal is written for inspectors; ``data_dir/seals`` when unset."""
    clusters: dict[str, str] = field(default_factory=dict)
    """Database clusters besides the main one, name → URL (``CHIBO_CLUSTERS``, issue 14 §3)."""
    metrics_port: int = 9100
    """Port of the worker process's ``/metrics`` (the API serves it on its own port); 0: off."""
    log_format: str = "json"
    """``json`` (one object per line, for log collectors) or ``text``, for ``serve``/``worker``."""

    smtp_host: str = ""
    """The SMTP server invitations go through; empty: none (the demo starts a local capture)."""
    smtp_port: int = 25
    smtp_from: str = "chibo@localhost"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_capture_port: int = 8025
    """The demo's local SMTP capture (``chibo serve --demo`` without ``CHIBO_SMTP_HOST``)."""

    @property
    def projection_queue(self) -> str:
        return f"{self.queue_namespace}_projections"

    @property
    def embedded(self) -> bool:
        return self.database_url is None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        data_dir=Path(env.get("CHIBO_DATA_DIR", ".chibo")).absolute(),
        broker_url=env.get("BROKER_URL") or None,
        host=env.get("CHIBO_HOST", "127.0.0.1"),
        port=int(env.get("CHIBO_PORT", "8000")),
        pool_size=int(env.get("CHIBO_POOL_SIZE", "6")),
        read_pool_size=int(env.get("CHIBO_READ_POOL_SIZE", "4")),
        pool_timeout=float(env.get("CHIBO_POOL_TIMEOUT", "3")),
        tenant_cache_size=int(env.get("CHIBO_TENANT_CACHE_SIZE", "1024")),
        pooler_host=env.get("CHIBO_POOLER_HOST", ""),
        pooler_port=int(env.get("CHIBO_POOLER_PORT", "5432")),
        jwt_secret=env.get("CHIBO_JWT_SECRET", ""),
        demo_password=env.get("CHIBO_DEMO_PASSWORD", ""),
        operator_token=env.get("CHIBO_OPERATOR_TOKEN", ""),
        trusted_proxies=tuple(
            part.strip() for part in env.get("CHIBO_TRUSTED_PROXIES", "").split(",") if part.strip()
        ),
        queue_namespace=queue_namespace(env.get("CHIBO_QUEUE_NAMESPACE", "chibo")),
        seal_minutes=float(env.get("CHIBO_SEAL_MINUTES", "60")),
        report_keep_days=float(env.get("CHIBO_REPORT_KEEP_DAYS", "7")),
        clusters=parse_clusters(env.get("CHIBO_CLUSTERS", "")),
        metrics_port=int(env.get("CHIBO_METRICS_PORT", "9100")),
        log_format="text" if env.get("CHIBO_LOG_FORMAT", "json") == "text" else "json",
        seal_export_dir=Path(env["CHIBO_SEAL_EXPORT_DIR"]).absolute()
        if env.get("CHIBO_SEAL_EXPORT_DIR")
        else None,
        smtp_host=env.get("CHIBO_SMTP_HOST", ""),
        smtp_port=int(env.get("CHIBO_SMTP_PORT", "25")),
        smtp_from=env.get("CHIBO_SMTP_FROM", "chibo@localhost"),
        smtp_username=env.get("CHIBO_SMTP_USERNAME", ""),
        smtp_password=env.get("CHIBO_SMTP_PASSWORD", ""),
        smtp_starttls=env.get("CHIBO_SMTP_STARTTLS", "").lower() in ("1", "true", "yes", "y"),
        mail_capture_port=int(env.get("CHIBO_MAIL_CAPTURE_PORT", "8025")),
    )


def queue_namespace(text: str) -> str:
    """A broker-safe prefix: letters, digits, ``_``, ``-`` and ``.``, 1–64 characters."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", text):
        raise ValueError(
            "CHIBO_QUEUE_NAMESPACE: 1–64 chữ cái, chữ số, _ - . / 1–64 letters, digits, _ - ."
            f" (not {text!r})"
        )
    return text
