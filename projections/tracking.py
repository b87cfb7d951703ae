"""Checkpoints (vị trí đã xử lý) of every projection of one province, one row per projection.

The engine advances a checkpoint inside the same transaction as the projection's rows, so a
batch is applied exactly once: either both commit or neither does. A failing projection keeps
its last good position and records the error beside it, so ``chibo projections status`` shows
which projection is stuck on which event while the others move on.

:class:`TrackingTable` is also an eventsourcing ``TrackingRecorder`` (it passes the library's
``TrackingRecorderTestCase``), so library tools that wait on a tracking recorder work with it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import psycopg
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

from infra.database import Database
from projections.base import table

TRACKING_TABLE = "projection_tracking"
QUARANTINE_TABLE = "projection_quarantine"
"""Events an operator let a projection skip (see :mod:`projections.poison`)."""


def install_tracking(conn: psycopg.Connection[Any], schema: str) -> None:
    conn.execute(
        psycopg.sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " projection text PRIMARY KEY,"
            " position bigint NOT NULL,"
            " updated_at timestamptz NOT NULL DEFAULT now(),"
            " last_error text,"
            " error_position bigint,"
            " failed_at timestamptz)"
        ).format(table(schema, TRACKING_TABLE))
    )
    conn.execute(
        psycopg.sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " projection text NOT NULL,"
            " notification_id bigint NOT NULL,"
            " topic text NOT NULL,"
            " actor text NOT NULL,"
            " reason text NOT NULL,"
            " error text,"
            " quarantined_at timestamptz NOT NULL DEFAULT now(),"
            " PRIMARY KEY (projection, notification_id))"
        ).format(table(schema, QUARANTINE_TABLE))
    )


def read_position(conn: psycopg.Connection[Any], schema: str, projection: str) -> int:
    row = conn.execute(
        psycopg.sql.SQL("SELECT position FROM {} WHERE projection = %s").format(
            table(schema, TRACKING_TABLE)
        ),
        (projection,),
    ).fetchone()
    return int(row[0]) if row else 0


def advance(conn: psycopg.Connection[Any], schema: str, projection: str, position: int) -> bool:
    """Move the checkpoint forward (never back); clears a recorded error. False if not forward."""
    row = conn.execute(
        psycopg.sql.SQL(
            "INSERT INTO {t} AS t (projection, position) VALUES (%s, %s)"
            " ON CONFLICT (projection) DO UPDATE SET position = excluded.position,"
            " updated_at = now(), last_error = NULL, error_position = NULL, failed_at = NULL"
            " WHERE t.position < excluded.position RETURNING position"
        ).format(t=table(schema, TRACKING_TABLE)),
        (projection, position),
    ).fetchone()
    return row is not None


def advance_locked(
    conn: psycopg.Connection[Any], schema: str, names: list[str], position: int, lock_prefix: str
) -> set[str]:
    """Move the checkpoints of ``names`` forward to ``position`` in one statement, each only
    if its pair's lock (``lock_prefix`` + name) is free, taken here until the transaction
    ends; the names moved. As :func:`advance`: never back, and a recorded error is cleared."""
    rows = conn.execute(
        psycopg.sql.SQL(
            "WITH locked AS (SELECT name FROM unnest(%s::text[]) AS name"
            " WHERE pg_try_advisory_xact_lock(hashtextextended(%s || name, 0)))"
            " UPDATE {t} AS t SET position = %s, updated_at = now(), last_error = NULL,"
            " error_position = NULL, failed_at = NULL FROM locked"
            " WHERE t.projection = locked.name AND t.position < %s RETURNING t.projection"
        ).format(t=table(schema, TRACKING_TABLE)),
        (names, lock_prefix, position, position),
    ).fetchall()
    return {row[0] for row in rows}


def record_error(
    conn: psycopg.Connection[Any], schema: str, projection: str, position: int, error: str
) -> None:
    """Remember why a projection stopped and at which event (its position is unchanged)."""
    conn.execute(
        psycopg.sql.SQL(
            "INSERT INTO {t} AS t (projection, position, last_error, error_position, failed_at)"
            " VALUES (%s, 0, %s, %s, now())"
            " ON CONFLICT (projection) DO UPDATE SET last_error = excluded.last_error,"
            " error_position = excluded.error_position, failed_at = now()"
        ).format(t=table(schema, TRACKING_TABLE)),
        (projection, error[:2000], position),
    )


def reset(conn: psycopg.Connection[Any], schema: str, projection: str) -> None:
    conn.execute(
        psycopg.sql.SQL("DELETE FROM {} WHERE projection = %s").format(
            table(schema, TRACKING_TABLE)
        ),
        (projection,),
    )


class Checkpoint(NamedTuple):
    projection: str
    position: int
    last_error: str | None
    error_position: int | None


def checkpoints(conn: psycopg.Connection[Any], schema: str) -> dict[str, Checkpoint]:
    rows = conn.execute(
        psycopg.sql.SQL("SELECT projection, position, last_error, error_position FROM {}").format(
            table(schema, TRACKING_TABLE)
        )
    ).fetchall()
    return {row[0]: Checkpoint(*row) for row in rows}


class TrackingTable(TrackingRecorder):
    """The checkpoint table seen through the library's ``TrackingRecorder`` interface.

    ``application_name`` is the projection's name; each call runs in its own transaction.
    """

    def __init__(self, database: Database, schema: str) -> None:
        self.database = database
        self.schema = schema

    def create_table(self) -> None:
        with self.database.connect() as conn:
            install_tracking(conn, self.schema)

    def insert_tracking(self, tracking: Tracking) -> None:
        with self.database.connect(autocommit=False) as conn, conn.transaction():
            if not advance(conn, self.schema, tracking.application_name, tracking.notification_id):
                raise IntegrityError(
                    f"Vị trí {tracking.notification_id} của {tracking.application_name} không "
                    f"lớn hơn vị trí đã ghi / position {tracking.notification_id} of "
                    f"{tracking.application_name} is not past its checkpoint"
                )

    def max_tracking_id(self, application_name: str) -> int | None:
        with self.database.connect() as conn:
            row = conn.execute(
                psycopg.sql.SQL("SELECT position FROM {} WHERE projection = %s").format(
                    table(self.schema, TRACKING_TABLE)
                ),
                (application_name,),
            ).fetchone()
        return None if row is None else int(row[0])
