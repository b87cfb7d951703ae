"""The figure "absent with a reason more than 3 times in a row" (HD 12-HD/BTCTW criterion 1).

Issue 12 §3: it counts **excused** absences, the 4th in a row and later, **within the year**,
and leaves out **exempted** members; an unexcused absence ends the run (it fails the criterion
by itself). One cell, members a … g (a, b chair and secretary), f exempted from meetings:

    2024 Oct Nov Dec   2025 Jan Feb Mar Apr
    c    P   P   P          E   E   E   E    4th excused in April: counted
    d    P   P   P          E   E   E   P    3 in a row: not counted
    e    P   P   P          E   E   E   U    unexcused ends the run
    f    P   P   P          E   E   E   E    exempted: not counted
    g    E   E   E          E   P   P   P    the year starts anew: 1 in January

The same cell with c on special duty with the armed forces from February counts nobody.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from domain import special_duty
from domain.base import SYSTEM
from domain.org_unit import Level
from domain.roster import Change
from projections import lists, rollups
from projections.registry import figure_sources, list_named
from tests.conftest import asyncpg_connect
from tests.integration.test_projection_rollups import (
    Province,
    caught_up,
    enrol,
    founded,
    hold,
    streaks_of,
)

pytestmark = pytest.mark.integration

MARKS = {
    date(2024, 10, 3): "PPPPPPE",
    date(2024, 11, 3): "PPPPPPE",
    date(2024, 12, 3): "PPPPPPE",
    date(2025, 1, 3): "PPEEEEE",
    date(2025, 2, 3): "PPEEEEP",
    date(2025, 3, 3): "PPEEEEP",
    date(2025, 4, 3): "PPEPUEP",
}
"""The marks of members a to g at each meeting of the cell."""
AS_OF = date(2025, 5, 20)


def held_cell(app: Any, tenant: Any, database: Any, duty: bool) -> Province:
    p = founded(app, ("P", Level.PROVINCE, None), ("C", Level.GRASSROOTS_CELL, "P"))
    enrol(app, p, "C", "abcdefg")
    roster = p.rosters["C"]
    roster.record(p.members["f"], Change.EXEMPTED, date(2024, 1, 1), SYSTEM)
    app.save_all(roster)
    if duty:
        member = app.repository.get(p.members["c"])
        special_duty.note_special_duty(member, roster, date(2025, 2, 1), "Nhiệm vụ A2", SYSTEM)
        app.save_all(member, roster)
    for day, marks in MARKS.items():
        hold(app, p, "C", day, marks)
    caught_up(database, tenant.schema)
    return p


@pytest.fixture
def cell(app, tenant, database) -> Province:
    return held_cell(app, tenant, database, duty=False)


def test_the_armed_forces_on_special_duty_are_left_out(app, tenant, database):
    """Issue 12 §3: c, on special duty from February, is absent with a reason for the 4th time
    in April: not counted, as an exempted member would not be."""
    root = held_cell(app, tenant, database, duty=True).id("P")
    assert listed(database, tenant.schema, "members_absent_over_3_in_a_row", root, "2025") == []
    assert figure(database, tenant.schema, root, "2025") == 0


def fetch(database: Any, work: Any) -> Any:
    async def run() -> Any:
        conn = await asyncpg_connect(database)
        try:
            return await work(conn.fetch)
        finally:
            await conn.close()

    return asyncio.run(run())


def listed(database: Any, schema: str, name: str, node: Any, period: str) -> list[tuple]:
    spec = list_named(name)
    assert spec is not None
    chosen = rollups.Period.parse(period)
    params = (node, chosen.first_day, chosen.last_day, AS_OF)
    rows, _ = fetch(database, lambda f: lists.page(f, schema, spec, params, limit=None))
    return [(r["full_name"], r["streak"], r["period"]) for r in rows]


def figure(database: Any, schema: str, node: Any, period: str) -> int:
    chosen = rollups.Period.parse(period)
    result = fetch(
        database,
        lambda f: rollups.level_view(f, schema, node, chosen, AS_OF, figure_sources()),
    )
    return int(result["node"]["figures"]["members_absent_over_3_in_a_row"])


def test_only_the_4th_excused_absence_in_a_row_within_the_year_counts(cell, tenant, database):
    root = cell.id("P")
    assert listed(database, tenant.schema, "members_absent_over_3_in_a_row", root, "2025") == [
        ("Đảng viên C", 4, "2025-04")
    ]
    assert figure(database, tenant.schema, root, "2025") == 1
    assert figure(database, tenant.schema, root, "2025-04") == 1
    assert figure(database, tenant.schema, root, "2025-Q1") == 0
    assert listed(database, tenant.schema, "members_absent_over_3_in_a_row", root, "2024") == []


def test_the_old_list_name_still_answers(cell, tenant, database):
    root = cell.id("P")
    old = listed(database, tenant.schema, "members_absent_3_in_a_row", root, "2025")
    assert old == listed(database, tenant.schema, "members_absent_over_3_in_a_row", root, "2025")


def test_streaks_are_recomputed_the_same_after_a_back_dated_meeting(cell, app, tenant, database):
    """A meeting recorded late for September 2024 sends g to the SQL recompute: same rule."""
    hold(app, cell, "C", date(2024, 9, 3), "PPPPPPE")
    caught_up(database, tenant.schema)
    streaks = streaks_of(database, tenant.schema, cell.members["g"])
    assert [s for _, _, s in streaks] == [1, 2, 3, 4, 1, 0, 0, 0]
