"""The embedded server keeps its data between runs: a second start reuses it."""

from __future__ import annotations

import pytest

from infra.database import EmbeddedPostgres

pytestmark = pytest.mark.integration


def test_a_second_start_reuses_the_data(pg_home):
    first = EmbeddedPostgres(pg_home)
    database = first.start()
    with database.connect() as conn:
        conn.execute("CREATE TABLE kept (note text)")
        conn.execute("INSERT INTO kept VALUES ('còn đây')")
    first.stop()
    second = EmbeddedPostgres(pg_home)
    database = second.start()
    try:
        with database.connect() as conn:
            assert conn.execute("SELECT note FROM kept").fetchall() == [("còn đây",)]
    finally:
        second.stop()
