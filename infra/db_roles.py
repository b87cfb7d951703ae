"""A database role per province: a tenant's requests cannot touch another tenant's schema.

Defence in depth under the application checks. Each tenant schema ``t_<slug>`` gets a
``NOLOGIN`` role ``chibo_t_<slug>`` with privileges on that schema only (no ``CREATE``, no access
to the catalog or to other schemas). The process connects as the owner and *switches* to the
tenant role:

- the write side (the process's psycopg pool, shared by all tenants) runs ``SET LOCAL ROLE``
  per transaction, through :class:`infra.tenant_store.TenantDatastore`;
- the read side (one asyncpg pool shared by all tenants) runs ``SET LOCAL ROLE`` per
  transaction, through :func:`tenant_read_connection`.

A role set with ``SET LOCAL`` ends with its transaction, so a pooled connection (or, behind
PgBouncer in transaction mode, a server session) never carries a tenant's role into another
tenant's work; a session-level ``SET ROLE`` would (``RESET ALL`` does not reset the role).

The event table is append-only for the role: ``SELECT`` and ``INSERT``, plus the privilege that
``LOCK TABLE … IN EXCLUSIVE MODE`` needs (``MAINTAIN`` on PostgreSQL ≥ 17, else ``UPDATE``, which
the audit trigger refuses anyway).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import psycopg
from psycopg import sql

from infra.readside import ReadSide

EVENTS_TABLE = "chibo_events"


def role_for(schema: str) -> str:
    """The tenant's role name (cluster-wide; schemas come from a checked slug)."""
    return f"chibo_{schema}"


def install_tenant_role(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part: create the role and grant it this schema only. Idempotent."""
    role = sql.Identifier(role_for(schema))
    ident = sql.Identifier(schema)
    conn.execute(
        sql.SQL(
            "DO $$ BEGIN CREATE ROLE {} NOLOGIN NOINHERIT;"
            " EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        ).format(role)
    )
    # The connecting user switches to the role with SET ROLE, so it must be a member.
    conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(role))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident, role))
    table_rights = sql.SQL("SELECT, INSERT, UPDATE, DELETE")
    conn.execute(
        sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(table_rights, ident, role)
    )
    conn.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(ident, role)
    )
    # Tables that other schema parts and projections create later get the same rights.
    conn.execute(
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT {} ON TABLES TO {}").format(
            ident, table_rights, role
        )
    )
    conn.execute(
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(ident, role)
    )
    _make_log_append_only(conn, schema)


def append_only_tables() -> tuple[str, ...]:
    """The event log and whatever else the audit guard protects."""
    try:
        from infra.audit.guard import GUARDED_TABLES
    except ImportError:
        return (EVENTS_TABLE,)
    return tuple(dict.fromkeys((EVENTS_TABLE, *GUARDED_TABLES)))


def _make_log_append_only(conn: psycopg.Connection[Any], schema: str) -> None:
    role = sql.Identifier(role_for(schema))
    row = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()
    lock_right = "MAINTAIN" if row is not None and row[0] >= 170000 else "UPDATE"
    for name in append_only_tables():
        if not _table_exists(conn, schema, name):
            continue
        target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))
        conn.execute(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(target, role))
        conn.execute(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(target, role))
        # LOCK TABLE … IN EXCLUSIVE MODE (the library's ordered insert) needs this right.
        conn.execute(sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(lock_right), target, role))


def _table_exists(conn: psycopg.Connection[Any], schema: str, table: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{table}"',)).fetchone()
    return row is not None and row[0] is not None


def drop_tenant_role(conn: psycopg.Connection[Any], schema: str) -> None:
    """Remove the role (after its schema was dropped), e.g. when a test tenant is discarded."""
    name = role_for(schema)
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
        return
    conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
    # A role is cluster-wide but DROP OWNED reaches only this database: where another database
    # on the cluster still grants the role something (the same province's schema in a second
    # database, an older test database), the role stays for that database and is not ours to drop.
    elsewhere = conn.execute(
        "SELECT 1 FROM pg_shdepend d JOIN pg_database db ON db.oid = d.dbid"
        " WHERE d.refclassid = 'pg_authid'::regclass"
        " AND d.refobjid = (SELECT oid FROM pg_roles WHERE rolname = %s)"
        " AND db.datname <> current_database() LIMIT 1",
        (name,),
    ).fetchone()
    if elsewhere is not None:
        return
    conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


# -- the read side: one asyncpg pool shared by every tenant -----------------------------------


@asynccontextmanager
async def tenant_read_connection(
    readside: ReadSide, schema: str
) -> AsyncIterator[asyncpg.Connection]:
    """A read-only transaction running as the tenant's role; the role ends with it."""
    role = 'ROLE "{}"'.format(role_for(schema).replace('"', '""'))
    # The read side of the province's cluster (issue 14 §3).
    async with readside.for_schema(schema).transaction(role) as conn:
        yield conn


async def fetch_as_tenant(
    readside: ReadSide, schema: str, query: str, *args: Any
) -> list[asyncpg.Record]:
    async with tenant_read_connection(readside, schema) as conn:
        rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows
