"""The pre-summed meeting rollup gives exactly the figures of the query-time definition.

``REFERENCE`` is the per-level view as it was computed before ``rollup_node_month`` existed:
every (node, cell, month) of the period joined to ``meeting_cell_month`` and the attendance
rows at query time. The test compares it with the view the routes now answer, for every node,
every month, quarter and the year, judged mid-year and after the year, on the benchmark's
synthetic province (a year of meetings) to which moves are added: a grassroots committee moved
to a new commune mid-quarter, and a cell moved out and back within one quarter (the same cell
twice under one node in a quarter, April and then June: the distinct figures count it once). The rollup is
filled first in one pass at mid-log and then batch by batch, so both paths are compared.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from bench.load import load
from bench.synthetic import Shape
from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from infra.application import TenantApplication
from infra.database import Database
from infra.tenancy import Tenant
from projections import engine, rollups
from projections.meetings import MEETINGS
from projections.org_tree import ORG_TREE
from projections.registry import all_projections
from projections.rollup import MEETING_FIGURES, ROLLUP
from tests.conftest import asyncpg_connect
from tests.integration.queries import scalar
from tests.integration.test_projection_engine import snapshot

pytestmark = pytest.mark.integration

TINY = Shape(seed=7, scale=0.003)
REFERENCE = """
WITH months AS (
  SELECT y AS year, m AS month, make_date(y, m, 1) AS first_day,
         (make_date(y, m, 1) + interval '1 month' - interval '1 day')::date AS last_day
  FROM unnest($2::int[], $3::int[]) AS p(y, m)
), cm AS (
  SELECT h.ancestor_id AS node, u.id AS cell_id, mo.year, mo.month,
         mo.last_day < $4::date AS ended, mo.year * 12 + mo.month = $5::int AS is_last
  FROM months AS mo
  JOIN {s}.org_closure_history AS h ON h.ancestor_id = ANY($1::uuid[])
   AND h.valid_from <= mo.last_day AND (h.valid_to IS NULL OR h.valid_to > mo.last_day)
  JOIN {s}.org_units AS u ON u.id = h.descendant_id AND u.level IN ('cell', 'grassroots_cell')
   AND u.founded_on <= mo.first_day AND (u.dissolved_on IS NULL OR u.dissolved_on > mo.first_day)
), facts AS (
  SELECT cm.node, count(*) FILTER (WHERE cm.is_last) AS cells, count(*) AS due,
    count(*) FILTER (WHERE f.regular_held) AS held,
    count(*) FILTER (WHERE f.on_time) AS on_time, count(*) FILTER (WHERE f.late) AS late,
    count(*) FILTER (WHERE cm.ended AND NOT coalesce(f.regular_held, false)) AS missing,
    coalesce(sum(f.thematic_held), 0) AS thematic_held,
    count(DISTINCT (cm.cell_id, (cm.month - 1) / 3)) AS cell_quarters,
    count(DISTINCT (cm.cell_id, (cm.month - 1) / 3)) FILTER (WHERE f.thematic_held > 0)
      AS cell_quarters_with_thematic,
    coalesce(sum(f.expected), 0) AS expected, coalesce(sum(f.present), 0) AS present,
    coalesce(sum(f.excused), 0) AS excused, coalesce(sum(f.unexcused), 0) AS unexcused,
    count(*) FILTER (WHERE f.rating = 'tot') AS rated_tot,
    count(*) FILTER (WHERE f.rating = 'kha') AS rated_kha,
    count(*) FILTER (WHERE f.rating = 'trung_binh') AS rated_trung_binh,
    count(*) FILTER (WHERE f.rating = 'kem') AS rated_kem,
    count(*) FILTER (WHERE f.regular_held AND f.rating IS NULL) AS unrated
  FROM cm LEFT JOIN {s}.meeting_cell_month AS f
    ON f.cell_id = cm.cell_id AND f.year = cm.year AND f.month = cm.month
  GROUP BY cm.node
), absences AS (
  SELECT cm.node, count(DISTINCT a.member_id) AS members_absent_over_3_in_a_row
  FROM cm JOIN {s}.meeting_attendance AS a ON a.cell_id = cm.cell_id AND a.year = cm.year
   AND a.month = cm.month AND a.streak > 3 AND NOT a.exempted AND NOT a.special_duty
  GROUP BY cm.node
)
SELECT facts.*, coalesce(absences.members_absent_over_3_in_a_row, 0) AS members_absent_over_3_in_a_row
FROM facts LEFT JOIN absences USING (node)
"""
PERIODS = [
    "2025",
    *(f"2025-Q{q}" for q in range(1, 5)),
    *(f"2025-{m:02d}" for m in range(1, 13)),
]
JUDGED = (date(2025, 5, 17), date(2026, 1, 31))


def _move(app: TenantApplication, unit_id: Any, to_id: Any, on: date) -> None:
    unit = app.repository.get(unit_id)
    old, new = app.repository.get(unit.parent_id), app.repository.get(to_id)
    ancestors = set(_ancestors(app, new))
    unit.move(old, new, ancestors, on, SYSTEM)
    app.save_all(unit, old, new)


def _ancestors(app: TenantApplication, unit: OrgUnit) -> list[Any]:
    found = []
    while unit.parent_id is not None:
        found.append(unit.parent_id)
        unit = app.repository.get(unit.parent_id)
    return found


def _units(database: Database, schema: str) -> dict[str, list[Any]]:
    with database.connect() as conn:
        rows = conn.execute(
            f'SELECT level, id, parent_id FROM "{schema}".org_units ORDER BY name, id'
        ).fetchall()
    by: dict[str, list[Any]] = {}
    for level, unit_id, parent_id in rows:
        by.setdefault(level, []).append((unit_id, parent_id))
    return by


def _catch_up(database: Database, schema: str, projections: list[Any], **options: Any) -> None:
    for done in engine.catch_up_all(database, schema, projections, **options):
        assert done.error is None, done.error


@pytest.fixture
def province(database: Database, tenant: Tenant, app: TenantApplication) -> dict[str, list[Any]]:
    load(database, tenant.schema, TINY)
    # Meetings up to mid-log first: the rollup's first catch-up computes in one pass there,
    # everything after goes through its batches.
    _catch_up(database, tenant.schema, [ORG_TREE])
    engine.catch_up(database, tenant.schema, MEETINGS, batch_size=2_000, max_batches=4)
    _catch_up(database, tenant.schema, [ROLLUP])
    for _ in range(200):
        meetings = engine.catch_up(database, tenant.schema, MEETINGS, batch_size=700, max_batches=1)
        _catch_up(database, tenant.schema, [ROLLUP], batch_size=700)
        if meetings.events < 700:
            break
    units = _units(database, tenant.schema)
    (province_id, _), (commune_id, _) = units["province"][0], units["direct"][0]
    new_commune = OrgUnit.found(
        uuid4(), "Đảng bộ phường Mới", Level.DIRECT, app.repository.get(province_id),
        date(2024, 12, 1), SYSTEM,
    )  # fmt: skip
    app.save_all(new_commune, app.repository.get(province_id))
    committees = [u for u, parent in units["grassroots_committee"] if parent == commune_id]
    assert len(committees) >= 2, "the synthetic province has several grassroots committees"
    _move(app, committees[0], new_commune.id, date(2025, 5, 20))
    cells = [u for u, parent in units["cell"] if parent == committees[1]]
    _move(app, cells[0], committees[2 % len(committees)], date(2025, 5, 10))
    _move(app, cells[0], committees[1], date(2025, 5, 20))
    _catch_up(database, tenant.schema, all_projections(), batch_size=50)
    return units


def _views(database: Database, schema: str, nodes: list[Any]) -> dict[Any, Any]:
    async def run() -> dict[Any, Any]:
        conn = await asyncpg_connect(database)
        found: dict[Any, Any] = {}
        try:
            for judged in JUDGED:
                for text in PERIODS:
                    period = rollups.Period.parse(text)
                    months = rollups.started_months(period, judged)
                    if not months:
                        continue
                    now = await rollups.figures(
                        conn.fetch, schema, nodes, period, judged, [MEETING_FIGURES]
                    )
                    args = (nodes, [y for y, _ in months], [m for _, m in months], judged,
                            months[-1][0] * 12 + months[-1][1])  # fmt: skip
                    then = await conn.fetch(rollups.qualify(schema, REFERENCE), *args)
                    found[judged, text] = (now, {r["node"]: dict(r) for r in then})
        finally:
            await conn.close()
        return found

    return asyncio.run(run())


def test_the_rollup_gives_the_query_time_figures(province, database, tenant):
    nodes = [u for level in province.values() for u, _ in level]
    compared = 0
    for (judged, period), (now, then) in _views(database, tenant.schema, nodes).items():
        for node in nodes:
            expected = then.get(node)
            if expected is None:  # no cell under it in the period
                assert now[node]["due"] == 0, (judged, period, node)
                continue
            expected.pop("node")
            got = {name: now[node][name] for name in expected}
            assert got == expected, (judged, period, node)
            compared += 1
    assert compared > 500
    # The moves and a year of meetings are really in the figures compared.
    moved = scalar(
        database,
        f'SELECT count(*) FROM "{tenant.schema}".org_closure_history WHERE valid_to IS NOT NULL',
    )
    streaks = scalar(
        database,
        f'SELECT count(*) FROM "{tenant.schema}".rollup_node_month WHERE absent3_new_y > 0',
    )
    assert moved is not None
    assert moved >= 3
    assert streaks is not None
    assert streaks > 0


def test_batch_by_batch_equals_one_pass(province, database, tenant):
    before = snapshot(database, tenant.schema, ("rollup_node_month", "rollup_cell_spans"))
    done = engine.rebuild(database, tenant.schema, ROLLUP)
    assert done.error is None
    assert snapshot(database, tenant.schema, ("rollup_node_month", "rollup_cell_spans")) == before
    assert before["rollup_node_month"]


@pytest.mark.parametrize("first_month", [2, 5, 8, 12])
def test_recomputing_from_a_month_on_equals_the_whole_year(province, database, tenant, first_month):
    """A batch recomputes each ancestor from the first month that changed (issue 14 §2): the
    rows from there on come out as the whole year's computation gives them, mid-quarter starts
    included (a cell's first thematic month of the quarter, a member's first month of the year
    at three absences, both counted from months before the start)."""
    table = ("rollup_node_month",)
    before = snapshot(database, tenant.schema, table)
    with database.connect(autocommit=False) as conn:
        years = [
            y for (y,) in conn.execute(
                f'SELECT DISTINCT year FROM "{tenant.schema}".rollup_node_month'
            ).fetchall()
        ]  # fmt: skip
        nodes = [
            n for (n,) in conn.execute(
                f'SELECT DISTINCT node_id FROM "{tenant.schema}".rollup_node_month'
            ).fetchall()
        ]  # fmt: skip
        targets = [(node, year, first_month) for node in nodes for year in years]
        with conn.transaction():
            conn.execute(
                f'UPDATE "{tenant.schema}".rollup_node_month SET held = held + 100,'
                " thematic_new = thematic_new + 100, absent3_new_y = absent3_new_y + 100"
                " WHERE month >= %s",
                (first_month,),
            )
            ROLLUP.recompute(conn, tenant.schema, targets)
    assert snapshot(database, tenant.schema, table) == before
