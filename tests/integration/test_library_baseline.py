"""The benchmark's baseline (``bench.library_baseline``): one of our projections run through the
eventsourcing library's own ``ProjectionRunner`` on a province's log. ``make bench`` prints its
rate beside our engine's; this checks that the runner still starts on our application class and
reads every event of the projection's topics (it once failed at start, unnoticed, after the
application began taking its datastore from the shared pool)."""

from __future__ import annotations

import pytest
from psycopg import sql

from bench import library_baseline
from bench.load import load
from bench.synthetic import Shape
from infra.database import Database
from infra.tenancy import Tenant
from projections.org_tree import ORG_TREE
from tests.conftest import server_database

pytestmark = pytest.mark.integration


def test_the_library_runner_reads_every_event_of_the_projections_topics(
    database: Database, tenant: Tenant
) -> None:
    load(database, tenant.schema, Shape(seed=11, scale=0.003))
    with database.connect() as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE topic = ANY(%s)").format(
                sql.Identifier(tenant.schema, "chibo_events")
            ),
            [list(ORG_TREE.topics)],
        ).fetchone()
    assert row is not None
    assert row[0] > 20  # the units of 18 cells and their committees

    # The library's own pool prepares statements: behind PgBouncer it talks to the server.
    server = server_database(database)
    count, rate = library_baseline.run(server, tenant.schema, ORG_TREE, seconds=8)

    assert count == row[0]
    assert rate > 0
