"""The database guard (chống sửa xóa): event tables accept INSERT and nothing else.

Triggers refuse UPDATE and DELETE (per row) and TRUNCATE (per statement) on the event log and
on the audit chain and seals, whoever the caller, so a bug or a careless script cannot rewrite
history. A superuser can still disable triggers; that attacker is what the hash chain and the
seals are for. In production the application's role should also not own these tables, so it
cannot disable the triggers either (see docs/audit.md).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from infra.application import EVENTS_TABLE
from infra.audit import hashchain, seals

GUARDED_TABLES = (EVENTS_TABLE, hashchain.CHAIN_TABLE, hashchain.SINCE_TABLE, seals.SEALS_TABLE)
FUNCTION = "chibo_refuse_history_change"
TRIGGER_ROW = "chibo_append_only"
TRIGGER_TRUNCATE = "chibo_no_truncate"

_FUNCTION_BODY = """
BEGIN
  RAISE EXCEPTION USING
    ERRCODE = 'insufficient_privilege',
    MESSAGE = format(
      'Nhật ký chỉ được ghi thêm: không được %s trên %I.%I / the log is append-only: %s on %I.%I is refused',
      TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME),
    HINT = 'Sửa sai bằng một sự kiện mới có lý do / correct with a new event that gives a reason';
END
"""


def install_guard(conn: psycopg.Connection[Any], schema: str) -> None:
    """Install (or refresh) the audit tables and the append-only triggers; idempotent."""
    hashchain.install(conn, schema)
    seals.install(conn, schema)
    function = sql.Identifier(schema, FUNCTION)
    conn.execute(
        sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}").format(
            function, sql.Literal(_FUNCTION_BODY)
        )
    )
    for table in GUARDED_TABLES:
        target = sql.Identifier(schema, table)
        conn.execute(
            sql.SQL(
                "CREATE OR REPLACE TRIGGER {} BEFORE UPDATE OR DELETE ON {}"
                " FOR EACH ROW EXECUTE FUNCTION {}()"
            ).format(sql.Identifier(TRIGGER_ROW), target, function)
        )
        conn.execute(
            sql.SQL(
                "CREATE OR REPLACE TRIGGER {} BEFORE TRUNCATE ON {}"
                " FOR EACH STATEMENT EXECUTE FUNCTION {}()"
            ).format(sql.Identifier(TRIGGER_TRUNCATE), target, function)
        )
