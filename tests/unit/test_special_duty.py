"""Armed forces on special duty (lực lượng vũ trang làm nhiệm vụ đặc biệt), issue 12 §3: noted
and ended with a reason on the member and the roster, frozen into a meeting's roster."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.base import InvalidValue
from domain.member import Member, MemberStatus
from domain.member_errors import AlreadyOnSpecialDuty, NotOnSpecialDuty
from domain.roster import CellRoster
from domain.special_duty import end_special_duty, note_special_duty
from domain.voting import roster_entries
from tests.builders import SECRETARY as BY

pytestmark = pytest.mark.unit


def member_on_roster() -> tuple[Member, CellRoster]:
    cell = uuid4()
    member = Member.enrol(
        uuid4(), "Trần Văn Dũng", date(1990, 1, 1), "nam", cell, MemberStatus.OFFICIAL,
        date(2015, 1, 1), date(2016, 1, 1), date(2020, 1, 1), BY,
    )  # fmt: skip
    roster = CellRoster.open(cell, BY)
    roster.enrol(member.id, MemberStatus.OFFICIAL, date(2020, 1, 1), BY)
    return member, roster


def test_special_duty_is_dated_on_the_member_and_the_roster() -> None:
    member, roster = member_on_roster()
    note_special_duty(member, roster, date(2025, 2, 1), "Huấn luyện dài ngày", BY)
    assert member.special_duty_since == date(2025, 2, 1)
    assert not roster.members_on(date(2025, 1, 31))[member.id].special_duty
    on_duty = roster.members_on(date(2025, 3, 3))
    assert on_duty[member.id].special_duty
    assert on_duty[member.id].counts_for_majority  # the base and the rate are unchanged
    (entry,) = roster_entries(on_duty)
    assert entry.special_duty
    with pytest.raises(AlreadyOnSpecialDuty):
        note_special_duty(member, roster, date(2025, 3, 1), "Lần nữa", BY)
    end_special_duty(member, roster, date(2025, 6, 30), "Hoàn thành nhiệm vụ", BY)
    assert member.special_duty_since is None
    assert not roster.members_on(date(2025, 7, 1))[member.id].special_duty
    with pytest.raises(NotOnSpecialDuty):
        end_special_duty(member, roster, date(2025, 7, 1), "Lần nữa", BY)


def test_special_duty_needs_a_reason_and_ends_after_it_starts() -> None:
    member, roster = member_on_roster()
    with pytest.raises(InvalidValue):
        note_special_duty(member, roster, date(2025, 2, 1), "  ", BY)
    note_special_duty(member, roster, date(2025, 2, 1), "Nhiệm vụ", BY)
    with pytest.raises(InvalidValue):
        end_special_duty(member, roster, date(2025, 1, 1), "Sai ngày", BY)
