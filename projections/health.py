"""How far each province's read models are behind its log (độ trễ của bảng đọc), for
``/metrics`` and ``/readyz`` (issue 14 §5).

One query per province, on the shared pool, reading only: each projection's checkpoint, its
error and how long since it last moved, beside the head of the log. A projection is

- **stopped** when its last batch failed (``last_error``): it will not move until fixed or
  the event quarantined;
- **far behind** when more than ``FAR_BEHIND_EVENTS`` events wait, or some wait and it has
  not moved for ``STUCK_SECONDS`` (the worker is not running, or is stuck in a batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from infra.application import EVENTS_TABLE
from infra.clusters import database_for
from infra.database import Database
from infra.tenancy import list_tenants
from projections.base import Projection, table
from projections.registry import all_projections
from projections.tracking import TRACKING_TABLE

FAR_BEHIND_EVENTS = 10_000
STUCK_SECONDS = 120.0

QUERY = (
    "SELECT t.projection, t.position, t.last_error,"
    " extract(epoch FROM now() - t.updated_at)::float8 FROM {tracking} AS t"
)
HEAD_ONLY = "SELECT coalesce(max(notification_id), 0) FROM {events}"


@dataclass(frozen=True, slots=True)
class Health:
    slug: str
    projection: str
    position: int
    head: int
    error: str | None
    idle_seconds: float
    """Since the checkpoint last moved (or was created)."""

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)

    @property
    def stopped(self) -> bool:
        return self.error is not None

    @property
    def far_behind(self) -> bool:
        return self.lag > FAR_BEHIND_EVENTS or (self.lag > 0 and self.idle_seconds > STUCK_SECONDS)


def health(database: Database, projections: Sequence[Projection] | None = None) -> list[Health]:
    """Every (province, projection) pair's position, lag and error."""
    chosen = list(projections) if projections is not None else all_projections()
    found: list[Health] = []
    tenants = list_tenants(database)
    for tenant in tenants:
        with database_for(database, tenant.cluster).connect() as conn:
            events = table(tenant.schema, EVENTS_TABLE)
            tracking = table(tenant.schema, TRACKING_TABLE)
            try:
                rows = conn.execute(sql.SQL(QUERY).format(tracking=tracking)).fetchall()
                head_row = conn.execute(sql.SQL(HEAD_ONLY).format(events=events)).fetchone()
            except psycopg.errors.UndefinedTable:
                continue  # a province being provisioned right now
            head = int(head_row[0]) if head_row else 0
            by_name = {row[0]: row for row in rows}
            for projection in chosen:
                row = by_name.get(projection.name)
                if row is None:  # no checkpoint yet: nothing projected
                    found.append(Health(tenant.slug, projection.name, 0, head, None, 0.0))
                    continue
                found.append(
                    Health(tenant.slug, projection.name, int(row[1]), head, row[2], float(row[3]))
                )
    return found
