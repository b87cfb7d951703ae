"""Supervision and admissions in the per-level view and lists, against figures counted by hand.

The province (built through the services, as a secretary would), judged on 15 April 2025:

    P (province)
    ├── D1 (direct) ── G1 (grassroots committee) ── C1 (cell), C2 (cell until 15 Feb)
    └── D2 (direct) ── G3 (grassroots committee) ── C2 (from 15 Feb)
                   └── G2 (grassroots cell)

Members: C1 a b c d, C2 e f g, G2 h i j (all official since 2015).

Admission cases (K):
    K1 C1 Vũ Thị Mai    cell vote 2 Oct 2023, ceremony 15 Dec 2023 → probationary, member of C1;
                        probation ends 15 Dec 2024; recognition vote due 30 working days later
                        (Dec 16–31 less 1 Jan, Jan 2–24, Tết off 27–31 Jan): 3 Feb 2025. Never voted.
    K2 C2 Ngô Văn Nam   cell vote 4 Nov 2024 → decision due 60 working days later: 4 Feb 2025;
                        decided 10 Mar 2025 (late), received 12 Mar → awaiting the ceremony.
    K3 G2 Lý Thị Hoa    opened 10 Feb 2025 → applicant.

Meetings 2025 (opened through the services): C1 3 Jan, C2 4 Jan, G2 6 Feb, C1 2 Mar, C2 20 Mar.

Superior attendance, plan of P for 2025 (assignment, cell, month → outcome):
    A1 C1 Jan → attended 3 Jan      A2 C2 Jan → declared missed     A3 C2 Mar → nothing (ended)
    A4 G2 Feb → attended 6 Feb      A5 G2 Apr → pending (April not ended)
    A6 C1 May → not started by 15 Apr, not counted
    U1 unplanned visit to C1's meeting of 2 Mar.

Rotation (yearly cycle; C1 has 5 members with Mai, G2 3; C2 never opened one):
    a at C1 3 Jan, h at G2 6 Feb, b at C1 2 Mar.

Petitions (15 working days to answer):
    P1 C1 3 Jan, due 24 Jan; answered back 13 Jan.
    P2 C2 4 Jan, due 24 Jan; never answered.
    P3 G2 6 Feb, answered back 20 Feb, reopened 3 Mar → due 24 Mar; not answered again.
    P4 C1 2 Mar, due 21 Mar; answered back 25 Mar (late).
    P5 C2 20 Mar, due in April; open.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from psycopg import sql

from domain.admission_values import DossierItem, Education, IntroductionBasis
from domain.attendance_plan import Assignee, AssigneeRole
from domain.meeting_values import AttendanceEntry, AttendanceMark
from domain.member import MemberStatus
from domain.org_unit import Level
from domain.petition import CompetentLevel
from domain.voting import MotionKind
from infra.database import Database
from infra.tenancy import Tenant
from projections import engine, lists, rollups
from projections.deadlines import DEADLINES
from projections.registry import all_projections, figure_sources, list_named
from projections.supervision import SUPERVISION
from services.admissions import commands as admissions
from services.admissions import records
from services.meetings import commands as meetings
from services.membership import org
from services.supervision import attendance, petitions
from services.supervision.common import PetitionInput
from tests.builders import ADMIN as BY
from tests.builders import decided, opened_meeting, tallied_motion
from tests.conftest import asyncpg_connect

pytestmark = pytest.mark.integration

AS_OF = date(2025, 4, 15)
VN = timedelta(hours=7)


def who(n: int) -> Assignee:
    return Assignee(f"u-{n}", f"Tỉnh ủy viên {n}", AssigneeRole.PROVINCIAL_COMMITTEE_MEMBER, "TUV")


def build(app: Any) -> dict[str, Any]:
    t: dict[str, Any] = {}
    founded = date(2020, 1, 1)

    def unit(name: str, level: Level, parent: str | None) -> None:
        t[name] = org.found_unit(
            app,
            BY,
            name=name,
            level=level,
            founded_on=founded,
            parent_id=t[parent] if parent else None,
        )[0].id

    unit("P", Level.PROVINCE, None)
    unit("D1", Level.DIRECT, "P")
    unit("D2", Level.DIRECT, "P")
    unit("G1", Level.GRASSROOTS_COMMITTEE, "D1")
    unit("G3", Level.GRASSROOTS_COMMITTEE, "D2")
    unit("C1", Level.CELL, "G1")
    unit("C2", Level.CELL, "G1")
    unit("G2", Level.GRASSROOTS_CELL, "D2")
    for cell, names in (("C1", "abcd"), ("C2", "efg"), ("G2", "hij")):
        for name in names:
            t[name] = org.enrol_member(
                app,
                BY,
                full_name=f"Đảng viên {name.upper()}",
                birth_date=date(1980, 1, 1),
                gender="nam",
                cell_id=t[cell],
                status=MemberStatus.OFFICIAL,
                admitted_on=date(2010, 1, 1),
                official_on=date(2011, 1, 1),
                joined_cell_on=date(2015, 1, 1),
            )[0].id
    build_admissions(app, t)
    org.move_unit(
        app, BY, unit_id=t["C2"], new_parent_id=t["G3"], on=date(2025, 2, 15), expected=None
    )
    build_supervision(app, t)
    return t


def meeting(app: Any, t: dict[str, Any], cell: str, day: date, chair: str, sec: str) -> UUID:
    at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) - VN
    return opened_meeting(app, BY, t[cell], at, t[chair], t[sec], agenda=[])


def vote(app: Any, t: dict[str, Any], cell: str, voters: str, day: date, subject: UUID) -> Any:
    mid = meeting(app, t, cell, day, voters[0], voters[1])
    present = [AttendanceEntry(t[v], AttendanceMark.PRESENT) for v in voters]
    meetings.mark_attendance(app, BY, meeting_id=mid, entries=present, expected=None)
    tally = (len(voters), 0, 0)
    motion_id, _ = tallied_motion(
        app, BY, mid, MotionKind.ADMISSION, "Biểu quyết kết nạp", tally, subject_id=subject
    )
    return mid, motion_id


def case(app: Any, t: dict[str, Any], cell: str, name: str, opened: date) -> UUID:
    found, _ = admissions.open_case(
        app,
        BY,
        full_name=name,
        birth_date=date(2000, 9, 9),
        gender="nu",
        education=Education.HIGHER,
        special_area=False,
        cell_id=t[cell],
        opened_on=opened,
    )
    return found.id


def prepared(app: Any, t: dict[str, Any], cell: str, name: str, opened: date, intro: str) -> UUID:
    """A case with its course, dossier and two introducers, a month after it opened."""
    case_id = case(app, t, cell, name, opened)
    admissions.certify_course(
        app, BY, case_id=case_id, certificate_no="GCN-1", completed_on=opened + timedelta(days=7)
    )
    for item in DossierItem:
        admissions.file_dossier_item(
            app, BY, case_id=case_id, item=item, on=opened + timedelta(days=14)
        )
    # Young applicants: two members introduce only where there is no Youth Union (art. 4.2).
    records.state_no_youth_union(
        app, BY, case_id=case_id, on=opened + timedelta(days=21), reason="Không có tổ chức Đoàn"
    )
    for introducer in intro:
        admissions.assign_introducer(
            app,
            BY,
            case_id=case_id,
            member_id=t[introducer],
            basis=IntroductionBasis.WORK,
            together_since=date(2018, 1, 1),
            on=opened + timedelta(days=21),
        )
    return case_id


def through_the_committee(
    app: Any, t: dict[str, Any], case_id: UUID, cell: str, voters: str, voted: date, agreed: date
) -> None:
    """The cell votes the admission on ``voted`` (``voters`` present, all for) and the
    committee agrees, 5 of 5, on ``agreed``."""
    meeting_id, motion_id = vote(app, t, cell, voters, voted, case_id)
    admissions.record_cell_vote(
        app, BY, case_id=case_id, meeting_id=meeting_id, motion_id=motion_id
    )
    admissions.record_committee_vote(
        app, BY, case_id=case_id, on=agreed, votes_for=5, committee_members=5
    )


def build_admissions(app: Any, t: dict[str, Any]) -> None:
    k1 = prepared(app, t, "C1", "Vũ Thị Mai", date(2023, 6, 5), "ab")
    through_the_committee(app, t, k1, "C1", "abcd", date(2023, 10, 2), date(2023, 10, 16))
    decided(app, BY, k1, "12-QĐ", date(2023, 11, 20), date(2023, 11, 22))
    done, _ = admissions.hold_ceremony(app, BY, case_id=k1, on=date(2023, 12, 15), mentor_id=t["c"])
    t["K1"], t["mai"] = k1, done.member_id
    k2 = prepared(app, t, "C2", "Ngô Văn Nam", date(2024, 6, 3), "ef")
    through_the_committee(app, t, k2, "C2", "efg", date(2024, 11, 4), date(2024, 11, 11))
    decided(app, BY, k2, "3-QĐ", date(2025, 3, 10), date(2025, 3, 12))
    t["K2"] = k2
    t["K3"] = case(app, t, "G2", "Lý Thị Hoa", date(2025, 2, 10))


def petition(app: Any, mid: UUID, what: str) -> UUID:
    entry = PetitionInput(what, "dân sinh", CompetentLevel.GRASSROOTS)
    return petitions.raise_at_meeting(app, BY, meeting_id=mid, petition=entry)[0].id


def answered(app: Any, pid: UUID, day: date) -> None:
    petitions.forward(app, BY, petition_id=pid, on=day)
    petitions.accept(app, BY, petition_id=pid, on=day)
    petitions.resolve(
        app, BY, petition_id=pid, response="Đã giải quyết", document_ref="1-CV", on=day
    )
    petitions.answer_back(app, BY, petition_id=pid, on=day)


def build_supervision(app: Any, t: dict[str, Any]) -> None:
    plan, _ = attendance.make_plan(
        app, BY, committee_id=t["P"], year=2025, quarter=None, title="Kế hoạch dự sinh hoạt 2025"
    )
    a: dict[str, UUID] = {}
    for name, n, cell, month in (
        ("A1", 1, "C1", 1),
        ("A2", 2, "C2", 1),
        ("A3", 2, "C2", 3),
        ("A4", 3, "G2", 2),
        ("A5", 3, "G2", 4),
        ("A6", 1, "C1", 5),
    ):
        a[name] = attendance.assign(
            app, BY, plan_id=plan.id, assignee=who(n), cell_id=t[cell], month=date(2025, month, 1)
        )[1]
    t["plan"] = plan.id
    t.update(a)
    c1_jan = meeting(app, t, "C1", date(2025, 1, 3), "a", "b")
    c2_jan = meeting(app, t, "C2", date(2025, 1, 4), "e", "f")
    g2_feb = meeting(app, t, "G2", date(2025, 2, 6), "h", "i")
    c1_mar = meeting(app, t, "C1", date(2025, 3, 2), "a", "b")
    c2_mar = meeting(app, t, "C2", date(2025, 3, 20), "e", "f")
    attendance.record_attendance(
        app, BY, plan_id=plan.id, meeting_id=c1_jan, assignee=None, assignment_id=a["A1"]
    )
    attendance.record_missed(
        app, BY, plan_id=plan.id, assignment_id=a["A2"], reason="Trùng lịch họp tỉnh"
    )
    attendance.record_attendance(
        app, BY, plan_id=plan.id, meeting_id=g2_feb, assignee=None, assignment_id=a["A4"]
    )
    attendance.record_attendance(
        app, BY, plan_id=plan.id, meeting_id=c1_mar, assignee=who(9), assignment_id=None
    )  # U1, unplanned
    for mid, member in ((c1_jan, "a"), (g2_feb, "h"), (c1_mar, "b")):
        meetings.record_self_criticism(app, BY, meeting_id=mid, member_id=t[member], expected=None)
    t["P1"] = petition(app, c1_jan, "Đường liên thôn")
    t["P2"] = petition(app, c2_jan, "Nước sạch")
    t["P3"] = petition(app, g2_feb, "Chiếu sáng")
    t["P4"] = petition(app, c1_mar, "Trường học")
    t["P5"] = petition(app, c2_mar, "Chợ")
    answered(app, t["P1"], date(2025, 1, 13))
    answered(app, t["P3"], date(2025, 2, 20))
    petitions.reopen(
        app, BY, petition_id=t["P3"], cell_id=t["G2"], reason="Chưa thỏa đáng", on=date(2025, 3, 3)
    )
    answered(app, t["P4"], date(2025, 3, 25))


@pytest.fixture
def province(app: Any, tenant: Tenant, database: Database) -> dict[str, Any]:
    built = build(app)
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    return built


async def _fetch_all(database: Any, work: Any) -> Any:
    conn = await asyncpg_connect(database)
    try:
        return await work(conn.fetch)
    finally:
        await conn.close()


def view(database: Any, schema: str, node: UUID, period: str, as_of: date = AS_OF) -> Any:
    async def work(fetch: Any) -> Any:
        parsed = rollups.Period.parse(period)
        return await rollups.level_view(fetch, schema, node, parsed, as_of, figure_sources())

    result = asyncio.run(_fetch_all(database, work))
    assert result is not None
    return result


# Seed 003's figures (issue 12 §5), checked by name where they matter here.
SEED_003 = ("superior_rounds", "petitions_raised_district_or_above", "petitions_raised_grassroots")


def figures(database: Any, schema: str, node: UUID, period: str, prefix: str, **kw: Any) -> Any:
    values = view(database, schema, node, period, **kw)["node"]["figures"]
    wanted = {k for k in values if k.startswith(prefix)} - set(SEED_003)
    return {k: v for k, v in values.items() if k in wanted}


def seed_003_figures(database: Any, schema: str, node: UUID, period: str) -> dict[str, Any]:
    values = view(database, schema, node, period)["node"]["figures"]
    return {k: values[k] for k in SEED_003}


def children(database: Any, schema: str, node: UUID, period: str, prefix: str) -> Any:
    result = view(database, schema, node, period)
    return {
        c["name"]: {
            k: v for k, v in c["figures"].items() if k.startswith(prefix) and k not in SEED_003
        }
        for c in result["children"]
    }


def rows(database: Any, schema: str, name: str, node: UUID, period: str, **kw: Any) -> Any:
    spec = list_named(name)
    assert spec is not None
    chosen = rollups.Period.parse(period)
    params = (node, chosen.first_day, chosen.last_day, kw.pop("as_of", AS_OF))

    async def work(fetch: Any) -> Any:
        return await lists.page(fetch, schema, spec, params, **kw)

    return asyncio.run(_fetch_all(database, work))


def test_the_due_dates_are_the_ones_counted_by_hand(
    province: dict[str, Any], tenant: Tenant, database: Database
) -> None:
    with database.connect() as conn:
        due = dict(
            conn.execute(
                f'SELECT petition_id, due_on FROM "{tenant.schema}".sup_petition_spans'
                " WHERE seq = 1"
            ).fetchall()
        )
        steps = dict(
            conn.execute(
                f'SELECT source_id, due_on FROM "{tenant.schema}".deadline_steps'
                " WHERE kind IN ('recognition_vote', 'admission_decision')"
            ).fetchall()
        )
    t = province
    assert [due[t[p]] for p in ("P1", "P2", "P3", "P4")] == [
        date(2025, 1, 24),
        date(2025, 1, 24),
        date(2025, 2, 27),  # 6 Feb + 15 working days (after Tết)
        date(2025, 3, 21),
    ]
    assert steps[t["K1"]] == date(2025, 2, 3)
    assert steps[t["K2"]] == date(2025, 2, 4)


def named(family: str, **values: float) -> dict[str, float]:
    """Expected figures of one family, each given without its ``family_`` prefix."""
    return {f"{family}_{name}": value for name, value in values.items()}


def test_superior_attendance_planned_fulfilled_missed(
    province: dict[str, Any], tenant: Tenant, database: Database
) -> None:
    t, s = province, tenant.schema
    # Q1: A1..A4 planned; A1, A4 attended; A2 declared missed, A3's month ended unattended.
    assert figures(database, s, t["P"], "2025-Q1", "superior") == named(
        "superior", planned=4, fulfilled=2, missed=2, pending=0, fulfilment_rate=0.5, unplanned=1
    )
    # C2 sat under D1 in January (A2) and under D2 in March (A3); U1 was at C1 (D1).
    by_child = children(database, s, t["P"], "2025-Q1", "superior")
    assert by_child["D1"] == named(
        "superior", planned=2, fulfilled=1, missed=1, pending=0, fulfilment_rate=0.5, unplanned=1
    )
    assert (by_child["D2"]["superior_planned"], by_child["D2"]["superior_missed"]) == (2, 1)
    # The year so far (to 15 April): A5 (April) is pending, A6 (May) not yet due.
    year = figures(database, s, t["P"], "2025", "superior")
    assert (year["superior_planned"], year["superior_pending"]) == (5, 1)
    assert year["superior_fulfilment_rate"] == 0.4
    march = figures(database, s, t["C2"], "2025-03", "superior")
    assert (march["superior_planned"], march["superior_missed"]) == (1, 1)


def test_rotation_coverage_to_the_period_end(
    province: dict[str, Any], tenant: Tenant, database: Database
) -> None:
    t, s = province, tenant.schema
    # C1: a b c d + Mai = 5 eligible, G2: 3; C2 opened no schedule. Taken by 31 Mar: a, h, b.
    quarter = figures(database, s, t["P"], "2025-Q1", "rotation")
    assert quarter == named("rotation", cells=2, eligible=8, taken=3, coverage=0.375)
    assert figures(database, s, t["P"], "2025-02", "rotation")["rotation_taken"] == 2
    assert figures(database, s, t["P"], "2025-01", "rotation")["rotation_coverage"] == 0.125
    by_child = children(database, s, t["P"], "2025-Q1", "rotation")
    assert by_child["D1"]["rotation_coverage"] == 0.4  # 2 of 5
    assert by_child["D2"]["rotation_coverage"] == 0.3333  # 1 of 3


def test_seed_003_figures_rounds_and_petitions_by_competent_level(
    province: dict[str, Any], tenant: Tenant, database: Database
) -> None:
    """Supervision rounds (months with a planned visit attended: A1 Jan, A4 Feb) and the
    petitions raised by competent level (all five grassroots) in the per-level view."""
    assert seed_003_figures(database, tenant.schema, province["P"], "2025-Q1") == {
        "superior_rounds": 2,
        "petitions_raised_district_or_above": 0,
        "petitions_raised_grassroots": 5,
    }


def test_petitions_open_overdue_resolved_as_of_the_period_end(
    province: dict[str, Any], tenant: Tenant, database: Database
) -> None:
    t, s = province, tenant.schema
    # 31 Mar: open P2, P3 (reopened), P5; overdue P2 (24 Jan), P3 (24 Mar);
    # resolved in Q1 and still answered: P1, P4 (P3 was answered in Feb but is open again).
    assert figures(database, s, t["P"], "2025-Q1", "petitions") == named(
        "petitions", raised=5, open=3, overdue=2, resolved=2
    )
    # 31 Jan: P2 open and overdue (C2 still under D1), P1 resolved.
    assert figures(database, s, t["D1"], "2025-01", "petitions") == named(
        "petitions", raised=2, open=1, overdue=1, resolved=1
    )
    # 28 Feb: P3 answered on 20 Feb (resolved in February), P2 open under D2 now.
    assert figures(database, s, t["P"], "2025-02", "petitions") == named(
        "petitions", raised=1, open=1, overdue=1, resolved=1
    )
    by_child = children(database, s, t["P"], "2025-Q1", "petitions")
    assert by_child["D1"] == named("petitions", raised=2, open=0, overdue=0, resolved=2)
    assert by_child["D2"]["petitions_overdue"] == 2
    # As of 10 Mar: P5 not raised; P4 (due 21 Mar) and P3 (due 24 Mar) open, not overdue.
    early = figures(database, s, t["P"], "2025-Q1", "petitions", as_of=date(2025, 3, 10))
    assert early == named("petitions", raised=4, open=3, overdue=1, resolved=1)


def test_admissions_pipeline_and_overdue_deadlines(
    province: dict[str, Any], tenant: Tenant, database: Database
) -> None:
    t, s = province, tenant.schema
    # 31 Mar: K3 applicant, K2 awaiting the ceremony (due in April), K1 awaiting the
    # recognition vote since 3 Feb.
    assert figures(database, s, t["P"], "2025-Q1", "admissions") == named(
        "admissions",
        applicants=1,
        awaiting_decision=0,
        awaiting_ceremony=1,
        awaiting_recognition_vote=1,
        awaiting_recognition_decision=0,
        overdue=1,
        overdue_decision=0,
        overdue_ceremony=0,
        overdue_recognition=1,
        admitted=0,
    )
    # 28 Feb: K2 still awaits the decision, due 4 Feb: two deadlines overdue.
    february = figures(database, s, t["P"], "2025-02", "admissions")
    assert february["admissions_awaiting_decision"] == 1
    assert (february["admissions_overdue"], february["admissions_overdue_decision"]) == (2, 1)
    # 31 Jan: nothing is overdue yet, and K3 was not opened.
    january = figures(database, s, t["P"], "2025-01", "admissions")
    assert (january["admissions_overdue"], january["admissions_applicants"]) == (0, 0)
    by_child = children(database, s, t["P"], "2025-Q1", "admissions")
    assert by_child["D1"]["admissions_overdue_recognition"] == 1
    assert by_child["D2"]["admissions_awaiting_ceremony"] == 1
    assert by_child["D2"]["admissions_applicants"] == 1
    # Mai was admitted in December 2023, in C1.
    admitted = figures(database, s, t["G1"], "2023-Q4", "admissions_admitted")
    assert admitted == {"admissions_admitted": 1}


def test_lists_of_missed_attendance_overdue_petitions_and_probationary(
    province: dict[str, Any], tenant: Tenant, database: Database
) -> None:
    t, s = province, tenant.schema
    missed, _ = rows(database, s, "missed_superior_attendance", t["P"], "2025-Q1")
    assert [(r["key"], r["period"], r["status"], r["cell_name"]) for r in missed] == [
        (str(t["A2"]), "2025-01", "missed", "C2"),
        (str(t["A3"]), "2025-03", "not_attended", "C2"),
    ]
    assert missed[0]["parent_name"] == "G1"
    assert missed[1]["parent_name"] == "G3"
    assert missed[0]["committee_name"] == "P"
    overdue, _ = rows(database, s, "overdue_petitions", t["P"], "2025-Q1")
    # P2 due 24 Jan: 66 days by 31 Mar (7 + 28 + 31); P3 due 24 Mar after its reopening: 7.
    assert [(r["key"], r["days_overdue"], r["reopen_count"]) for r in overdue] == [
        (str(t["P2"]), 66, 0),
        (str(t["P3"]), 7, 1),
    ]
    assert [r["key"] for r in rows(database, s, "overdue_petitions", t["D1"], "2025-Q1")[0]] == []
    late, _ = rows(database, s, "probationary_overdue_for_recognition", t["P"], "2025-Q1")
    # Due 3 Feb: 56 days by 31 Mar (25 + 31).
    assert [(r["full_name"], r["cell_name"], r["since"], r["days_overdue"]) for r in late] == [
        ("Vũ Thị Mai", "C1", "2024-12-15", 56)
    ]
    assert rows(database, s, "probationary_overdue_for_recognition", t["P"], "2025-01")[0] == []


def test_lists_filter_sort_and_page(
    province: dict[str, Any], tenant: Tenant, database: Database
) -> None:
    t, s = province, tenant.schema
    first, cursor = rows(
        database, s, "overdue_petitions", t["P"], "2025-Q1", sort="days_overdue", limit=1
    )
    assert [r["key"] for r in first] == [str(t["P3"])]
    assert cursor is not None
    second, end = rows(
        database,
        s,
        "overdue_petitions",
        t["P"],
        "2025-Q1",
        sort="days_overdue",
        limit=1,
        cursor=cursor,
    )
    assert [r["key"] for r in second] == [str(t["P2"])]
    assert end is None
    found, _ = rows(database, s, "missed_superior_attendance", t["P"], "2025", q="viên 2")
    assert len(found) == 2


def table_rows(database: Any, schema: str, name: str) -> set[tuple[Any, ...]]:
    with database.connect() as conn:
        query = sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
        return set(conn.execute(query).fetchall())


def test_rebuild_equals_incremental_for_the_new_tables(
    app: Any, tenant: Tenant, database: Database
) -> None:
    build(app)
    with database.connect() as conn:
        engine.install(conn, tenant.schema, all_projections())
    tables: dict[Any, tuple[str, ...]] = {
        SUPERVISION: ("sup_petition_spans", "sup_petitions", "sup_assignments", "sup_rotation"),
        DEADLINES: ("deadline_steps", "deadline_items", "deadline_subjects"),
    }
    for projection, names in tables.items():
        assert engine.catch_up(database, tenant.schema, projection, batch_size=1).error is None
        small = {n: table_rows(database, tenant.schema, n) for n in names}
        engine.rebuild(database, tenant.schema, projection)
        assert {n: table_rows(database, tenant.schema, n) for n in names} == small
    spans = table_rows(database, tenant.schema, "sup_petition_spans")
    assert len(spans) == 6  # five raised, P3 reopened once
    steps = table_rows(database, tenant.schema, "deadline_steps")
    # K1: application, decision, ceremony, recognition vote; K2: application, decision,
    # ceremony; K3: application.
    assert len(steps) == 8
