"""Vote rules: who may vote, tallies, the legal base, majority and two thirds, motions."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.meeting_errors import (
    ApplicantAlreadyOnRoster,
    AttendanceIncomplete,
    DuplicateMotionForPerson,
    MeetingNotClosed,
    MinutesAlreadyApproved,
    MinutesNotRecorded,
    MotionAlreadyDecided,
    MotionNeedsSubject,
    MotionNotFound,
    MotionTakesNoSubject,
    NoMotionsAtPremeeting,
    NothingToCorrect,
    NoVotesRecorded,
    SubjectIsNotProbationary,
    VotingMethodMismatch,
)
from domain.meeting_values import AttendanceMark, MeetingKind
from domain.rules import QD_294_2025
from domain.voting import MotionKind, MotionResult, VoteChoice, VotingMethod, required_votes
from domain.voting_errors import (
    AbsentMemberCannotVote,
    MemberAlreadyVoted,
    MemberNotOnMeetingRoster,
    MoreVotesThanMembersPresent,
    NegativeVoteCount,
    ProbationaryMemberCannotVote,
    SuspendedMemberCannotVote,
)
from tests.unit.test_meeting import BY, absent, at, mark_all, opened

pytestmark = pytest.mark.unit

HANDS = VotingMethod.SHOW_OF_HANDS


def propose(meeting, kind=MotionKind.GENERAL, subject=None):
    motion_id = uuid4()
    meeting.propose_motion(motion_id, kind, f"Biểu quyết {kind.value}", subject, BY)
    return motion_id


@pytest.mark.parametrize(
    ("kind", "base", "required"),
    [
        (MotionKind.GENERAL, 10, 6),
        (MotionKind.GENERAL, 9, 5),
        (MotionKind.MINUTES, 1, 1),
        (MotionKind.ADMISSION, 9, 6),
        (MotionKind.RECOGNITION, 10, 7),
        (MotionKind.RECOGNITION, 15, 10),
        (MotionKind.DISCIPLINE, 4, 3),
    ],
)
def test_required_votes_are_more_than_half_or_at_least_two_thirds(kind, base, required):
    assert required_votes(kind.threshold, base, QD_294_2025) == required


# -- who may vote ---------------------------------------------------------------------------


def test_a_probationary_member_cannot_vote():
    meeting, _, probationers = opened(official=4, probationary=1)
    mark_all(meeting)
    motion = propose(meeting)
    with pytest.raises(ProbationaryMemberCannotVote) as info:
        meeting.cast_ballot(motion, probationers[0], VoteChoice.FOR, BY)
    assert info.value.details["member_id"] == str(probationers[0])


def test_an_absent_member_cannot_vote():
    meeting, officials, _ = opened()
    mark_all(meeting, **{str(officials[0]): AttendanceMark.EXCUSED})
    motion = propose(meeting)
    with pytest.raises(AbsentMemberCannotVote):
        meeting.cast_ballot(motion, officials[0], VoteChoice.FOR, BY)


def test_a_suspended_member_cannot_vote_even_when_present():
    meeting, officials, _ = opened(official=5, suspended=1)
    mark_all(meeting)
    motion = propose(meeting)
    with pytest.raises(SuspendedMemberCannotVote):
        meeting.cast_ballot(motion, officials[0], VoteChoice.FOR, BY)


def test_someone_not_on_the_roster_cannot_vote():
    meeting, _, _ = opened()
    mark_all(meeting)
    with pytest.raises(MemberNotOnMeetingRoster):
        meeting.cast_ballot(propose(meeting), uuid4(), VoteChoice.FOR, BY)


def test_a_member_votes_once():
    meeting, officials, _ = opened()
    mark_all(meeting)
    motion = propose(meeting)
    meeting.cast_ballot(motion, officials[0], VoteChoice.FOR, BY)
    with pytest.raises(MemberAlreadyVoted):
        meeting.cast_ballot(motion, officials[0], VoteChoice.AGAINST, BY)


def test_votes_wait_for_complete_attendance():
    meeting, officials, _ = opened()
    motion = propose(meeting)
    with pytest.raises(AttendanceIncomplete):
        meeting.cast_ballot(motion, officials[-1], VoteChoice.FOR, BY)
    with pytest.raises(AttendanceIncomplete):
        meeting.record_tally(motion, HANDS, 2, 0, 0, BY)


# -- tallies ----------------------------------------------------------------------------------


def test_a_tally_cannot_exceed_the_official_members_present():
    meeting, officials, _ = opened(official=5, probationary=3)
    mark_all(meeting, **{str(officials[0]): AttendanceMark.UNEXCUSED})
    motion = propose(meeting)
    with pytest.raises(MoreVotesThanMembersPresent) as info:
        meeting.record_tally(motion, HANDS, 4, 1, 0, BY)
    assert info.value.details["eligible"] == 4
    assert meeting.record_tally(motion, HANDS, 3, 1, 0, BY) is MotionResult.PASSED


def test_negative_counts_are_refused_field_by_field():
    meeting, _, _ = opened()
    mark_all(meeting)
    with pytest.raises(NegativeVoteCount) as info:
        meeting.record_tally(propose(meeting), HANDS, 3, -1, 0, BY)
    assert info.value.details["field"] == "against"


def test_roll_call_is_not_entered_as_a_tally_and_ballots_are_not_mixed_with_a_tally():
    meeting, officials, _ = opened()
    mark_all(meeting)
    motion = propose(meeting)
    with pytest.raises(VotingMethodMismatch):
        meeting.record_tally(motion, VotingMethod.ROLL_CALL, 3, 0, 0, BY)
    meeting.cast_ballot(motion, officials[0], VoteChoice.FOR, BY)
    with pytest.raises(VotingMethodMismatch):
        meeting.record_tally(motion, HANDS, 3, 0, 0, BY)


def test_counting_needs_ballots_and_a_decided_motion_takes_no_more_votes():
    meeting, officials, _ = opened()
    mark_all(meeting)
    motion = propose(meeting)
    with pytest.raises(NoVotesRecorded):
        meeting.count_ballots(motion, BY)
    for member_id in officials[:3]:
        meeting.cast_ballot(motion, member_id, VoteChoice.FOR, BY)
    assert meeting.count_ballots(motion, BY) is MotionResult.PASSED
    with pytest.raises(MotionAlreadyDecided):
        meeting.cast_ballot(motion, officials[3], VoteChoice.FOR, BY)
    with pytest.raises(MotionAlreadyDecided):
        meeting.record_tally(motion, HANDS, 1, 0, 0, BY)
    with pytest.raises(MotionNotFound):
        meeting.count_ballots(uuid4(), BY)


# -- the legal base ---------------------------------------------------------------------------


def test_majority_is_judged_on_the_legal_base_not_on_those_present():
    # 10 official: 1 exempted and absent, 1 suspended, 1 excused, 2 unexcused absentees.
    meeting, officials, _ = opened(official=10, exempted=1, suspended=1)
    mark_all(
        meeting,
        **{
            str(officials[0]): AttendanceMark.UNEXCUSED,  # exempted: left out when absent
            str(officials[2]): AttendanceMark.EXCUSED,
            str(officials[3]): AttendanceMark.UNEXCUSED,
            str(officials[4]): AttendanceMark.UNEXCUSED,
        },
    )
    # The committee approved the excused member's absence (an "excused" mark alone would not
    # take them out of the base: tests/unit/test_voting_base.py).
    meeting.approve_absence(officials[2], "Đ/c Bí thư chi bộ", at(3).date(), "", BY)
    # base = 10 - exempted absent - suspended - approved absence = 7, so 4 votes are needed,
    # although only 6 of them are present (5 eligible voters + the suspended member).
    failing, passing = propose(meeting), propose(meeting)
    assert meeting.record_tally(failing, HANDS, 3, 0, 2, BY) is MotionResult.FAILED
    assert meeting.record_tally(passing, HANDS, 4, 1, 0, BY) is MotionResult.PASSED
    decided = meeting.motions[passing]
    assert (decided.base, decided.required) == (7, 4)


def test_an_exempted_member_who_attends_counts_in_the_base():
    meeting, _, _ = opened(official=4, exempted=1)
    mark_all(meeting)
    motion = propose(meeting)
    meeting.record_tally(motion, HANDS, 2, 2, 0, BY)
    assert meeting.motions[motion].base == 4
    assert meeting.motions[motion].result is MotionResult.FAILED  # 2 of 4 is not more than half


def test_recognition_needs_two_thirds_of_official_members_and_excused_absence_does_not_lower_it():
    meeting, officials, probationers = opened(official=9, probationary=1)
    mark_all(
        meeting,
        **{str(officials[0]): AttendanceMark.EXCUSED, str(officials[1]): AttendanceMark.EXCUSED},
    )
    motion = propose(meeting, MotionKind.RECOGNITION, probationers[0])
    # 7 present voters, 2 excused: the base stays 9, so 6 are needed; 5 of 7 present fail.
    assert meeting.record_tally(motion, HANDS, 5, 2, 0, BY) is MotionResult.FAILED
    assert (meeting.motions[motion].base, meeting.motions[motion].required) == (9, 6)
    other = propose(meeting, MotionKind.ADMISSION, uuid4())
    assert meeting.record_tally(other, HANDS, 6, 1, 0, BY) is MotionResult.PASSED


# -- motions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [MotionKind.ADMISSION, MotionKind.RECOGNITION, MotionKind.DISCIPLINE]
)
def test_person_motions_name_one_person(kind):
    meeting, _, _ = opened()
    with pytest.raises(MotionNeedsSubject):
        propose(meeting, kind, None)


def test_recognition_is_for_a_probationary_member_of_the_cell():
    meeting, officials, _ = opened()
    with pytest.raises(SubjectIsNotProbationary):
        propose(meeting, MotionKind.RECOGNITION, officials[0])
    with pytest.raises(MemberNotOnMeetingRoster):
        propose(meeting, MotionKind.RECOGNITION, uuid4())


def test_an_applicant_is_not_yet_on_the_roster():
    meeting, officials, _ = opened()
    with pytest.raises(ApplicantAlreadyOnRoster):
        propose(meeting, MotionKind.ADMISSION, officials[0])


def test_one_motion_per_person_and_kind_at_a_meeting():
    meeting, _, probationers = opened(official=4, probationary=1)
    propose(meeting, MotionKind.RECOGNITION, probationers[0])
    with pytest.raises(DuplicateMotionForPerson):
        propose(meeting, MotionKind.RECOGNITION, probationers[0])


def test_minutes_are_approved_by_a_vote_after_they_are_recorded():
    meeting, _, _ = opened()
    mark_all(meeting)
    with pytest.raises(MinutesNotRecorded):
        propose(meeting, MotionKind.MINUTES)
    meeting.record_minutes("Biên bản", BY)
    with pytest.raises(MotionTakesNoSubject):
        propose(meeting, MotionKind.MINUTES, uuid4())
    rejected = propose(meeting, MotionKind.MINUTES)
    meeting.record_tally(rejected, HANDS, 2, 3, 0, BY)
    assert not meeting.minutes_approved
    meeting.record_minutes("Biên bản đã bổ sung", BY)
    approved = propose(meeting, MotionKind.MINUTES)
    meeting.record_tally(approved, HANDS, 5, 0, 0, BY)
    assert meeting.minutes_approved
    with pytest.raises(MinutesAlreadyApproved):
        meeting.record_minutes("Sửa lại", BY)
    with pytest.raises(MinutesAlreadyApproved):
        propose(meeting, MotionKind.MINUTES)


def test_a_premeeting_takes_no_motions():
    meeting, _, _ = opened(kind=MeetingKind.COMMITTEE_PREMEETING)
    with pytest.raises(NoMotionsAtPremeeting):
        propose(meeting)


# -- corrections of votes and attendance after closing ------------------------------------------


def closed_with_tally(votes_for):
    meeting, officials, _ = opened()
    mark_all(meeting)
    motion = propose(meeting)
    meeting.record_tally(motion, HANDS, votes_for, 0, 0, BY)
    meeting.record_minutes("Biên bản", BY)
    meeting.close(at(3, 16), BY)
    return meeting, officials, motion


def test_a_miscounted_tally_is_corrected_with_a_reason_and_judged_again():
    meeting, _, motion = closed_with_tally(2)
    assert meeting.motions[motion].result is MotionResult.FAILED
    with pytest.raises(NothingToCorrect):
        meeting.correct_tally(motion, 2, 0, 0, "Đếm lại", BY)
    with pytest.raises(MoreVotesThanMembersPresent):
        meeting.correct_tally(motion, 6, 0, 0, "Đếm lại", BY)
    assert meeting.correct_tally(motion, 4, 0, 0, "Thư ký ghi nhầm", BY) is MotionResult.PASSED
    assert meeting.corrections[-1].reason == "Thư ký ghi nhầm"
    assert meeting.corrections[-1].what == "TallyCorrected"


def test_corrections_need_a_closed_meeting_and_a_reason():
    meeting, officials, _ = opened()
    mark_all(meeting)
    with pytest.raises(MeetingNotClosed):
        meeting.correct_minutes("X", "Lý do", BY)
    meeting, officials, _ = closed_with_tally(3)
    from domain.base import InvalidValue
    from domain.meeting_values import AttendanceEntry

    entry = AttendanceEntry(officials[0], AttendanceMark.EXCUSED, "Ốm")
    with pytest.raises(InvalidValue):
        meeting.correct_attendance([entry], "  ", BY)
    meeting.correct_attendance([entry], "Đã có giấy xin phép", BY)
    assert meeting.attendance[officials[0]] is AttendanceMark.EXCUSED
    with pytest.raises(NothingToCorrect):
        meeting.correct_attendance([entry], "Lặp lại", BY)
    unpaid = sorted(meeting.present - {officials[1]}, key=str)
    meeting.correct_dues(150_000, [officials[1]], unpaid, "Bổ sung", BY)
    assert meeting.dues_total_vnd == 150_000
    meeting.correct_minutes("Biên bản đúng", "Sai tên", BY)
    assert [c.what for c in meeting.corrections] == [
        "AttendanceCorrected",
        "DuesCorrected",
        "MinutesCorrected",
    ]


def test_a_roll_call_vote_is_not_corrected_by_a_tally():
    meeting, officials, _ = opened()
    mark_all(meeting)
    motion = propose(meeting)
    meeting.cast_ballot(motion, officials[0], VoteChoice.FOR, BY)
    meeting.count_ballots(motion, BY)
    meeting.record_minutes("Biên bản", BY)
    absent(meeting, officials[1], AttendanceMark.PRESENT, "")
    meeting.close(at(3, 16), BY)
    with pytest.raises(VotingMethodMismatch):
        meeting.correct_tally(motion, 3, 0, 0, "Lý do", BY)
