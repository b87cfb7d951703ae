"""Replay until (dựng lại đến một thời điểm): every read model as of a past point, set apart.

``replay_until`` rebuilds every projection of the registry from the live log, but only up to
a notification id, into a fresh schema ``<schema>_replay_<position>``, so an auditor can query
the province exactly as it stood then (per-level views included, with the tree as it was)
while the live read models are untouched. The replay schema also gets ``chibo_events`` as a
view of the log up to that position and a ``replay_info`` row saying what it is. A date means
the last event recorded before the end of that day (Vietnam time).

Replays are read-only snapshots for inspection: :func:`replay_infos` lists them (``chibo
replay <tenant> --list``), :func:`drop_replay` drops one (``--drop <position>``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg import sql

from infra.application import EVENTS_TABLE
from infra.audit.timetravel import instant
from infra.database import Database
from infra.db_roles import role_for
from projections import tracking
from projections.base import Projection, StoredEventRow
from projections.registry import all_projections

BATCH = 20_000
SKIPPED = frozenset({"audit_chain"})
"""Projections that are evidence about the live log, not views of it."""


@dataclass(frozen=True, slots=True)
class ReplayResult:
    source: str
    schema: str
    position: int
    events: int
    seconds: float
    projections: tuple[str, ...]


def replay_schema(schema: str, position: int) -> str:
    name = f"{schema}_replay_{position}"
    if len(name) > 63:  # PostgreSQL truncates longer identifiers silently
        raise ValueError(f"replay schema name too long: {name}")
    return name


def position_at(database: Database, schema: str, moment: date | datetime) -> int:
    """The last notification id recorded before the end of ``moment`` (0 if none)."""
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL(
                "SELECT max(notification_id) FROM {} WHERE"
                " (convert_from(state, 'UTF8')::json->>'timestamp')::timestamptz < %s"
            ).format(sql.Identifier(schema, EVENTS_TABLE)),
            (instant(moment),),
        ).fetchone()
    return int(row[0] or 0) if row else 0


def replay_until(
    database: Database,
    schema: str,
    position: int,
    projections: Sequence[Projection] | None = None,
) -> ReplayResult:
    """Rebuild the read models as of ``position`` into their own schema (replacing it)."""
    if projections is None:
        projections = all_projections()
    chosen = [p for p in projections if p.name not in SKIPPED]
    target = replay_schema(schema, position)
    started = time.perf_counter()
    events = 0
    with database.connect(autocommit=False) as conn:
        with conn.transaction():
            _create(conn, schema, target, position, chosen)
        for projection in chosen:
            events += _replay_one(conn, schema, target, position, projection)
        with conn.transaction():
            _grant_to_tenant_role(conn, schema, target)
    return ReplayResult(
        schema,
        target,
        position,
        events,
        time.perf_counter() - started,
        tuple(p.name for p in chosen),
    )


def _create(
    conn: psycopg.Connection[Any], schema: str, target: str, position: int, chosen: list[Projection]
) -> None:
    ident = sql.Identifier(target)
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(ident))
    tracking.install_tracking(conn, target)
    for projection in chosen:
        projection.install(conn, target)
    conn.execute(
        sql.SQL("CREATE VIEW {} AS SELECT * FROM {} WHERE notification_id <= {}").format(
            sql.Identifier(target, EVENTS_TABLE),
            sql.Identifier(schema, EVENTS_TABLE),
            sql.Literal(position),
        )
    )
    conn.execute(
        sql.SQL(
            "CREATE TABLE {} AS SELECT %s::text AS source_schema, %s::bigint AS position,"
            " now() AS replayed_at, %s::text[] AS projections"
        ).format(sql.Identifier(target, "replay_info")),
        (schema, position, [p.name for p in chosen]),
    )


def _replay_one(
    conn: psycopg.Connection[Any], schema: str, target: str, position: int, projection: Projection
) -> int:
    """Feed one projection the log up to ``position``, a batch per transaction."""
    query = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state FROM {}"
        " WHERE notification_id > %s AND notification_id <= %s AND topic = ANY(%s)"
        " ORDER BY notification_id LIMIT %s"
    ).format(sql.Identifier(schema, EVENTS_TABLE))
    after = applied = 0
    topics = list(projection.topics)
    while True:
        with conn.transaction(), conn.cursor(binary=True) as cur:
            rows = [
                StoredEventRow(*r) for r in cur.execute(query, (after, position, topics, BATCH))
            ]
            if not rows:
                tracking.advance(conn, target, projection.name, position)
                if settle := getattr(projection, "settle", None):
                    settle(conn, target)  # work it defers to the end of a replay
                return applied
            projection.apply(conn, target, rows)
            after = rows[-1].notification_id
            tracking.advance(conn, target, projection.name, after)
            applied += len(rows)


def _grant_to_tenant_role(conn: psycopg.Connection[Any], schema: str, target: str) -> None:
    """Let the province's read role (if any) query the replay, read-only."""

    role = role_for(schema)
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
        return
    ident, grantee = sql.Identifier(target), sql.Identifier(role)
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident, grantee))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(ident, grantee))


def list_replays(database: Database, schema: str) -> list[str]:
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
            (schema.replace("_", r"\_") + r"\_replay\_%",),
        ).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True, slots=True)
class ReplayInfo:
    """A replay kept in the database, from its ``replay_info`` row."""

    schema: str
    position: int
    replayed_at: datetime
    projections: tuple[str, ...]


def replay_infos(database: Database, schema: str) -> list[ReplayInfo]:
    """Every replay of the province, oldest position first (read from their ``replay_info``)."""
    found = []
    with database.connect() as conn:
        for name in list_replays(database, schema):
            info = conn.execute("SELECT to_regclass(%s)", (f'"{name}".replay_info',)).fetchone()
            if info is None or info[0] is None:
                continue  # not a replay this module made
            row = conn.execute(
                sql.SQL("SELECT position, replayed_at, projections FROM {}").format(
                    sql.Identifier(name, "replay_info")
                )
            ).fetchone()
            if row is not None:
                found.append(ReplayInfo(name, int(row[0]), row[1], tuple(row[2])))
    return sorted(found, key=lambda r: r.position)


def drop_replay(database: Database, schema: str, position: int) -> bool:
    """Drop the replay at ``position``; False if there was none."""
    target = replay_schema(schema, position)
    if target not in list_replays(database, schema):
        return False
    with database.connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(target)))
    return True
