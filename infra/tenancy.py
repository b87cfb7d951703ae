"""Provinces as tenants: slugs, schemas, the catalog, provisioning and the application cache.

A province is a schema ``t_<slug>``. The catalog schema holds the registry of provinces.
Provisioning is idempotent: it creates the schema, the event tables (through the library),
then every schema part registered by the wiring (read models, guards), then registers the
province. Applications are cached per process and their pools closed on eviction.
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
    with database.connect() as conn:
        # One provisioning at a time per slug, across processes.
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"provision:{slug}",))
        try:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            app = TenantApplication(slug, schema, database, pool_size=1, create_table=True)
            app.close()
            for part in parts:
                part(conn, schema)
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO {}.tenants (slug, name, schema_name) VALUES (%s, %s, %s)"
                    " ON CONFLICT (slug) DO NOTHING RETURNING slug"
                ).format(sql.Identifier(CATALOG)),
                (slug, name, schema),
            ).fetchone()
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (f"provision:{slug}",))
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
    """A bounded, thread-safe cache of tenant applications; eviction closes the pool."""

    def __init__(
        self,
        database: Database,
        maxsize: int,
        pool_size: int,
        pool_overflow: int,
        on_committed: Callable[[str], None] | None = None,
    ) -> None:
        self.database = database
        self.on_committed = on_committed
        self.maxsize = maxsize
        self.pool_size = pool_size
        self.pool_overflow = pool_overflow
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
            self.database,
            self.pool_size,
            self.pool_overflow,
            on_committed=self.on_committed,
        )
        evicted: list[TenantApplication] = []
        with self._lock:
            existing = self._apps.get(slug)
            if existing is not None:
                evicted.append(app)
                app = existing
            else:
                self._apps[slug] = app
                while len(self._apps) > self.maxsize:
                    evicted.append(self._apps.popitem(last=False)[1])
        for old in evicted:
            old.close()
        return app

    def __contains__(self, slug: str) -> bool:
        return slug in self._apps

    def close(self) -> None:
        with self._lock:
            apps = list(self._apps.values())
            self._apps.clear()
        for app in apps:
            app.close()
