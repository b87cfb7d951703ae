"""Set-based writes for projections: one statement per table per batch, never one per event.

Rows go to PostgreSQL as typed arrays through ``unnest`` (or ``COPY`` for plain appends), so a
batch of thousands of events costs a handful of round trips. ``Column`` lists name each
column with its PostgreSQL type, because empty or all-NULL arrays need an explicit type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

import psycopg
from psycopg import sql

from projections.base import table

Column = tuple[str, str]
"""(name, PostgreSQL type), e.g. ``("cell_id", "uuid")``."""


def plain(value: Any) -> Any:
    """Enum members as their value; everything else as is (psycopg adapts it)."""
    return value.value if isinstance(value, Enum) else value


def _arrays(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """One list per column; only a column holding enums is converted value by value."""
    if not rows:
        return [[] for _ in columns]
    arrays = [list(column) for column in zip(*rows, strict=True)][: len(columns)]
    return [
        [plain(v) for v in array] if any(isinstance(v, Enum) for v in array) else array
        for array in arrays
    ]


def _unnest(columns: Sequence[Column]) -> sql.Composed:
    return sql.SQL("unnest({}) AS u({})").format(
        sql.SQL(", ").join(sql.SQL("%s::" + kind + "[]") for _, kind in columns),
        sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns),
    )


def copy_rows(
    conn: psycopg.Connection[Any],
    schema: str,
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    types: Sequence[str] | None = None,
) -> None:
    """Append rows with ``COPY`` (the fastest path for rows that are new by construction).

    Values must already be plain (enums as their value, see :func:`plain`): this is the hot
    path of a rebuild, so nothing is converted here. With ``types`` (the PostgreSQL type of
    each column) the rows go in binary, which skips the text formatting and parsing of every
    UUID, date and number.
    """
    statement = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        table(schema, name),
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.SQL(" (FORMAT BINARY)" if types else ""),
    )
    with conn.cursor() as cur, cur.copy(statement) as copy:
        if types:
            copy.set_types(list(types))
        write = copy.write_row
        for row in rows:
            write(row)


def upsert_rows(
    conn: psycopg.Connection[Any],
    schema: str,
    name: str,
    columns: Sequence[Column],
    key: Sequence[str],
    rows: Sequence[Sequence[Any]],
    update: Sequence[str] | None = None,
) -> None:
    """Insert rows, replacing ``update`` columns (default: all non-key) on a key conflict.

    Rows must have distinct keys (one statement cannot touch a row twice): callers keep the
    last value per key, which is what applying the events in log order would leave.
    """
    if not rows:
        return
    names = [c for c, _ in columns]
    changed = [c for c in (update if update is not None else names) if c not in key]
    action = (
        sql.SQL("DO UPDATE SET {}").format(
            sql.SQL(", ").join(
                sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in changed
            )
        )
        if changed
        else sql.SQL("DO NOTHING")
    )
    statement = sql.SQL("INSERT INTO {} ({}) SELECT * FROM {} ON CONFLICT ({}) {}").format(
        table(schema, name),
        sql.SQL(", ").join(sql.Identifier(c) for c in names),
        _unnest(columns),
        sql.SQL(", ").join(sql.Identifier(c) for c in key),
        action,
    )
    conn.execute(statement, _arrays(columns, rows))


def update_rows(
    conn: psycopg.Connection[Any],
    schema: str,
    name: str,
    columns: Sequence[Column],
    key: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """``UPDATE … FROM unnest(…)``: set the non-key columns of existing rows by key."""
    if not rows:
        return
    changed = [c for c, _ in columns if c not in key]
    statement = sql.SQL("UPDATE {} AS t SET {} FROM {} WHERE {}").format(
        table(schema, name),
        sql.SQL(", ").join(sql.SQL("{0} = u.{0}").format(sql.Identifier(c)) for c in changed),
        _unnest(columns),
        sql.SQL(" AND ").join(sql.SQL("t.{0} = u.{0}").format(sql.Identifier(c)) for c in key),
    )
    conn.execute(statement, _arrays(columns, rows))


def drop_tables(conn: psycopg.Connection[Any], schema: str, names: Sequence[str]) -> None:
    for name in names:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(table(schema, name)))


def run_ddl(conn: psycopg.Connection[Any], schema: str, statements: Sequence[str]) -> None:
    """Run DDL templates where ``{s}`` stands for the quoted schema name."""
    for statement in statements:
        run_sql(conn, schema, statement)


def run_sql(conn: psycopg.Connection[Any], schema: str, statement: str, **params: Any) -> Any:
    """Run a template where ``{s}`` stands for the quoted schema name, with named parameters.

    The schema is an identifier checked at provisioning and quoted here; values only ever go
    in as parameters. Returns the cursor.
    """
    quoted = sql.Identifier(schema).as_string(conn)
    return conn.execute(statement.replace("{s}", quoted).encode(), params or None)


class OwnTables:
    """``install`` and ``drop`` for a projection whose tables are its ``ddl`` templates."""

    ddl: tuple[str, ...] = ()
    """``CREATE … IF NOT EXISTS`` statements, ``{s}`` standing for the schema."""
    tables: tuple[str, ...] = ()
    """What a rebuild drops."""

    def install(self, conn: psycopg.Connection[Any], schema: str) -> None:
        run_ddl(conn, schema, self.ddl)

    def drop(self, conn: psycopg.Connection[Any], schema: str) -> None:
        drop_tables(conn, schema, self.tables)


class Patches:
    """Field changes folded per row key in log order; flushed as one UPDATE per field set.

    Replaying events one by one would set each field to its last value; folding first gives
    the same rows with one statement per distinct set of changed fields.
    """

    def __init__(self, key: Column, types: dict[str, str]) -> None:
        self.key = key
        self.types = types
        self.rows: dict[Any, dict[str, Any]] = {}

    def set(self, key: Any, **fields: Any) -> None:
        self.rows.setdefault(key, {}).update(fields)

    def flush(self, conn: psycopg.Connection[Any], schema: str, name: str) -> None:
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for key, fields in self.rows.items():
            names = tuple(sorted(fields))
            groups.setdefault(names, []).append((key, *(fields[n] for n in names)))
        for names, rows in groups.items():
            columns = [self.key, *((n, self.types[n]) for n in names)]
            update_rows(conn, schema, name, columns, [self.key[0]], rows)
        self.rows.clear()
