"""Projection versions (phiên bản bảng đọc): a release that changes a read model refills it on
every province by itself (issue 14 §4).

Each projection declares ``version`` (an integer, 1 when absent). Each province keeps the
version its tables were built for in ``projection_version``. A projection whose stored version
differs from the declared one is **stale**: its tables were filled by another release's code,
so it is rebuilt (dropped and replayed from the log, :func:`projections.engine.rebuild`)
together with what reads its tables (``depends_on``), and its row is set to the new version.

- The worker checks once per province and process, before its first round, and sends the
  rebuild as a message of its own, so the province's other projections go on meanwhile
  (``services.workers``);
- ``chibo migrate`` adds new tables to every province (idempotent), lists what is stale and
  asks the workers to rebuild it, or with ``--now`` rebuilds it in the command itself.

While it runs the row says ``rebuilding`` (``chibo projections status`` shows it, and a
read-your-writes wait refused meanwhile says why). A province provisioned before versions
existed has no rows: its projections count as version :data:`BASELINE`, the version every
projection had then, so nothing is rebuilt for the change itself; a new province records
every projection at its declared version when provisioned (:func:`install_part`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from infra.database import Database
from projections import engine
from projections.base import Projection, table

log = logging.getLogger(__name__)

VERSION_TABLE = "projection_version"
BASELINE = 1
CURRENT = "current"
REBUILDING = "rebuilding"


def declared(projection: Projection) -> int:
    return int(getattr(projection, "version", BASELINE))


def install(conn: psycopg.Connection[Any], schema: str) -> None:
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " projection text PRIMARY KEY,"
            " version integer NOT NULL,"
            " state text NOT NULL DEFAULT 'current',"
            " changed_at timestamptz NOT NULL DEFAULT now())"
        ).format(table(schema, VERSION_TABLE))
    )


def install_part(conn: psycopg.Connection[Any], schema: str) -> None:
    """The schema part (provisioning, ``chibo migrate``): the table, and for a province that
    has caught nothing up yet (a new one) every projection at its declared version, since its
    tables are this release's. An older province keeps what it has: a projection without a
    row is at :data:`BASELINE`."""
    install(conn, schema)
    from projections.registry import all_projections
    from projections.tracking import TRACKING_TABLE

    row = conn.execute(
        sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(table(schema, TRACKING_TABLE))
    ).fetchone()
    if row is not None and not row[0]:
        for projection in all_projections():
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (projection, version) VALUES (%s, %s)"
                    " ON CONFLICT (projection) DO NOTHING"
                ).format(table(schema, VERSION_TABLE)),
                (projection.name, declared(projection)),
            )


def stored(conn: psycopg.Connection[Any], schema: str) -> dict[str, tuple[int, str]]:
    """Projection → (version its tables were built for, state)."""
    install(conn, schema)
    rows = conn.execute(
        sql.SQL("SELECT projection, version, state FROM {}").format(table(schema, VERSION_TABLE))
    ).fetchall()
    return {name: (int(version), state) for name, version, state in rows}


def stale(
    conn: psycopg.Connection[Any], schema: str, projections: Sequence[Projection]
) -> list[Projection]:
    """The projections whose tables were built for another version (or left half-rebuilt)."""
    known = stored(conn, schema)
    return [
        p for p in projections if known.get(p.name, (BASELINE, CURRENT)) != (declared(p), CURRENT)
    ]


def rebuilding(conn: psycopg.Connection[Any], schema: str) -> list[str]:
    return sorted(name for name, (_, state) in stored(conn, schema).items() if state == REBUILDING)


def record(
    conn: psycopg.Connection[Any], schema: str, name: str, version: int, state: str = CURRENT
) -> None:
    install(conn, schema)
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (projection, version, state) VALUES (%s, %s, %s)"
            " ON CONFLICT (projection) DO UPDATE SET version = excluded.version,"
            " state = excluded.state, changed_at = now()"
        ).format(table(schema, VERSION_TABLE)),
        (name, version, state),
    )


def upgrade(
    database: Database, schema: str, projection: Projection, projections: Sequence[Projection]
) -> list[str]:
    """Rebuild ``projection`` (and what reads its tables) if its version is stale; the names
    rebuilt. Another process upgrading the same pair makes this one return at once, empty.

    The claim is a transaction-level advisory lock held by a transaction left open for the
    whole upgrade (session locks do not survive PgBouncer's transaction mode); it takes no
    snapshot, so it holds back no vacuum. The rebuilds run on other connections.
    """
    from projections.registry import dependents

    key = engine.lock_key(schema, "upgrade:" + projection.name)
    with database.connect(autocommit=False) as guard, guard.transaction():
        got = guard.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
        claimed = got.fetchone()
        if not claimed or not claimed[0]:
            return []
        with database.connect() as conn:
            if projection not in stale(conn, schema, [projection]):
                return []
            chosen = [projection, *dependents(projection.name)]
            for p in chosen:
                record(conn, schema, p.name, declared(p), REBUILDING)
        for p in chosen:
            log.info("rebuilding %s of %s for version %d", p.name, schema, declared(p))
            done = engine.rebuild(database, schema, p)
            if done.error:
                log.warning("rebuilding %s of %s stopped: %s", p.name, schema, done.error)
                continue  # stays 'rebuilding', so stale: the next check tries again
            with database.connect() as conn:
                record(conn, schema, p.name, declared(p))
        return [p.name for p in chosen]


def upgrade_all(database: Database, schema: str, projections: Sequence[Projection]) -> list[str]:
    """Every stale projection of one province, rebuilt here and now (``chibo migrate --now``)."""
    with database.connect() as conn:
        found = stale(conn, schema, projections)
    done: list[str] = []
    for projection in found:
        if projection.name not in done:
            done += [n for n in upgrade(database, schema, projection, projections) if n not in done]
    return done
