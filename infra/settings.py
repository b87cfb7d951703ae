"""One typed settings object, read once from the environment by the wiring code.

Variables use the ``CHIBO_`` prefix, except ``DATABASE_URL`` and ``BROKER_URL`` which follow the
usual twelve-factor names. Nothing else in the code base reads ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


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
    )
