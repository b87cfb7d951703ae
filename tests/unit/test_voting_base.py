"""The majority base per Charter art. 9.5 / QĐ 24 and QĐ 294 §9.3.2 (issue 12 §1): who is left
out of it, by name and reason; committee approval of an absence; temporary transfer of activity;
expulsion by two thirds of official members, by secret ballot."""

from __future__ import annotations

import json
from datetime import date
from uuid import uuid4

import pytest

from domain.meeting import Meeting
from domain.meeting_errors import (
    AbsenceAlreadyApproved,
    ApprovalAfterMeeting,
    DisciplineNeedsSecretBallot,
    MeetingIsClosed,
)
from domain.meeting_values import AttendanceMark
from domain.member import MemberStatus
from domain.roster import CellRoster, Change
from domain.voting import ExclusionReason, MotionKind, MotionResult, VoteChoice, VotingMethod
from domain.voting_errors import TemporaryMemberCannotVote, TransferredMemberCannotVote
from infra.mapper import MsgspecMapper
from tests.unit.test_meeting import BY, CELL, WINDOW, at, build_roster, mark_all, opened, scheduled

pytestmark = pytest.mark.unit

HANDS = VotingMethod.SHOW_OF_HANDS
SECRET = VotingMethod.SECRET_BALLOT


def propose(meeting: Meeting, kind: MotionKind = MotionKind.GENERAL, subject=None):
    motion_id = uuid4()
    meeting.propose_motion(motion_id, kind, f"Biểu quyết {kind.value}", subject, BY)
    return motion_id


def test_an_excused_mark_alone_keeps_the_member_in_the_majority_base():
    meeting, officials, _ = opened(official=8)
    mark_all(meeting, **{str(officials[0]): AttendanceMark.EXCUSED})
    motion = propose(meeting)
    # 8 in the base: 4 of 8 is not more than half, although 4 of the 7 present is.
    assert meeting.record_tally(motion, HANDS, 4, 3, 0, BY) is MotionResult.FAILED
    assert meeting.motions[motion].base == 8
    assert meeting.base_exclusions(MotionKind.GENERAL) == ()


def test_an_absence_the_committee_approved_leaves_the_majority_base_with_its_reason():
    meeting, officials, _ = opened(official=8)
    meeting.approve_absence(officials[0], "Đ/c Lê Văn B, Bí thư chi bộ", date(2023, 11, 1), "", BY)
    mark_all(meeting, **{str(officials[0]): AttendanceMark.EXCUSED})
    motion = propose(meeting)
    assert meeting.record_tally(motion, HANDS, 4, 3, 0, BY) is MotionResult.PASSED
    assert (meeting.motions[motion].base, meeting.motions[motion].required) == (7, 4)
    [excluded] = meeting.base_exclusions(MotionKind.GENERAL)
    assert (excluded.member_id, excluded.reason) == (
        officials[0],
        ExclusionReason.ABSENCE_APPROVED,
    )
    assert meeting.absence_approvals[officials[0]].approved_by == "Đ/c Lê Văn B, Bí thư chi bộ"


def test_an_approval_may_precede_the_opening_and_counts_only_if_the_member_stays_away():
    roster, officials, _ = build_roster(official=5)
    meeting = scheduled()
    meeting.approve_absence(officials[0], "Đ/c Bí thư", date(2023, 10, 30), "Đi viện", BY)
    meeting.open(
        at(3), officials[-1], officials[-2], roster.members_on(date(2023, 11, 3)), WINDOW, BY
    )
    mark_all(meeting)  # the member came after all
    assert meeting.legal_base(MotionKind.GENERAL) == 5


def test_approval_after_the_meeting_day_twice_or_after_closing_is_refused():
    meeting, officials, _ = opened(official=5)
    with pytest.raises(ApprovalAfterMeeting):
        meeting.approve_absence(officials[0], "Đ/c Bí thư", date(2023, 11, 4), "", BY)
    meeting.approve_absence(officials[0], "Đ/c Bí thư", date(2023, 11, 3), "", BY)
    with pytest.raises(AbsenceAlreadyApproved):
        meeting.approve_absence(officials[0], "Đ/c Bí thư", date(2023, 11, 3), "", BY)
    mark_all(meeting)
    meeting.record_minutes("Biên bản", BY)
    meeting.close(at(3, 17), BY)
    with pytest.raises(MeetingIsClosed):
        meeting.approve_absence(officials[1], "Đ/c Bí thư", date(2023, 11, 3), "", BY)


def test_two_thirds_votes_keep_approved_absentees_in_the_base():
    meeting, officials, probationers = opened(official=9, probationary=1)
    meeting.approve_absence(officials[0], "Đ/c Bí thư", date(2023, 11, 3), "", BY)
    mark_all(meeting, **{str(officials[0]): AttendanceMark.EXCUSED})
    motion = propose(meeting, MotionKind.RECOGNITION, probationers[0])
    meeting.record_tally(motion, HANDS, 6, 2, 0, BY)
    assert (meeting.motions[motion].base, meeting.motions[motion].required) == (9, 6)


def test_every_exclusion_is_named_with_its_reason():
    # officials[0] exempted and absent, officials[1] suspended, officials[2] away for now.
    roster, officials, _ = build_roster(official=7, exempted=1, suspended=1)
    roster.record(officials[2], Change.TRANSFERRED_TEMPORARILY, date(2023, 9, 1), BY)
    meeting = scheduled()
    meeting.open(
        at(3), officials[-1], officials[-2], roster.members_on(date(2023, 11, 3)), WINDOW, BY
    )
    # The member away is not expected at the home meeting: no mark is needed for them.
    marks = {str(officials[0]): AttendanceMark.UNEXCUSED}
    meeting.mark_attendance(
        [e for e in _entries(meeting, marks) if e.member_id != officials[2]], BY
    )
    assert officials[2] not in meeting.unmarked
    reasons = {x.member_id: x.reason for x in meeting.base_exclusions(MotionKind.GENERAL)}
    assert reasons == {
        officials[0]: ExclusionReason.EXEMPTED_ABSENT,
        officials[1]: ExclusionReason.SUSPENDED,
        officials[2]: ExclusionReason.TRANSFERRED_TEMPORARILY,
    }
    assert meeting.legal_base(MotionKind.GENERAL) == 4
    motion = propose(meeting)
    with pytest.raises(TransferredMemberCannotVote):
        meeting.cast_ballot(motion, officials[2], VoteChoice.FOR, BY)


def _entries(meeting, marks):
    from domain.meeting_values import AttendanceEntry

    return [
        AttendanceEntry(m, marks.get(str(m), AttendanceMark.PRESENT), "") for m in meeting.roster
    ]


def test_a_temporary_member_is_listed_by_the_host_cell_without_a_vote():
    host = CellRoster.open(uuid4(), BY)
    own = [uuid4() for _ in range(4)]
    for member_id in own:
        host.enrol(member_id, MemberStatus.OFFICIAL, date(2020, 1, 1), BY)
    guest = uuid4()
    host.join_temporarily(guest, MemberStatus.OFFICIAL, date(2023, 9, 1), BY)
    day = date(2023, 11, 3)
    assert guest not in host.members_on(day)  # not the host's own member
    assert host.official_count(day) == 4
    with_temporary = host.members_on(day, with_temporary=True)
    assert with_temporary[guest].temporary
    assert not with_temporary[guest].counts_for_majority
    meeting = Meeting.schedule(
        uuid4(), CELL, scheduled().kind, (2023, 11), at(3), "Hội trường", ["Thời sự"], "", BY
    )
    meeting.open(at(3), own[0], own[1], with_temporary, WINDOW, BY)
    mark_all(meeting)
    motion = propose(meeting)
    with pytest.raises(TemporaryMemberCannotVote):
        meeting.cast_ballot(motion, guest, VoteChoice.FOR, BY)
    assert meeting.legal_base(MotionKind.GENERAL) == 4
    host.record(guest, Change.TEMPORARY_LEFT, date(2023, 12, 1), BY)
    assert guest not in host.members_on(date(2023, 12, 2), with_temporary=True)


def discipline_by_show_of_hands_refused(kind: MotionKind, counts: tuple[int, int, int]):
    """Nine official members all present, a motion of ``kind`` on the first, and a show of
    hands on it refused: (the meeting, its officials, the motion)."""
    meeting, officials, _ = opened(official=9)
    mark_all(meeting)
    motion = propose(meeting, kind, officials[0])
    with pytest.raises(DisciplineNeedsSecretBallot):
        meeting.record_tally(motion, HANDS, *counts, BY)
    return meeting, officials, motion


def test_expulsion_needs_two_thirds_of_official_members_by_secret_ballot():
    meeting, officials, motion = discipline_by_show_of_hands_refused(
        MotionKind.EXPULSION, (6, 3, 0)
    )
    with pytest.raises(DisciplineNeedsSecretBallot):
        meeting.cast_ballot(motion, officials[1], VoteChoice.FOR, BY)
    # 5 of 9 is a majority, but not two thirds.
    assert meeting.record_tally(motion, SECRET, 5, 4, 0, BY) is MotionResult.FAILED
    assert meeting.motions[motion].required == 6
    other = propose(meeting, MotionKind.EXPULSION, officials[1])
    assert meeting.record_tally(other, SECRET, 6, 3, 0, BY) is MotionResult.PASSED


def test_other_discipline_is_by_secret_ballot_and_a_majority():
    meeting, _, motion = discipline_by_show_of_hands_refused(MotionKind.DISCIPLINE, (5, 4, 0))
    assert meeting.record_tally(motion, SECRET, 5, 4, 0, BY) is MotionResult.PASSED


def test_a_roster_stored_before_the_transfer_flags_existed_still_loads():
    meeting, _, _ = opened(official=3)
    mapper = MsgspecMapper()
    opened_event = meeting.collect_events()[-1]
    stored = mapper.to_stored_event(opened_event)
    state = json.loads(stored.state)
    for entry in state["roster"]:
        del entry["transferred_out"], entry["temporary"]
    old = type(stored)(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )
    loaded = mapper.to_domain_event(old)
    assert all(not e.transferred_out and not e.temporary for e in loaded.roster)
