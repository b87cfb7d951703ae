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
    tenant_pool_size: int = 2
    tenant_pool_overflow: int = 2
    tenant_cache_size: int = 32
    jwt_secret: str = ""
    """Signing key for access tokens; generated and kept under ``data_dir`` when empty."""
    demo_password: str = ""
    """The demo administrator's password; a fresh random one at each start when empty."""
    operator_token: str = ""
    """Bearer secret for the cross-province admin API (provisioning); empty disables it."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks (CIDR) of reverse proxies whose ``X-Forwarded-For`` is believed."""

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
        tenant_pool_size=int(env.get("CHIBO_TENANT_POOL_SIZE", "2")),
        tenant_pool_overflow=int(env.get("CHIBO_TENANT_POOL_OVERFLOW", "2")),
        tenant_cache_size=int(env.get("CHIBO_TENANT_CACHE_SIZE", "32")),
        jwt_secret=env.get("CHIBO_JWT_SECRET", ""),
        demo_password=env.get("CHIBO_DEMO_PASSWORD", ""),
        operator_token=env.get("CHIBO_OPERATOR_TOKEN", ""),
        trusted_proxies=tuple(
            part.strip() for part in env.get("CHIBO_TRUSTED_PROXIES", "").split(",") if part.strip()
        ),
    )
