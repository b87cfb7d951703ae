"""The last verification of the province's audit chain (lần kiểm chứng gần nhất), kept in its
schema: the signed result as the verifier returned it, who ran it and when.

Kept in the database, not in a process's memory, so a restart or another worker shows the
same last result. It is a record of a run, not a verdict to trust: the page says when it was
computed and by whom, and running the verifier again is one click. One row per province (the
latest run replaces the one before), like ``rollup_state``; the runs themselves are already in
the access log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from infra.application import TenantApplication
from services.security.store import execute, table

TABLE = "audit_last_verification"


def install_last_verification(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part (idempotent); before the tenant role, which grants on every table."""
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (id int PRIMARY KEY CHECK (id = 1),"
            " signed jsonb NOT NULL, ran_by text NOT NULL, ran_by_name text NOT NULL,"
            " ran_at timestamptz NOT NULL DEFAULT now())"
        ).format(sql.Identifier(schema), sql.Identifier(TABLE))
    )


@dataclass(frozen=True)
class LastVerification:
    signed: dict[str, Any]
    """The verifier's signed answer: ``report`` and ``key_id`` among its fields."""
    ran_by: str
    ran_by_name: str
    ran_at: datetime


def keep(app: TenantApplication, signed: dict[str, Any], ran_by: str, ran_by_name: str) -> None:
    """Replace the province's last result with this run's."""
    execute(
        app,
        sql.SQL(
            "INSERT INTO {} (id, signed, ran_by, ran_by_name) VALUES (1, %s::jsonb, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET signed = EXCLUDED.signed,"
            " ran_by = EXCLUDED.ran_by, ran_by_name = EXCLUDED.ran_by_name, ran_at = now()"
        ).format(table(app, TABLE)),
        (json.dumps(signed), ran_by, ran_by_name),
    )


def last(app: TenantApplication) -> LastVerification | None:
    rows = execute(
        app,
        sql.SQL("SELECT signed, ran_by, ran_by_name, ran_at FROM {} WHERE id = 1").format(
            table(app, TABLE)
        ),
    )
    if not rows:
        return None
    signed, ran_by, ran_by_name, ran_at = rows[0]
    if not isinstance(signed, dict):  # jsonb comes back parsed; text, if ever, is parsed here
        signed = json.loads(signed)
    return LastVerification(signed, str(ran_by), str(ran_by_name), ran_at)
