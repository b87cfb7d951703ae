"""A rebuild of the audit trail fills both tables exactly as the per-event code before it did.

The events: a tiny synthetic province (every kind the benchmark writes), then the audit and
roll-up fixtures through the application (an exemption with its reason, a cell moved to
another committee, meetings). Each table is compared as PostgreSQL prints its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import pytest
from psycopg import sql

from bench.load import load
from bench.synthetic import Shape
from projections import engine
from projections.audit_trail import (
    AUDIT_TRAIL,
    SUBJECT_COLUMNS,
    TRAIL_COLUMNS,
    TRAIL_TYPES,
    AuditTrailProjection,
)
from projections.base import StoredEventRow
from projections.sets import copy_rows, upsert_rows
from tests.integration.test_audit_trail import build
from tests.integration.test_projection_rollups import build_province
from tests.unit.test_audit_trail_speed import Subject, reference_rows

pytestmark = pytest.mark.integration

TINY = Shape(seed=11, scale=0.003)


class ReferenceAuditTrail(AuditTrailProjection):
    """The same tables and checkpoint, written by the code before the speed-up."""

    def apply(self, conn: Any, schema: str, events: Sequence[StoredEventRow]) -> None:
        trail, subjects = reference_rows(events, lambda ids: self.subjects(conn, schema, ids))
        copy_rows(conn, schema, "audit_trail", TRAIL_COLUMNS, trail, TRAIL_TYPES)
        upsert_rows(conn, schema, "audit_subjects", SUBJECT_COLUMNS, ("aggregate_id",), subjects)

    def subjects(self, conn: Any, schema: str, ids: set[UUID]) -> dict[UUID, Subject]:
        return {r[0]: (r[1], r[2]) for r in self._load(conn, schema, list(ids))}


def tables(database: Any, schema: str) -> dict[str, list[str]]:
    with database.connect() as conn:
        return {
            name: [
                r[0]
                for r in conn.execute(
                    sql.SQL("SELECT t::text FROM {}.{} AS t ORDER BY {}").format(
                        sql.Identifier(schema), sql.Identifier(name), sql.Identifier(key)
                    )
                ).fetchall()
            ]
            for name, key in (
                ("audit_trail", "notification_id"),
                ("audit_subjects", "aggregate_id"),
            )
        }


def test_a_rebuild_writes_the_tables_the_code_before_wrote(app, tenant, database):
    load(database, tenant.schema, TINY)
    build(app)
    build_province(app)
    for batch_size in (100_000, 777):
        done = engine.rebuild(database, tenant.schema, ReferenceAuditTrail(), batch_size=batch_size)
        assert done.error is None
        before = tables(database, tenant.schema)
        assert len(before["audit_trail"]) == app.log_position
        done = engine.rebuild(database, tenant.schema, AUDIT_TRAIL, batch_size=batch_size)
        assert done.error is None
        assert tables(database, tenant.schema) == before
