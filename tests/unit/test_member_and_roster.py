"""Members and the dated roster: counts as of any date, transfers, exemption, leaving."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.base import SYSTEM, InvalidValue
from domain.member import DepartureReason, Member, MemberStatus
from domain.member_errors import (
    AlreadyExempted,
    AlreadyInThatCell,
    InvalidBirthDate,
    MemberHasLeft,
    NotExempted,
)
from domain.roster import AlreadyOnRoster, CellRoster, Change, NotOnRoster

pytestmark = pytest.mark.unit
CELL = uuid4()


def member(status: MemberStatus = MemberStatus.OFFICIAL) -> Member:
    official_on = date(2011, 1, 1) if status is MemberStatus.OFFICIAL else None
    return Member.enrol(
        uuid4(), "Trần Thị Lan", date(1985, 1, 1), "nu", CELL, status, date(2010, 1, 1),
        official_on, date(2015, 1, 1), SYSTEM,
    )  # fmt: skip


def test_enrolment_checks_dates_and_official_date():
    with pytest.raises(InvalidBirthDate):
        Member.enrol(
            uuid4(), "A", date(2012, 1, 1), "nam", CELL, MemberStatus.OFFICIAL,
            date(2010, 1, 1), date(2011, 1, 1), date(2015, 1, 1), SYSTEM,
        )  # fmt: skip
    with pytest.raises(InvalidValue):
        Member.enrol(
            uuid4(), "A", date(1980, 1, 1), "nam", CELL, MemberStatus.OFFICIAL,
            date(2010, 1, 1), None, date(2015, 1, 1), SYSTEM,
        )  # fmt: skip


def test_official_count_is_known_as_of_any_date():
    roster = CellRoster.open(CELL, SYSTEM)
    a, b, c = uuid4(), uuid4(), uuid4()
    roster.enrol(a, MemberStatus.OFFICIAL, date(2020, 1, 1), SYSTEM)
    roster.enrol(b, MemberStatus.PROBATIONARY, date(2024, 3, 1), SYSTEM)
    roster.enrol(c, MemberStatus.OFFICIAL, date(2022, 1, 1), SYSTEM)
    roster.record(b, Change.RECOGNISED, date(2025, 3, 1), SYSTEM)
    roster.record(c, Change.LEFT, date(2024, 6, 1), SYSTEM)
    assert roster.official_count(date(2019, 12, 31)) == 0
    assert roster.official_count(date(2023, 1, 1)) == 2
    assert roster.official_count(date(2024, 7, 1)) == 1  # c left, b still probationary
    assert roster.official_count(date(2025, 3, 1)) == 2  # b recognised
    assert roster.active_count(date(2024, 7, 1)) == 2


def test_back_dated_changes_are_applied_in_date_order():
    roster = CellRoster.open(CELL, SYSTEM)
    a = uuid4()
    roster.enrol(a, MemberStatus.OFFICIAL, date(2020, 1, 1), SYSTEM)
    roster.record(a, Change.LEFT, date(2024, 1, 1), SYSTEM)
    roster.record(a, Change.EXEMPTED, date(2023, 1, 1), SYSTEM)  # recorded late
    assert roster.standing(a, date(2023, 6, 1)).exempted
    assert roster.standing(a, date(2024, 6, 1)) is None


def test_roster_refuses_double_enrolment_and_changes_for_strangers():
    roster = CellRoster.open(CELL, SYSTEM)
    a = uuid4()
    roster.enrol(a, MemberStatus.OFFICIAL, date(2020, 1, 1), SYSTEM)
    with pytest.raises(AlreadyOnRoster):
        roster.enrol(a, MemberStatus.OFFICIAL, date(2021, 1, 1), SYSTEM)
    with pytest.raises(NotOnRoster):
        roster.record(uuid4(), Change.EXEMPTED, date(2021, 1, 1), SYSTEM)
    with pytest.raises(NotOnRoster):
        roster.record(a, Change.EXEMPTED, date(2019, 1, 1), SYSTEM)  # before joining


def test_suspended_members_do_not_count_for_the_majority_base():
    roster = CellRoster.open(CELL, SYSTEM)
    a = uuid4()
    roster.enrol(a, MemberStatus.OFFICIAL, date(2020, 1, 1), SYSTEM)
    roster.record(a, Change.SUSPENDED, date(2021, 1, 1), SYSTEM)
    assert roster.standing(a, date(2020, 6, 1)).counts_for_majority
    assert not roster.standing(a, date(2021, 6, 1)).counts_for_majority


def test_transfer_to_the_same_cell_is_refused():
    m = member()
    with pytest.raises(AlreadyInThatCell):
        m.transfer(CELL, date(2024, 1, 1), SYSTEM)
    other = uuid4()
    m.transfer(other, date(2024, 1, 1), SYSTEM)
    assert m.cell_id == other


def test_exemption_periods():
    m = member()
    m.exempt(date(2024, 1, 1), date(2024, 6, 30), "Tuổi cao, sức yếu", SYSTEM)
    assert m.exempted_on(date(2024, 3, 1))
    assert not m.exempted_on(date(2024, 7, 1))
    with pytest.raises(AlreadyExempted):
        m.exempt(date(2024, 2, 1), None, "Ốm", SYSTEM)
    with pytest.raises(NotExempted):
        m.end_exemption(date(2024, 8, 1), SYSTEM)
    m.exempt(date(2025, 1, 1), None, "Tuổi cao", SYSTEM)
    m.end_exemption(date(2025, 5, 1), SYSTEM)
    with pytest.raises(InvalidValue):
        m.exempt(date(2025, 6, 1), None, "  ", SYSTEM)


def test_a_member_who_left_accepts_no_more_commands():
    m = member()
    m.leave(DepartureReason.DECEASED, date(2024, 5, 5), "", SYSTEM)
    with pytest.raises(MemberHasLeft):
        m.transfer(uuid4(), date(2024, 6, 1), SYSTEM)
    with pytest.raises(MemberHasLeft):
        m.leave(DepartureReason.REMOVED, date(2024, 6, 1), "", SYSTEM)


@pytest.mark.parametrize("reason", list(DepartureReason))
def test_the_refusal_after_leaving_names_the_reason_in_words_not_its_code(reason):
    """Issue 12 §5: a person reads "đã ra khỏi danh sách (xóa tên)", never "(removed)"."""
    m = member()
    m.leave(reason, date(2024, 5, 5), "", SYSTEM)
    with pytest.raises(MemberHasLeft) as refused:
        m.transfer(uuid4(), date(2024, 6, 1), SYSTEM)
    assert refused.value.vi == f"Đảng viên Trần Thị Lan đã ra khỏi danh sách ({reason.label_vi})"
    assert reason.value not in refused.value.vi
    assert "_" not in refused.value.en
