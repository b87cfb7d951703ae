"""One eventsourcing application per province, on that province's schema.

The library merges ``os.environ`` into every application's environment and lets prefixed keys
(``CHIBO_POSTGRES_SCHEMA``…) win over the constructor's. A stray variable could then point a
tenant at another tenant's schema, so this application builds its environment only from the
explicit settings passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Recording
from eventsourcing.utils import Environment, EnvType, get_topic

from infra.database import Database
from infra.mapper import MsgspecMapper

EVENTS_TABLE = "chibo_events"


class TenantApplication(Application[UUID]):
    """The write side of one province: its repository and its totally ordered log."""

    name = "Chibo"

    def __init__(
        self,
        slug: str,
        schema: str,
        database: Database,
        pool_size: int = 2,
        pool_overflow: int = 2,
        create_table: bool = False,
        on_committed: Callable[[str], None] | None = None,
    ) -> None:
        self.slug = slug
        self.schema = schema
        self.on_committed = on_committed
        """Told the province's slug after each commit (the wiring wakes the projection workers)."""
        super().__init__(
            {
                # The library's factory, whose pooled connections switch to the province's own
                # database role (privileges on this schema only); provisioning keeps the owner.
                "PERSISTENCE_MODULE": "infra.db_roles:TenantRolePostgresFactory",
                "POSTGRES_DBNAME": database.dbname,
                "POSTGRES_HOST": database.host,
                "POSTGRES_PORT": str(database.port),
                "POSTGRES_USER": database.user,
                "POSTGRES_PASSWORD": database.password,
                "POSTGRES_SCHEMA": schema,
                "POSTGRES_POOL_SIZE": str(pool_size),
                "POSTGRES_MAX_OVERFLOW": str(pool_overflow),
                # Functions off: with them on, the library skips tracking records (brief).
                "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
                "POSTGRES_LOCK_TIMEOUT": "5",
                "MAPPER_TOPIC": get_topic(MsgspecMapper),
                "CREATE_TABLE": "y" if create_table else "n",
            }
        )

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        return Environment(name, dict(env or {}))

    def save_all(self, *aggregates: Any) -> int:
        """Save aggregates in one transaction; return the log position of the last event."""
        recordings: list[Recording[UUID]] = self.save(*aggregates)
        if recordings and self.on_committed is not None:
            self.on_committed(self.slug)
        return max((r.notification.id for r in recordings), default=0)

    @property
    def log_position(self) -> int:
        return self.recorder.max_notification_id() or 0
