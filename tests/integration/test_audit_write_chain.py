"""Tamper evidence without a blind spot (issue 13 §4): each event chained as it is written."""

from __future__ import annotations

from uuid import uuid4

import pytest
from psycopg import sql

from infra.audit.hashchain import extend_chain
from infra.audit.verify import render, verify
from tests.integration.test_audit_chain import as_attacker, events_table, write_history

pytestmark = pytest.mark.integration


def chain_ids(database, schema) -> list[int]:
    with database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT notification_id FROM {}.audit_chain ORDER BY 1").format(
                sql.Identifier(schema)
            )
        ).fetchall()
    return [r[0] for r in rows]


def test_each_event_has_its_chain_entry_when_its_write_commits(app, tenant, database):
    write_history(app, renames=2)
    assert chain_ids(database, tenant.schema) == [1, 2, 3]  # no worker has run
    report = verify(database, tenant.schema)
    assert report.ok, render(report)


def test_an_event_slipped_in_at_the_tail_is_named_as_inserted(app, tenant, database):
    """Someone with database access appends an event after the last genuine write; the chain's
    catch-up then runs (as the worker would). It used to chain the event as genuine."""
    write_history(app, renames=2)  # events 1–3
    fake = uuid4()
    with database.connect() as conn:
        as_attacker(
            conn,
            sql.SQL(
                "INSERT INTO {} (originator_id, originator_version, topic, state)"
                " SELECT %s, 1, topic, state FROM {} WHERE notification_id = 1"
            ).format(events_table(tenant), events_table(tenant)),
            (fake,),
        )
        extend_chain(conn, tenant.schema)
        report = verify(database, tenant.schema)
    assert not report.ok
    assert [(f.kind, f.notification_id, f.originator_id) for f in report.findings] == [
        ("inserted", 4, fake)
    ]
    assert "bị chèn thêm" in render(report)
    # Genuine writes after it are still chained and verify; the insertion stays named.
    write_history(app, renames=1)
    report = verify(database, tenant.schema)
    assert [(f.kind, f.notification_id) for f in report.findings] == [("inserted", 4)]
