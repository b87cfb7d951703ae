"""One eventsourcing application per province, on that province's schema.

The application is light: it holds no connections of its own. Its recorder works through the
process's shared pool (``infra.tenant_store``), so any number of them can be cached, and
dropping one from the cache never closes anything another request is using.

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
from eventsourcing.persistence import InfrastructureFactory, Recording
from eventsourcing.utils import Environment, EnvType, get_topic

from infra.database import Database
from infra.db_roles import EVENTS_TABLE as EVENTS_TABLE  # named once, in db_roles
from infra.db_roles import role_for
from infra.mapper import MsgspecMapper
from infra.tenant_store import TenantDatastore, TenantFactory


class TenantApplication(Application[UUID]):
    """The write side of one province: its repository and its totally ordered log."""

    name = "Chibo"

    def __init__(
        self,
        slug: str,
        schema: str,
        database: Database,
        *,
        as_owner: bool = False,
        on_committed: Callable[[str], None] | None = None,
    ) -> None:
        self.slug = slug
        self.schema = schema
        self.on_committed = on_committed
        """Told the province's slug after each commit (the wiring wakes the projection workers)."""
        # Every transaction runs as the province's own database role (privileges on this
        # schema only); provisioning (``as_owner``) keeps the owner's rights to create tables.
        self._datastore = TenantDatastore(database, schema, None if as_owner else role_for(schema))
        super().__init__(
            {
                "POSTGRES_SCHEMA": schema,
                "MAPPER_TOPIC": get_topic(MsgspecMapper),
                # Provisioning creates the tables in its own transaction (infra.tenancy).
                "CREATE_TABLE": "n",
            }
        )

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        return Environment(name, dict(env or {}))

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        factory: InfrastructureFactory[Any] = TenantFactory(env, self._datastore)
        return factory

    def save_all(self, *aggregates: Any) -> int:
        """Save aggregates in one transaction; return the log position of the last event."""
        recordings: list[Recording[UUID]] = self.save(*aggregates)
        if recordings and self.on_committed is not None:
            self.on_committed(self.slug)
        return max((r.notification.id for r in recordings), default=0)

    @property
    def datastore(self) -> TenantDatastore:
        """The province's datastore, the one its recorder writes through (typed here: the
        library types ``recorder`` by its base, which has no ``datastore``)."""
        return self._datastore

    @property
    def database(self) -> Database:
        """The database of the province's cluster (``infra.clusters``)."""
        return self._datastore.database

    @property
    def log_position(self) -> int:
        return self.recorder.max_notification_id() or 0
