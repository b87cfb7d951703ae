"""Provinces as tenants: slugs, schemas, the catalog, provisioning and the application cache.

A province is a schema ``t_<slug>``. The catalog schema holds the registry of provinces.
Provisioning is idempotent and one transaction: it creates the schema, the event tables (the
library's statements), then every schema part registered by the wiring (read models, guards),
then registers the province. Applications are light (no connections of their own, see
``infra.tenant_store``) and cached per process; eviction only forgets one.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from domain.base import InvalidValue, NotFound
from infra.application import TenantApplication
from infra.clusters import MAIN, database_for, names
from infra.database import Database
from infra.notifications import CATALOG_CHANGED, notify
from infra.tenant_store import install_event_tables

CATALOG = "chibo_catalog"
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}$")

SchemaPart = Callable[[psycopg.Connection[Any], str], None]
"""Installs tables, functions or triggers into a tenant schema; must be idempotent."""


class InvalidTenantSlug(InvalidValue):
    code = "invalid_tenant_slug"


class UnknownTenant(NotFound):
    code = "unknown_tenant"


@dataclass(frozen=True, slots=True)
class Tenant:
    slug: str
    name: str
    schema: str
    cluster: str = MAIN
    """Where its schema lives (``infra.clusters``)."""


def schema_for(slug: str) -> str:
    check_slug(slug)
    return f"t_{slug}"


def check_slug(slug: str) -> None:
    if not SLUG_PATTERN.fullmatch(slug):
        raise InvalidTenantSlug(
            "Mã tỉnh chỉ gồm chữ thường không dấu, chữ số và gạch dưới, bắt đầu bằng chữ, 2–31 ký tự",
            "a tenant slug is 2–31 characters: lower-case a–z, digits and _, starting with a letter",
            slug=slug,
        )


def install_catalog(database: Database) -> None:
    with database.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(CATALOG)))
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {}.tenants ("
                " slug text PRIMARY KEY, name text NOT NULL, schema_name text NOT NULL UNIQUE,"
                " created_at timestamptz NOT NULL DEFAULT now())"
            ).format(sql.Identifier(CATALOG))
        )
        # Placement (issue 14 §3); provinces from before are on the main cluster.
        conn.execute(
            sql.SQL(
                "ALTER TABLE {}.tenants ADD COLUMN IF NOT EXISTS cluster text NOT NULL"
                " DEFAULT 'main'"
            ).format(sql.Identifier(CATALOG))
        )
        # A move between clusters in progress (services.tenants.move): the target's name.
        conn.execute(
            sql.SQL("ALTER TABLE {}.tenants ADD COLUMN IF NOT EXISTS moving_to text").format(
                sql.Identifier(CATALOG)
            )
        )


def provision(
    database: Database,
    slug: str,
    name: str,
    parts: Sequence[SchemaPart] = (),
    cluster: str | None = None,
) -> tuple[Tenant, bool]:
    """Create the province's schema and tables; return it and whether it is new.

    ``database`` is the main cluster (the catalog's). The province goes on ``cluster``, or on
    the cluster with the fewest provinces; one already provisioned stays where it is.
    """
    schema = schema_for(slug)
    install_catalog(database)
    existing = _find(database, slug)
    placed = existing.cluster if existing else (cluster or least_loaded(database))
    target = database_for(database, placed)
    with target.connect(autocommit=False) as conn, conn.transaction():
        install_schema(conn, target, slug, parts)
        if target is database:
            created = _register(conn, Tenant(slug, name, schema, placed))
    if target is not database:
        # Registered once the schema is complete on its cluster; a crash in between leaves a
        # schema nobody routes to, which the next provisioning of the slug completes.
        with database.connect(autocommit=False) as conn, conn.transaction():
            created = _register(conn, Tenant(slug, name, schema, placed))
    return Tenant(slug, name, schema, placed), created


def install_schema(
    conn: psycopg.Connection[Any], target: Database, slug: str, parts: Sequence[SchemaPart]
) -> None:
    """The province's schema, event tables and schema parts on ``target`` (idempotent), in
    ``conn``'s transaction; the catalog is not touched (provisioning, a move's target)."""
    schema = schema_for(slug)
    recorder = TenantApplication(slug, schema, target, as_owner=True).recorder
    # One provisioning at a time per slug, across processes. A transaction-level lock:
    # behind PgBouncer (transaction mode) a session-level one could be taken on one
    # server session and released on another.
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"provision:{slug}",))
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    install_event_tables(conn, recorder)
    for part in parts:
        part(conn, schema)


def _register(conn: psycopg.Connection[Any], tenant: Tenant) -> bool:
    row = conn.execute(
        sql.SQL(
            "INSERT INTO {}.tenants (slug, name, schema_name, cluster) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (slug) DO NOTHING RETURNING slug"
        ).format(sql.Identifier(CATALOG)),
        (tenant.slug, tenant.name, tenant.schema, tenant.cluster),
    ).fetchone()
    notify(conn, CATALOG_CHANGED, tenant.slug)  # workers re-read the catalog (infra.directory)
    return row is not None


def least_loaded(database: Database) -> str:
    """The configured cluster holding the fewest provinces (the main one on a tie)."""
    with database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT cluster, count(*) FROM {}.tenants GROUP BY cluster").format(
                sql.Identifier(CATALOG)
            )
        ).fetchall()
    counts = {str(row[0]): int(row[1]) for row in rows}
    return min(names(), key=lambda n: (counts.get(n, 0), n != MAIN, n))


def _find(database: Database, slug: str) -> Tenant | None:
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL(
                "SELECT slug, name, schema_name, cluster FROM {}.tenants WHERE slug = %s"
            ).format(sql.Identifier(CATALOG)),
            (slug,),
        ).fetchone()
    return Tenant(*row) if row is not None else None


def find_tenant(database: Database, slug: str) -> Tenant:
    check_slug(slug)
    found = _find(database, slug)
    if found is None:
        raise UnknownTenant(f"Không có tỉnh «{slug}»", f"no tenant '{slug}'", slug=slug)
    return found


def list_tenants(database: Database) -> list[Tenant]:
    install_catalog(database)
    with database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT slug, name, schema_name, cluster FROM {}.tenants ORDER BY slug").format(
                sql.Identifier(CATALOG)
            )
        ).fetchall()
    return [Tenant(*row) for row in rows]


class TenantApplications:
    """A bounded, thread-safe cache of tenant applications (light objects, no pools).

    Eviction only forgets an application: a request still holding it carries on, since
    its connections come from the process's pool, one transaction at a time.
    """

    def __init__(
        self,
        database: Database,
        maxsize: int = 1024,
        on_committed: Callable[[str], None] | None = None,
    ) -> None:
        self.database = database
        self.on_committed = on_committed
        self.maxsize = maxsize
        self._apps: OrderedDict[str, TenantApplication] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, slug: str) -> TenantApplication:
        with self._lock:
            app = self._apps.get(slug)
            if app is not None:
                self._apps.move_to_end(slug)
                return app
        tenant = find_tenant(self.database, slug)
        app = TenantApplication(
            tenant.slug,
            tenant.schema,
            database_for(self.database, tenant.cluster),
            on_committed=self.on_committed,
        )
        with self._lock:
            app = self._apps.setdefault(slug, app)
            self._apps.move_to_end(slug)
            while len(self._apps) > self.maxsize:
                self._apps.popitem(last=False)
        return app

    def database_of_schema(self, schema: str) -> Database:
        """The database of the cluster of the province whose schema this is (the main one
        for a schema that is no province's, e.g. a replay's)."""
        slug = schema.removeprefix("t_")
        try:
            return self.get(slug).database
        except (InvalidValue, NotFound):
            return self.database

    def forget(self, slug: str) -> None:
        """Drop a province from the cache (e.g. after its schema was removed)."""
        with self._lock:
            self._apps.pop(slug, None)

    def __contains__(self, slug: str) -> bool:
        return slug in self._apps

    def __len__(self) -> int:
        return len(self._apps)

    def close(self) -> None:
        with self._lock:
            self._apps.clear()
