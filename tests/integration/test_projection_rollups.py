"""Rollups of a small, known province checked against figures worked out by hand.

The province (built through the domain and ``app.save_all``), first quarter of 2025:

    P (province)
    ├── D1 (direct) ── G1 (grassroots committee) ── C1 (cell), C2 (cell until 15 Feb)
    └── D2 (direct) ── G3 (grassroots committee) ── C2 (from 15 Feb)
                   └── G2 (grassroots cell)

C1 has members a b c d, C2 e f g, G2 h i j. Regular meetings (window 1–5, P present,
E excused, U unexcused):

    C1  Jan 3  a b P, c E, d U   Tốt     Feb 10 (late) a b c P, d U   Kém   Mar 2  a b c P, d E  Kém
        thematic Feb 20 (all P)
    C2  Jan 4  e f g P           Khá     Feb —                              Mar 5  e f P, g U    Trung bình
    G2  Jan 2  h i j P           —       Feb 6 (late) h i P, j E      Tốt   Mar —
        thematic Mar 15

Member d is absent at three regular meetings in a row (Jan, Feb, Mar), only March's excused:
the figure of HD 12 criterion 1 (excused, more than 3 in a row within the year) counts nobody
here (tests/integration/test_absent_over_3.py has the cases it counts).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from bench.synthetic import official_member
from domain.base import SYSTEM
from domain.meeting import Meeting
from domain.meeting_values import AttendanceEntry, AttendanceMark, MeetingKind
from domain.org_unit import Level, MeetingWindow, OrgUnit
from domain.province import QualityThresholds
from domain.quality import QualityScores, Rating
from domain.roster import CellRoster
from projections import engine, rollups
from projections.registry import all_projections, figure_sources
from tests.conftest import asyncpg_connect

pytestmark = pytest.mark.integration

P, E, U = AttendanceMark.PRESENT, AttendanceMark.EXCUSED, AttendanceMark.UNEXCUSED
SCORES = {Rating.TOT: 20, Rating.KHA: 16, Rating.TRUNG_BINH: 12, Rating.KEM: 5}
AS_OF = date(2025, 4, 15)


@dataclass
class Province:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    members: dict[str, UUID] = field(default_factory=dict)
    rosters: dict[str, CellRoster] = field(default_factory=dict)
    meetings: list[Meeting] = field(default_factory=list)

    def id(self, name: str) -> UUID:
        return self.units[name].id


def found(app: Any, p: Province, name: str, level: Level, parent: str | None) -> None:
    parent_unit = p.units[parent] if parent else None
    unit = OrgUnit.found(uuid4(), name, level, parent_unit, date(2020, 1, 1), SYSTEM)
    p.units[name] = unit
    app.save_all(unit, *([parent_unit] if parent_unit else []))


UnitPlace = tuple[str, Level, str | None]
"""A unit to found: its name, level and its parent's name (None: a root)."""
DOWN_TO_G: tuple[UnitPlace, ...] = (
    ("P", Level.PROVINCE, None),
    ("D", Level.DIRECT, "P"),
    ("G", Level.GRASSROOTS_COMMITTEE, "D"),
)
"""Province P, its direct committee D and, under D, the grassroots committee G."""


def founded(app: Any, *units: UnitPlace) -> Province:
    """A province of these units, founded in this order."""
    p = Province()
    for name, level, parent in units:
        found(app, p, name, level, parent)
    return p


def caught_up(database: Any, schema: str) -> None:
    """Every projection brought up to the end of the province's log, none failing."""
    for done in engine.catch_up_all(database, schema, all_projections()):
        assert done.error is None, done.error


def streaks_of(database: Any, schema: str, member_id: UUID) -> list[tuple[int, int, int]]:
    """The member's (year, month, excused-absence streak) rows, in month order."""
    with database.connect() as conn:
        rows = conn.execute(
            f'SELECT year, month, streak FROM "{schema}".meeting_attendance'
            " WHERE member_id = %s ORDER BY year, month",
            (member_id,),
        ).fetchall()
    return [tuple(r) for r in rows]


def enrol(app: Any, p: Province, cell: str, names: str) -> None:
    roster = CellRoster.open(p.id(cell), SYSTEM)
    p.rosters[cell] = roster
    for name in names:
        full_name = f"Đảng viên {name.upper()}"
        member = official_member(roster, full_name, date(2010, 1, 1), date(2015, 1, 1), SYSTEM)
        p.members[name] = member.id
        app.save_all(member, roster)


def hold(
    app: Any,
    p: Province,
    cell: str,
    day: date,
    marks: str,
    rating: Rating | None = None,
    kind: MeetingKind = MeetingKind.REGULAR,
) -> Meeting:
    """``marks``: one letter per member in roster order, e.g. ``"PPEU"``."""
    roster = p.rosters[cell]
    names = sorted((n for n in p.members if p.members[n] in roster.changes), key=str)
    meeting = Meeting.schedule(
        uuid4(),
        p.id(cell),
        kind,
        (day.year, day.month),
        datetime(day.year, day.month, day.day, 8, tzinfo=UTC),
        "Hội trường",
        ["Nội dung"],
        "Chuyên đề học tập" if kind is MeetingKind.THEMATIC else "",
        SYSTEM,
    )
    start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    present = [p.members[n] for n, m in zip(names, marks, strict=True) if m == "P"]
    meeting.open(start, present[0], present[1], roster.members_on(day), MeetingWindow(1, 5), SYSTEM)
    entries = [
        AttendanceEntry(
            p.members[n], AttendanceMark({"P": P, "E": E, "U": U}[m]), "ốm" if m == "E" else ""
        )
        for n, m in zip(names, marks, strict=True)
        if p.members[n] not in present[:2]
    ]
    meeting.mark_attendance(entries, SYSTEM)
    meeting.record_minutes("Biên bản cuộc họp", SYSTEM)  # the assessment follows the minutes
    if rating is not None:
        points = SCORES[rating]
        meeting.assess_quality(
            QualityScores(*(points,) * 5), QualityThresholds(), SYSTEM, reason="Theo kịch bản"
        )
    meeting.close(start + timedelta(hours=2), SYSTEM)
    app.save_all(meeting)
    p.meetings.append(meeting)
    return meeting


def build_province(app: Any) -> Province:
    p = founded(
        app,
        ("P", Level.PROVINCE, None),
        ("D1", Level.DIRECT, "P"),
        ("D2", Level.DIRECT, "P"),
        ("G1", Level.GRASSROOTS_COMMITTEE, "D1"),
        ("G3", Level.GRASSROOTS_COMMITTEE, "D2"),
        ("C1", Level.CELL, "G1"),
        ("C2", Level.CELL, "G1"),
        ("G2", Level.GRASSROOTS_CELL, "D2"),
    )
    enrol(app, p, "C1", "abcd")
    enrol(app, p, "C2", "efg")
    enrol(app, p, "G2", "hij")
    hold(app, p, "C1", date(2025, 1, 3), "PPEU", Rating.TOT)
    hold(app, p, "C2", date(2025, 1, 4), "PPP", Rating.KHA)
    hold(app, p, "G2", date(2025, 1, 2), "PPP")
    hold(app, p, "C1", date(2025, 2, 10), "PPPU", Rating.KEM)
    hold(app, p, "C1", date(2025, 2, 20), "PPPP", kind=MeetingKind.THEMATIC)
    hold(app, p, "G2", date(2025, 2, 6), "PPE", Rating.TOT)
    c2, g1, g3 = p.units["C2"], p.units["G1"], p.units["G3"]
    c2.move(g1, g3, {p.id("D2"), p.id("P")}, date(2025, 2, 15), SYSTEM)
    app.save_all(c2, g1, g3)
    hold(app, p, "C1", date(2025, 3, 2), "PPPE", Rating.KEM)
    hold(app, p, "C2", date(2025, 3, 5), "PPU", Rating.TRUNG_BINH)
    hold(app, p, "G2", date(2025, 3, 15), "PPP", kind=MeetingKind.THEMATIC)
    return p


def view(database: Any, schema: str, node: UUID | None, period: str) -> dict[str, Any]:
    async def run() -> dict[str, Any] | None:
        conn = await asyncpg_connect(database)
        try:
            return await rollups.level_view(
                conn.fetch, schema, node, rollups.Period.parse(period), AS_OF, figure_sources()
            )
        finally:
            await conn.close()

    result = asyncio.run(run())
    assert result is not None
    return result


@pytest.fixture
def province(app, tenant, database) -> Province:
    built = build_province(app)
    caught_up(database, tenant.schema)
    return built


def test_province_root_quarter_matches_hand_count(province, tenant, database):
    result = view(database, tenant.schema, None, "2025-Q1")
    assert result["node"]["id"] == province.id("P")
    f = result["node"]["figures"]
    expected = {
        "cells": 3,
        "due": 9,
        "held": 7,
        "on_time": 5,
        "late": 2,
        "missing": 2,
        "thematic_held": 2,
        "cell_quarters": 3,
        "cell_quarters_with_thematic": 2,
        "expected": 24,
        "present": 18,
        "excused": 3,
        "unexcused": 3,
        "attendance_rate": 0.75,
        "rated_tot": 2,
        "rated_kha": 1,
        "rated_trung_binh": 1,
        "rated_kem": 2,
        "unrated": 1,
        "members_absent_over_3_in_a_row": 0,
    }
    assert {k: f[k] for k in expected} == expected


def test_drill_down_follows_the_tree_of_each_month(province, tenant, database):
    result = view(database, tenant.schema, province.id("P"), "2025-Q1")
    children = {c["name"]: c["figures"] for c in result["children"]}
    assert set(children) == {"D1", "D2"}
    d1, d2 = children["D1"], children["D2"]
    # C2 counts under D1 in January and under D2 from February (moved on 15 Feb).
    assert (d1["cells"], d1["due"], d1["held"], d1["missing"]) == (1, 4, 4, 0)
    assert (d1["on_time"], d1["late"], d1["thematic_held"]) == (3, 1, 1)
    assert (d1["expected"], d1["present"]) == (15, 11)
    assert (d2["cells"], d2["due"], d2["held"], d2["missing"]) == (2, 5, 3, 2)
    assert (d2["on_time"], d2["late"], d2["thematic_held"]) == (2, 1, 1)
    assert d1["members_absent_over_3_in_a_row"] == 0
    assert d2["members_absent_over_3_in_a_row"] == 0


def test_month_and_year_views(province, tenant, database):
    february = view(database, tenant.schema, None, "2025-02")["node"]["figures"]
    assert (february["due"], february["held"], february["missing"]) == (3, 2, 1)
    assert (february["late"], february["rated_kem"], february["rated_tot"]) == (2, 1, 1)
    assert february["members_absent_over_3_in_a_row"] == 0
    march = view(database, tenant.schema, province.id("C1"), "2025-03")["node"]["figures"]
    assert (march["expected"], march["present"], march["excused"]) == (4, 3, 1)
    assert march["members_absent_over_3_in_a_row"] == 0
    year = view(database, tenant.schema, None, "2025")["node"]["figures"]
    # Only months started by the as-of day (15 April) are due; April has not ended.
    assert (year["due"], year["held"], year["missing"]) == (12, 7, 2)


def test_tree_as_of_a_date_before_the_move(province, tenant, database):
    d1 = view(database, tenant.schema, province.id("G1"), "2025-01")
    assert {c["name"] for c in d1["children"]} == {"C1", "C2"}
    assert d1["node"]["figures"]["cells"] == 2
    later = view(database, tenant.schema, province.id("G1"), "2025-03")
    assert {c["name"] for c in later["children"]} == {"C1"}
    with database.connect() as conn:
        now = conn.execute(
            f"SELECT count(*) FROM {tenant.schema}.org_closure WHERE ancestor_id = %s",
            (province.id("D2"),),
        ).fetchone()
    assert now == (4,)  # D2, G3, C2, G2


def test_register_and_roster_rows(province, tenant, database):
    with database.connect() as conn:
        meetings = conn.execute(
            f"SELECT count(*), count(*) FILTER (WHERE is_late), count(*) FILTER (WHERE closed)"
            f" FROM {tenant.schema}.meetings"
        ).fetchone()
        members = conn.execute(
            f"SELECT count(*) FROM {tenant.schema}.members WHERE cell_id = %s",
            (province.id("C1"),),
        ).fetchone()
        streak = conn.execute(
            f"SELECT max(streak) FROM {tenant.schema}.meeting_attendance WHERE member_id = %s",
            (province.members["d"],),
        ).fetchone()
    assert meetings == (9, 2, 9)
    assert members == (4,)
    assert streak == (1,)  # U, U, E: only the excused absence starts a streak


def test_moving_a_subtree_moves_its_cells_from_that_month(province, app, tenant, database):
    g1, d1, d2 = province.units["G1"], province.units["D1"], province.units["D2"]
    g1.move(d1, d2, {province.id("P")}, date(2025, 3, 10), SYSTEM)
    app.save_all(g1, d1, d2)
    caught_up(database, tenant.schema)
    children = {
        c["name"]: c["figures"]
        for c in view(database, tenant.schema, province.id("P"), "2025-Q1")["children"]
    }
    # C1 counts under D1 in January and February, under D2 in March.
    assert (children["D1"]["due"], children["D1"]["held"]) == (3, 3)
    assert (children["D2"]["due"], children["D2"]["held"]) == (6, 4)
    assert children["D1"]["cells"] == 0
    assert children["D2"]["cells"] == 3
    with database.connect() as conn:
        ancestors = conn.execute(
            f'SELECT ancestor_id, depth FROM "{tenant.schema}".org_closure'
            " WHERE descendant_id = %s ORDER BY depth",
            (province.id("C1"),),
        ).fetchall()
    assert ancestors == [
        (province.id("C1"), 0),
        (province.id("G1"), 1),
        (province.id("D2"), 2),
        (province.id("P"), 3),
    ]


def test_a_meeting_dated_before_the_cell_existed_does_not_stop_the_rollup(
    province, app, tenant, database
):
    """A meeting whose month lies before the cell's founding (a late entry of old records, or a
    wrong year) has no ancestor in the tree of that month: the batch had nothing to recompute
    and failed unpacking the empty list, which stopped the rollup of the whole province."""
    hold(app, province, "C1", date(2019, 6, 3), "PPPP")
    caught_up(database, tenant.schema)
    # And the province's figures carry on after it.
    hold(app, province, "C1", date(2025, 4, 2), "PPPP")
    caught_up(database, tenant.schema)
    assert (
        view(database, tenant.schema, province.id("C1"), "2025-04")["node"]["figures"]["held"] == 1
    )
