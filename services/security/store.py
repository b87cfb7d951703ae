"""Security tables in each tenant schema: credentials, refresh tokens, idempotency keys.

Kept outside the event log on purpose: password hashes and token digests must be replaceable
and erasable, and login counters change on every attempt. Accessed through the tenant
application's own pool (running as the tenant's database role), never across schemas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, LiteralString

import psycopg
from psycopg import sql

from infra.application import TenantApplication

CREDENTIALS = "auth_credentials"
REFRESH_TOKENS = "auth_refresh_tokens"
IDEMPOTENCY = "idempotency_keys"


def create_table(
    conn: psycopg.Connection[Any], schema: str, name: str, columns: LiteralString
) -> None:
    """``CREATE TABLE IF NOT EXISTS`` the province's table ``name`` with ``columns``."""
    conn.execute(
        sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} (" + columns + ")").format(
            sql.Identifier(schema), sql.Identifier(name)
        )
    )


def install_security_tables(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part (idempotent)."""
    s = sql.Identifier(schema)
    create_table(
        conn,
        schema,
        CREDENTIALS,
        "user_id uuid PRIMARY KEY,"
        " username text NOT NULL UNIQUE,"
        " password_hash text NOT NULL,"
        " failed_attempts int NOT NULL DEFAULT 0,"
        " last_failed_at timestamptz,"
        " updated_at timestamptz NOT NULL DEFAULT now()",
    )
    create_table(
        conn,
        schema,
        REFRESH_TOKENS,
        "id uuid PRIMARY KEY,"
        " family_id uuid NOT NULL,"
        " user_id uuid NOT NULL,"
        " token_digest bytea NOT NULL,"
        " issued_at timestamptz NOT NULL DEFAULT now(),"
        " expires_at timestamptz NOT NULL,"
        " used_at timestamptz,"
        " revoked_at timestamptz",
    )
    conn.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} (family_id)").format(
            sql.Identifier(f"{REFRESH_TOKENS}_family"), s, sql.Identifier(REFRESH_TOKENS)
        )
    )
    create_table(
        conn,
        schema,
        IDEMPOTENCY,
        "user_id text NOT NULL,"
        " key text NOT NULL,"
        " fingerprint bytea NOT NULL,"
        " status int,"
        " content_type text,"
        " body bytea,"
        " created_at timestamptz NOT NULL DEFAULT now(),"
        " PRIMARY KEY (user_id, key)",
    )


def table(app: TenantApplication, name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(app.schema), sql.Identifier(name))


def rows_of(
    app: TenantApplication, query: sql.SQL | sql.Composed, params: Any = ()
) -> list[dict[str, Any]]:
    """Run one statement in its own transaction on the tenant's pool; its rows (as dicts) if any.
    ``params`` is a tuple, or a dict for a statement with named placeholders."""
    with app.datastore.transaction(commit=True) as cursor:
        cursor.execute(query, params)
        return list(cursor.fetchall()) if cursor.description is not None else []


def execute(
    app: TenantApplication, query: sql.SQL | sql.Composed, params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    """Run one statement in its own transaction on the tenant's pool; rows if any."""
    return [tuple(row.values()) for row in rows_of(app, query, params)]


def on_table(
    app: TenantApplication, name: str, statement: LiteralString, params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    """:func:`execute` ``statement``, its one ``{}`` standing for the tenant's table ``name``."""
    return execute(app, sql.SQL(statement).format(table(app, name)), params)


def dicts_on_table(
    app: TenantApplication, name: str, statement: LiteralString, params: tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    """:func:`on_table`, its rows as dicts (column name to value)."""
    return rows_of(app, sql.SQL(statement).format(table(app, name)), params)


def row_by(
    app: TenantApplication, name: str, fields: Sequence[str], column: str, key: Any
) -> dict[str, Any] | None:
    """The row of the tenant's table ``name`` whose ``column`` is ``key`` (its ``fields`` by
    name), or None: the look-up by id of the tables kept outside the event log."""
    rows = execute(
        app,
        sql.SQL("SELECT {} FROM {} WHERE {} = %s").format(
            sql.SQL(", ").join(map(sql.Identifier, fields)),
            table(app, name),
            sql.Identifier(column),
        ),
        (key,),
    )
    return dict(zip(fields, rows[0], strict=True)) if rows else None
