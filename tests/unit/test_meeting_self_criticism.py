"""Self-criticism: recorded until closing, a correction with its reason after (issue 12 §5)."""

from __future__ import annotations

import pytest

from domain.base import InvalidValue
from domain.meeting_errors import (
    MeetingIsClosed,
    MeetingNotClosed,
    MemberNotPresent,
    SelfCriticismAlreadyRecorded,
)
from domain.meeting_values import AttendanceMark
from tests.unit.test_mapper_roundtrip import rebuilt_through_the_mapper
from tests.unit.test_meeting import BY, absent, at, mark_all, opened

pytestmark = pytest.mark.unit


def test_after_closing_a_missing_self_criticism_is_added_as_a_correction_with_its_reason():
    meeting, officials, _ = opened()
    mark_all(meeting)
    absent(meeting, officials[0], AttendanceMark.EXCUSED)
    with pytest.raises(MeetingNotClosed):
        meeting.correct_self_criticism(officials[1], "Sót tên", BY)
    meeting.record_self_criticism(officials[2], BY)
    meeting.record_minutes("Biên bản", BY)
    meeting.close(at(3, 16), BY)
    with pytest.raises(MeetingIsClosed):
        meeting.record_self_criticism(officials[1], BY)
    with pytest.raises(InvalidValue):
        meeting.correct_self_criticism(officials[1], "  ", BY)
    with pytest.raises(MemberNotPresent):
        meeting.correct_self_criticism(officials[0], "Sót tên", BY)
    with pytest.raises(SelfCriticismAlreadyRecorded):
        meeting.correct_self_criticism(officials[2], "Sót tên", BY)
    meeting.correct_self_criticism(officials[1], "Thư ký ghi sót", BY)
    assert meeting.self_criticisms == [officials[2], officials[1]]
    last = meeting.corrections[-1]
    assert (last.what, last.reason) == ("SelfCriticismCorrected", "Thư ký ghi sót")
    replayed = rebuilt_through_the_mapper(meeting)
    assert replayed is not None
    assert replayed.self_criticisms == meeting.self_criticisms
