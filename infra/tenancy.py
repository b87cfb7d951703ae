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


def provision(
    database: Database, slug: str, name: str, parts: Sequence[SchemaPart] = ()
) -> tuple[Tenant, bool]:
    """Create the province's schema and tables; return it and whether it is new."""
    schema = schema_for(slug)
    install_catalog(database)
    recorder = TenantApplication(slug, schema, database, as_owner=True).recorder
    with database.connect(autocommit=False) as conn, conn.transaction():
        # One provisioning at a time per slug, across processes. A transaction-level lock:
        # behind PgBouncer (transaction mode) a session-level one could be taken on one
        # server session and released on another.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"provision:{slug}",))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        install_event_tables(conn, recorder)
        for part in parts:
            part(conn, schema)
        row = conn.execute(
            sql.SQL(
                "INSERT INTO {}.tenants (slug, name, schema_name) VALUES (%s, %s, %s)"
                " ON CONFLICT (slug) DO NOTHING RETURNING slug"
            ).format(sql.Identifier(CATALOG)),
            (slug, name, schema),
        ).fetchone()
        notify(conn, CATALOG_CHANGED, slug)  # workers re-read the catalog (infra.directory)
    return Tenant(slug, name, schema), row is not None


def find_tenant(database: Database, slug: str) -> Tenant:
    check_slug(slug)
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT slug, name, schema_name FROM {}.tenants WHERE slug = %s").format(
                sql.Identifier(CATALOG)
            ),
            (slug,),
        ).fetchone()
    if row is None:
        raise UnknownTenant(f"Không có tỉnh «{slug}»", f"no tenant '{slug}'", slug=slug)
    return Tenant(*row)


def list_tenants(database: Database) -> list[Tenant]:
    install_catalog(database)
    with database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT slug, name, schema_name FROM {}.tenants ORDER BY slug").format(
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
            tenant.slug, tenant.schema, self.database, on_committed=self.on_committed
        )
        with self._lock:
            app = self._apps.setdefault(slug, app)
            self._apps.move_to_end(slug)
            while len(self._apps) > self.maxsize:
                self._apps.popitem(last=False)
        return app

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
