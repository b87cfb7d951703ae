"""Installing a province's read models: the tracking table and every projection's tables.

Provisioning installs them all (:func:`install_read_models`); a worker installs a projection
once per process and pair before its first batch (:func:`ensure_installed`), so a projection
added in a release starts by itself on provinces provisioned before it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from infra.application import EVENTS_TABLE
from projections import tracking
from projections.base import Projection, table
from projections.batches import take_lock

log = logging.getLogger(__name__)

installed: set[tuple[str, str, str]] = set()
"""(database, schema, projection) triples installed by this process."""


def ensure_installed(conn: psycopg.Connection[Any], schema: str, projection: Projection) -> bool:
    """Create the tables once per process and pair, so a projection added in a release starts
    by itself on provinces provisioned before it. Under the pair's lock (concurrent
    ``CREATE … IF NOT EXISTS`` can collide); False if another worker holds it."""
    key = (conn.info.dsn, schema, projection.name)
    if key in installed:
        return True
    with conn.transaction():
        if not take_lock(conn, schema, projection.name, wait=False):
            return False
        tracking.install_tracking(conn, schema)
        projection.install(conn, schema)
        repair_checkpoint(conn, schema, projection.name)
    installed.add(key)
    return True


def repair_checkpoint(conn: psycopg.Connection[Any], schema: str, name: str) -> None:
    """Bring back a checkpoint that lies beyond the log's last event.

    Ids only grow and events are never deleted, so such a checkpoint can only come from the
    old empty-log fault (it jumped to 2**63-1 before the first event), and nothing was
    applied since: replaying from the start is exact.
    """
    row = conn.execute(
        sql.SQL(
            "UPDATE {t} SET position = 0, updated_at = now() WHERE projection = %s"
            " AND position > (SELECT coalesce(max(notification_id), 0) FROM {e})"
            " RETURNING projection"
        ).format(t=table(schema, tracking.TRACKING_TABLE), e=table(schema, EVENTS_TABLE)),
        (name,),
    ).fetchone()
    if row is not None:
        log.warning("checkpoint of %s in %s was past the log's end: replaying it", name, schema)


def install(conn: psycopg.Connection[Any], schema: str, projections: Sequence[Projection]) -> None:
    tracking.install_tracking(conn, schema)
    for projection in projections:
        projection.install(conn, schema)


def install_read_models(conn: psycopg.Connection[Any], schema: str) -> None:
    """The schema part provisioning runs: the tracking table and every projection's tables."""
    from projections.registry import all_projections

    install(conn, schema, all_projections())
