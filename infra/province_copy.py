"""Copying a province's schema from one database cluster to another (chuyển cụm), the storage
half of a move (``services.tenants.move``; issue 14 §3).

- :func:`freeze` puts a ``BEFORE INSERT OR UPDATE OR DELETE`` trigger on every table of the
  source schema that the copy takes. Creating a trigger locks its table against writers and
  waits for the write transactions in flight: once ``freeze`` returns, every write that was
  acknowledged is in the source, and every later one fails with :data:`MOVING_SQLSTATE`,
  which the API answers with 503 ``province_moving`` and ``Retry-After``. Nothing is lost:
  a write is either in the copy or refused.
- :func:`copy_tables` streams each table with binary ``COPY`` (columns named, generated ones
  left out) into the same tables on the target, then sets every serial sequence past the
  copied ids, so the target's next event follows the last one. Given ``after`` (the
  :func:`log_heads` of an earlier copy), the log tables (:data:`LOG_TABLES`, append-only and
  keyed by ``notification_id``) take only their rows past those heads: a move copies the
  bulk while the province still writes and, frozen, only what was written meanwhile.
- :func:`thaw` removes the freeze (a move that failed before switching).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import psycopg
from psycopg import sql

from infra.audit.hashchain import CHAIN_TABLE
from infra.database import Database
from infra.db_roles import EVENTS_TABLE

MOVING_SQLSTATE = "CHMOV"
"""Raised by a frozen table (a custom SQLSTATE: no PostgreSQL error has it)."""
FREEZE_FUNCTION = "chibo_province_moving"
FREEZE_TRIGGER = "chibo_province_moving"

LOG_TABLES = (EVENTS_TABLE, CHAIN_TABLE)
"""Append-only tables keyed by ``notification_id``: the library inserts events holding
``LOCK TABLE … IN EXCLUSIVE MODE`` and the chain is written in the same transaction, so ids
commit in order and a snapshot holds a prefix of each; what follows it is ``id > head``."""

_FREEZE_BODY = f"""
BEGIN
    RAISE EXCEPTION 'province_moving: this province is being moved to another database cluster'
        USING ERRCODE = '{MOVING_SQLSTATE}';
END
"""


def is_moving_error(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is a frozen table's refusal."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, psycopg.Error) and error.sqlstate == MOVING_SQLSTATE:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def tables(conn: psycopg.Connection[Any], schema: str) -> list[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        (schema,),
    ).fetchall()
    return [r[0] for r in rows]


def columns(conn: psycopg.Connection[Any], schema: str, name: str) -> list[str]:
    rows = conn.execute(
        "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass"
        " AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum",
        (sql.Identifier(schema, name).as_string(conn),),
    ).fetchall()
    return [r[0] for r in rows]


def freeze(conn: psycopg.Connection[Any], schema: str, names: Collection[str]) -> None:
    """Refuse every write to ``names`` from now on (in ``conn``'s transaction: it waits for
    the writes in flight, which commit first)."""
    function = sql.Identifier(schema, FREEZE_FUNCTION)
    conn.execute(
        sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}").format(
            function, sql.Literal(_FREEZE_BODY)
        )
    )
    for name in sorted(names):
        conn.execute(
            sql.SQL(
                "CREATE OR REPLACE TRIGGER {} BEFORE INSERT OR UPDATE OR DELETE ON {}"
                " FOR EACH STATEMENT EXECUTE FUNCTION {}()"
            ).format(sql.Identifier(FREEZE_TRIGGER), sql.Identifier(schema, name), function)
        )


def frozen(conn: psycopg.Connection[Any], schema: str) -> bool:
    row = conn.execute(
        "SELECT to_regproc(%s) IS NOT NULL",
        (sql.Identifier(schema, FREEZE_FUNCTION).as_string(conn),),
    ).fetchone()
    return bool(row and row[0])


def thaw(conn: psycopg.Connection[Any], schema: str) -> None:
    conn.execute(
        sql.SQL("DROP FUNCTION IF EXISTS {}() CASCADE").format(
            sql.Identifier(schema, FREEZE_FUNCTION)
        )
    )


def log_heads(conn: psycopg.Connection[Any], schema: str) -> dict[str, int]:
    """The last ``notification_id`` of each log table ``schema`` has (0 when empty)."""
    heads = {}
    for name in LOG_TABLES:
        if name in tables(conn, schema):
            row = conn.execute(
                sql.SQL("SELECT coalesce(max(notification_id), 0) FROM {}").format(
                    sql.Identifier(schema, name)
                )
            ).fetchone()
            heads[name] = int(row[0]) if row else 0
    return heads


def copy_tables(
    source: Database,
    target: Database,
    schema: str,
    names: list[str],
    after: Mapping[str, int] | None = None,
) -> int:
    """Copy ``names`` row for row into the target (empty there, but for a log table named in
    ``after``, which takes its rows past that head only); the rows copied."""
    total = 0
    with (
        source.connect(autocommit=False) as src,
        src.transaction(),
        target.connect(autocommit=False) as dst,
        dst.transaction(),
    ):
        src.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for name in names:
            cols = sql.SQL(", ").join(map(sql.Identifier, columns(src, schema, name)))
            table = sql.Identifier(schema, name)
            rows = sql.SQL("SELECT {} FROM {}").format(cols, table)
            if after is not None and name in after:
                rows += sql.SQL(" WHERE notification_id > {}").format(sql.Literal(after[name]))
            out = sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(rows)
            into = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(table, cols)
            writer = dst.cursor()
            with src.cursor().copy(out) as reading, writer.copy(into) as writing:
                for chunk in reading:
                    writing.write(chunk)
            total += max(writer.rowcount, 0)
        _advance_sequences(dst, schema)
    return total


def _advance_sequences(conn: psycopg.Connection[Any], schema: str) -> None:
    rows = conn.execute(
        "SELECT c.relname, a.attname, pg_get_serial_sequence(format('%%I.%%I', n.nspname,"
        " c.relname), a.attname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.oid WHERE n.nspname = %s AND c.relkind = 'r'"
        " AND a.attnum > 0 AND NOT a.attisdropped",
        (schema,),
    ).fetchall()
    for name, column, sequence in rows:
        if sequence is None:
            continue
        conn.execute(
            sql.SQL("SELECT setval(%s, coalesce(max({c}), 0) + 1, false) FROM {t}").format(
                c=sql.Identifier(column), t=sql.Identifier(schema, name)
            ),
            (sequence,),
        )
