"""What ``chibo projections status`` shows: each projection's checkpoint, lag and error, and
the events quarantined for it (:mod:`projections.poison`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from infra.application import EVENTS_TABLE
from infra.database import Database
from projections import poison, tracking
from projections.base import Projection, table


@dataclass(frozen=True, slots=True)
class Status:
    projection: str
    position: int
    head: int
    error: str | None
    error_position: int | None
    quarantined: tuple[int, ...] = ()
    """Events an operator let this projection skip (they stay in the log)."""
    rebuilding: bool = False
    """Being rebuilt for a new version (``projections.versions``): its rows are incomplete."""

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


def status(database: Database, schema: str, projections: Sequence[Projection]) -> list[Status]:
    with database.connect() as conn:
        tracking.install_tracking(conn, schema)
        points = tracking.checkpoints(conn, schema)
        skipped = poison.quarantined(conn, schema)
        from projections import versions  # it runs the engine, which imports this module

        renewing = set(versions.rebuilding(conn, schema))
        row = conn.execute(
            sql.SQL("SELECT max(notification_id) FROM {}").format(table(schema, EVENTS_TABLE))
        ).fetchone()
    head = int(row[0] or 0) if row else 0
    result = []
    for p in projections:
        point = points.get(p.name)
        result.append(
            Status(
                p.name,
                point.position if point else 0,
                head,
                point.last_error if point else None,
                point.error_position if point else None,
                tuple(q.notification_id for q in skipped if q.projection == p.name),
                p.name in renewing,
            )
        )
    return result
