"""Plain SQL on a province's own tables beside its event store (contacts, documents, feeds).

Each statement runs in its own committed transaction on the province's datastore, so under
the province's role, like the library's recorders.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from infra.application import TenantApplication


def table(app: TenantApplication, name: str) -> sql.Composed:
    """The province's table ``name``, schema-qualified."""
    return sql.SQL("{}.{}").format(sql.Identifier(app.schema), sql.Identifier(name))


def rows(
    app: TenantApplication, query: sql.SQL | sql.Composed, params: tuple[Any, ...]
) -> list[Any]:
    """The statement's rows as the library's cursors give them (dicts); none for a statement
    that returns no rows."""
    with app.datastore.transaction(commit=True) as cursor:
        cursor.execute(query, params)
        return list(cursor.fetchall()) if cursor.description is not None else []


def tuples(
    app: TenantApplication, query: sql.SQL | sql.Composed, params: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    """The statement's rows as tuples: positions read more simply than the dict rows."""
    return [
        tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows(app, query, params)
    ]
