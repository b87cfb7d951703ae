"""Suspension, removal with grounds and its flag, death, transfers out and in, the signed payload."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain import lifecycle
from domain.calendar import WEEKENDS_ONLY
from domain.member import DepartureReason, Member, MemberStatus
from domain.member_errors import MemberHasLeft
from domain.roster import CellRoster
from infra.holidays import national_calendar
from infra.transfer_payload import FORMAT, PayloadRejected, TransferPayload, key_id, sign, verify
from tests.builders import COMMITTEE as CMT
from tests.builders import SECRETARY as SEC

pytestmark = pytest.mark.unit


def enrolled():
    cell = uuid4()
    member = Member.enrol(
        uuid4(),
        "Trần Thị Bình",
        date(1980, 1, 1),
        "nu",
        cell,
        MemberStatus.OFFICIAL,
        date(2010, 1, 1),
        date(2011, 1, 1),
        date(2010, 1, 1),
        SEC,
    )
    roster = CellRoster.open(cell, SEC)
    roster.enrol(member.id, MemberStatus.OFFICIAL, date(2010, 1, 1), SEC)
    return member, roster


def remove_for_missed_meetings(member, roster):
    """The superior committee removes the member for missed meetings or unpaid dues."""
    lifecycle.remove(
        member,
        roster,
        lifecycle.RemovalGround.MISSED_MEETINGS_OR_DUES,
        "1-QĐ",
        date(2025, 6, 1),
        CMT,
    )


def test_suspension_is_on_the_roster():
    member, roster = enrolled()
    lifecycle.suspend(member, roster, date(2025, 3, 1), "Bị khởi tố", CMT)
    assert roster.standing(member.id, date(2025, 3, 2)).suspended
    assert not roster.standing(member.id, date(2025, 3, 2)).counts_for_majority
    lifecycle.end_suspension(member, roster, date(2025, 6, 1), CMT)
    assert not roster.standing(member.id, date(2025, 6, 2)).suspended


def test_removal_for_missed_months_needs_three_noted_months_in_a_year():
    member, roster = enrolled()
    for month in (1, 2):
        lifecycle.note_month(member, lifecycle.NotedKind.ABSENCE, date(2025, month, 10), False, SEC)
    lifecycle.note_month(member, lifecycle.NotedKind.DUES_UNPAID, date(2025, 3, 1), False, SEC)
    assert (
        lifecycle.removal_flag(member, 2025, 3) is None
    )  # 2 absences + 1 unpaid: neither reaches 3
    with pytest.raises(lifecycle.RemovalGroundNotMet):
        remove_for_missed_meetings(member, roster)
    lifecycle.note_month(member, lifecycle.NotedKind.ABSENCE, date(2025, 4, 3), False, SEC)
    flag = lifecycle.removal_flag(member, 2025, 3)
    assert flag is not None
    assert len(flag.absence_months) == 3
    assert lifecycle.flagged([member], 2025) == [flag]
    lifecycle.note_month(
        member, lifecycle.NotedKind.ABSENCE, date(2025, 4, 3), True, SEC
    )  # excused
    assert lifecycle.removal_flag(member, 2025, 3) is None
    lifecycle.note_month(member, lifecycle.NotedKind.ABSENCE, date(2025, 5, 3), False, SEC)
    remove_for_missed_meetings(member, roster)
    assert member.departed == (DepartureReason.REMOVED, date(2025, 6, 1))
    assert roster.standing(member.id, date(2025, 6, 1)) is None


def test_death_and_then_nothing_more():
    member, roster = enrolled()
    lifecycle.record_death(member, roster, date(2025, 2, 1), "", SEC)
    with pytest.raises(MemberHasLeft):
        lifecycle.suspend(member, roster, date(2025, 3, 1), "x", CMT)


def test_transfer_out_letter_due_in_thirty_working_days_across_tet():
    member, roster = enrolled()
    due = lifecycle.transfer_out(
        member, roster, "GT-15", date(2026, 1, 30), "ha_noi", "Chi bộ 3", national_calendar(), CMT
    )
    assert due == date(2026, 3, 20)
    assert member.departed == (DepartureReason.TRANSFERRED_OUT, date(2026, 1, 30))
    lifecycle.check_letter_in_time(date(2026, 1, 30), due, national_calendar(), "")
    with pytest.raises(lifecycle.LetterOverdueNeedsReason):
        lifecycle.check_letter_in_time(
            date(2026, 1, 30), date(2026, 3, 23), national_calendar(), ""
        )
    lifecycle.check_letter_in_time(date(2026, 1, 30), date(2026, 3, 23), WEEKENDS_ONLY, "ốm")


def payload(to="ha_noi"):
    return TransferPayload(
        FORMAT,
        "thanh_hoa",
        to,
        uuid4(),
        "Trần Thị Bình",
        date(1980, 1, 1),
        "nu",
        "official",
        date(2010, 1, 1),
        date(2011, 1, 1),
        "GT-15",
        date(2026, 1, 30),
        date(2026, 3, 20),
        "Chi bộ 3",
    )


def test_signed_payload_verifies_and_rejects_tampering_and_wrong_destination():
    key = Ed25519PrivateKey.generate()
    trusted = {key_id(key.public_key()): key.public_key()}
    document = sign(payload(), key)
    assert verify(document, trusted, "ha_noi").letter_number == "GT-15"
    with pytest.raises(PayloadRejected, match="not 'hue'"):
        verify(document, trusted, "hue")
    tampered = document.replace(b'"signature":"', b'"signature":"AAAA')
    with pytest.raises(PayloadRejected):
        verify(tampered, trusted, "ha_noi")
    other = Ed25519PrivateKey.generate()
    with pytest.raises(PayloadRejected, match="not trusted"):
        verify(sign(payload(), other), trusted, "ha_noi")
    with pytest.raises(PayloadRejected):
        verify(b"{not json", trusted, "ha_noi")
