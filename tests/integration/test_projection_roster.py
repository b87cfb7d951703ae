"""The member roster read model: transfers, exemption, recognition, suspension, departure."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.base import SYSTEM
from domain.member import DepartureReason, Member, MemberStatus
from domain.org_unit import Level
from domain.roster import CellRoster, Change
from projections import engine
from projections.roster import ROSTER
from tests.integration.test_projection_rollups import DOWN_TO_G, founded

pytestmark = pytest.mark.integration


def member_row(database: Any, schema: str, member_id: Any) -> dict[str, Any]:
    with database.connect() as conn:
        cur = conn.execute(f'SELECT * FROM "{schema}".members WHERE id = %s', (member_id,))
        names = [c.name for c in cur.description or ()]
        row = cur.fetchone()
    assert row is not None
    return dict(zip(names, row, strict=True))


def test_roster_follows_each_members_history(app, tenant, database):
    p = founded(app, *DOWN_TO_G, ("A", Level.CELL, "G"), ("B", Level.CELL, "G"))
    a, b = CellRoster.open(p.id("A"), SYSTEM), CellRoster.open(p.id("B"), SYSTEM)
    lan = Member.enrol(
        uuid4(), "Trần Thị Lan", date(1990, 2, 3), "nữ", p.id("A"),
        MemberStatus.PROBATIONARY, date(2024, 5, 19), None, date(2024, 5, 19), SYSTEM,
    )  # fmt: skip
    a.enrol(lan.id, MemberStatus.PROBATIONARY, date(2024, 5, 19), SYSTEM)
    app.save_all(lan, a)
    engine.catch_up(database, tenant.schema, ROSTER, batch_size=2)
    row = member_row(database, tenant.schema, lan.id)
    assert (row["status"], row["cell_id"], row["official_on"]) == (
        "probationary",
        p.id("A"),
        None,
    )

    a.record(lan.id, Change.RECOGNISED, date(2025, 5, 19), SYSTEM)
    lan.transfer(p.id("B"), date(2025, 6, 1), SYSTEM)
    a.record(lan.id, Change.LEFT, date(2025, 6, 1), SYSTEM)
    b.enrol(lan.id, MemberStatus.OFFICIAL, date(2025, 6, 1), SYSTEM)
    lan.exempt(date(2025, 7, 1), None, "Ốm dài ngày", SYSTEM)
    b.record(lan.id, Change.EXEMPTED, date(2025, 7, 1), SYSTEM)
    b.record(lan.id, Change.SUSPENDED, date(2025, 8, 1), SYSTEM)
    app.save_all(lan, a, b)
    engine.catch_up(database, tenant.schema, ROSTER, batch_size=3)
    row = member_row(database, tenant.schema, lan.id)
    assert row["status"] == "official"
    assert row["official_on"] == date(2025, 5, 19)
    assert row["cell_id"] == p.id("B")
    assert row["joined_cell_on"] == date(2025, 6, 1)
    assert row["exempted_from"] == date(2025, 7, 1)
    assert row["suspended"] is True

    lan.leave(DepartureReason.DECEASED, date(2025, 9, 9), "", SYSTEM)
    b.record(lan.id, Change.LEFT, date(2025, 9, 9), SYSTEM)
    app.save_all(lan, b)
    engine.catch_up(database, tenant.schema, ROSTER)
    row = member_row(database, tenant.schema, lan.id)
    assert (row["departed_on"], row["departure_reason"]) == (date(2025, 9, 9), "deceased")
    with database.connect() as conn:
        changes = conn.execute(
            f'SELECT cell_id, change FROM "{tenant.schema}".roster_changes ORDER BY position'
        ).fetchall()
    assert changes == [
        (p.id("A"), "enrolled_probationary"),
        (p.id("A"), "recognised"),
        (p.id("A"), "left"),
        (p.id("B"), "enrolled_official"),
        (p.id("B"), "exempted"),
        (p.id("B"), "suspended"),
        (p.id("B"), "left"),
    ]
