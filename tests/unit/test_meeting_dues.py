"""Dues (đảng phí) are an explicit record per member: nobody is accused by default (issue 12 §5)."""

from __future__ import annotations

import json

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain import lifecycle, meeting_dues
from domain.lifecycle import NotedKind
from domain.meeting import Meeting
from domain.meeting_errors import DuesPaidAndUnpaid, DuesRecordAmbiguous
from domain.meeting_values import AttendanceMark
from infra.mapper import MsgspecMapper
from tests.unit.test_meeting import BY, absent, at, mark_all, opened

pytestmark = pytest.mark.unit


def ready_to_close() -> tuple[Meeting, list]:
    meeting, officials, _ = opened(official=5)
    mark_all(meeting)
    absent(meeting, officials[0], AttendanceMark.EXCUSED)
    meeting.record_minutes("Biên bản", BY)
    return meeting, officials


def test_a_total_without_the_members_named_is_refused_at_closing_and_accuses_nobody():
    meeting, officials = ready_to_close()
    meeting.collect_dues(200_000, [], [], BY)
    with pytest.raises(DuesRecordAmbiguous) as refused:
        meeting.close(at(3, 16), BY)
    assert refused.value.code == "dues_record_ambiguous"
    assert sorted(refused.value.details["member_ids"]) == sorted(str(x) for x in officials[1:])
    assert not meeting.is_closed
    # Naming every member present settles it; only the named non-payer is counted.
    meeting.collect_dues(150_000, officials[2:], [officials[1]], BY)
    meeting.close(at(3, 16), BY)
    assert lifecycle.missed_at(meeting) == {(officials[1], NotedKind.DUES_UNPAID)}


def test_a_member_present_who_is_left_out_of_both_lists_is_refused():
    meeting, officials = ready_to_close()
    meeting.collect_dues(150_000, officials[3:], [officials[1]], BY)  # officials[2] left out
    with pytest.raises(DuesRecordAmbiguous) as refused:
        meeting.close(at(3, 16), BY)
    assert refused.value.details["member_ids"] == [str(officials[2])]


def test_a_member_cannot_both_pay_and_not_pay():
    meeting, officials = ready_to_close()
    with pytest.raises(DuesPaidAndUnpaid) as refused:
        meeting.collect_dues(100_000, officials[1:], [officials[1]], BY)
    assert refused.value.code == "dues_paid_and_unpaid"
    assert meeting.dues_total_vnd is None


def test_an_excused_absentee_is_not_counted_even_when_named_unpaid():
    meeting, officials = ready_to_close()
    meeting.collect_dues(200_000, officials[1:], [officials[0]], BY)
    meeting.close(at(3, 16), BY)
    assert lifecycle.missed_at(meeting) == frozenset()


def test_a_dues_correction_must_name_everyone_present_too():
    meeting, officials = ready_to_close()
    meeting.collect_dues(200_000, officials[1:], [], BY)
    meeting.close(at(3, 16), BY)
    with pytest.raises(DuesRecordAmbiguous):
        meeting.correct_dues(150_000, officials[2:], [], "Sót tên", BY)
    meeting.correct_dues(150_000, officials[2:], [officials[1]], "Sót tên", BY)
    assert meeting_dues.unpaid(meeting) == {officials[1]}
    assert meeting.corrections[-1].reason == "Sót tên"


def test_new_dues_events_are_stored_as_version_2():
    meeting, officials = ready_to_close()
    meeting.collect_dues(200_000, officials[1:], [], BY)
    stored = MsgspecMapper().to_stored_event(meeting.collect_events()[-1])
    state = json.loads(stored.state)
    assert state["class_version"] == 2
    assert state["unpaid_ids"] == []


def as_version_1(stored: StoredEvent) -> StoredEvent:
    """The same row as version 1 wrote it: the payers only, no class_version."""
    state = json.loads(stored.state)
    del state["class_version"], state["unpaid_ids"]
    return StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode()
    )


def test_old_dues_rows_load_and_read_as_they_were_meant():
    """A version-1 row: present members not among the payers did not pay (what it meant)."""
    meeting, officials = ready_to_close()
    meeting.collect_dues(150_000, officials[2:], [officials[1]], BY)
    mapper = MsgspecMapper()
    rows = [mapper.to_stored_event(e) for e in meeting.collect_events()]
    rows[-1] = as_version_1(rows[-1])
    assert rows[-1].topic == get_topic(Meeting.DuesCollected)
    replayed = None
    for row in rows:
        replayed = mapper.to_domain_event(row).mutate(replayed)
    assert isinstance(replayed, Meeting)
    assert replayed.dues_unpaid_ids is None
    assert meeting_dues.unpaid(replayed) == {officials[1]}
    replayed.close(at(3, 16), BY)  # an old record is not refused as ambiguous
    assert lifecycle.missed_at(replayed) == {(officials[1], NotedKind.DUES_UNPAID)}
    replayed.correct_dues(150_000, officials[1:], [], "Đã nộp", BY)
    corrected = as_version_1(mapper.to_stored_event(replayed.collect_events()[-1]))
    assert corrected.topic == get_topic(Meeting.DuesCorrected)
    assert mapper.to_domain_event(corrected).unpaid_ids is None
    assert lifecycle.missed_at(replayed) == frozenset()
