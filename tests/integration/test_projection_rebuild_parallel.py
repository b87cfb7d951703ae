"""``chibo projections rebuild --jobs N``: projections rebuilt side by side, in separate
processes, give the same tables as one after another, and what reads other projections' tables
starts only after them."""

from __future__ import annotations

from typing import Any

import pytest

from projections import engine, tracking
from projections.parallel import ready, rebuild_many
from projections.registry import all_projections
from services.cli import main
from tests.integration.test_projection_engine import snapshot
from tests.integration.test_projection_rollups import build_province

pytestmark = pytest.mark.integration


@pytest.fixture
def env(database: Any, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("CHIBO_DATA_DIR", str(tmp_path / "data"))


def test_side_by_side_equals_one_after_another(app, tenant, database, env, capsys):
    build_province(app)
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None
    one_by_one = snapshot(database, tenant.schema)
    assert one_by_one["rollup_node_month"]

    assert main(["projections", "rebuild", "--tenant", tenant.slug, "--jobs", "2"]) == 0
    printed = capsys.readouterr().out
    assert all(f"{tenant.slug}\t{p.name}\t" in printed for p in all_projections())
    assert snapshot(database, tenant.schema) == one_by_one
    with database.connect() as conn:
        points = tracking.checkpoints(conn, tenant.schema)
    assert {points[p.name].position for p in all_projections()} == {app.log_position}


def test_a_dependent_is_not_ready_while_what_it_reads_is_rebuilt():
    projections = all_projections()
    everything = {p.name for p in projections}
    first = [p.name for p in ready(projections, everything)]
    assert "rollup" not in first
    assert {"org_tree", "meetings", "audit_trail"} <= set(first)
    assert "rollup" not in [p.name for p in ready(projections, {"meetings"})]
    assert "rollup" in [p.name for p in ready(projections, {"audit_trail"})]


def test_a_dependent_waits_for_what_it_reads(app, tenant, database):
    build_province(app)
    results = rebuild_many(database, tenant.schema, all_projections(), jobs=3)
    by_name = {r.projection: r for r in results}
    assert all(r.error is None for r in results)
    # Had it started beside meetings, it would have settled at meetings' half-built position.
    assert by_name["rollup"].position == by_name["meetings"].position == app.log_position
    with database.connect() as conn:
        held = conn.execute(f'SELECT sum(held) FROM "{tenant.schema}".rollup_node_month').fetchone()
    assert held is not None
    assert held[0] > 0


def test_jobs_must_be_a_positive_number(env, capsys):
    with pytest.raises(SystemExit):
        main(["projections", "rebuild", "--jobs", "0"])
    assert "số nguyên dương" in capsys.readouterr().err
