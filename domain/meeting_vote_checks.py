"""The decisions about motions at a cell meeting (biểu quyết): who may vote, on which base, and
what a count decides. Delegated by ``domain.meeting.Meeting``; they read the meeting's state,
never change it. The shared voting rules themselves live in ``domain.voting``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.base import require_text
from domain.meeting_checks import (
    changes_something,
    closed,
    complete_attendance,
    correction,
    in_progress,
    minutes_not_approved,
    on_roster,
)
from domain.meeting_errors import (
    AbsenceAlreadyApproved,
    ApplicantAlreadyOnRoster,
    ApprovalAfterMeeting,
    DisciplineNeedsSecretBallot,
    DuplicateMotionForPerson,
    MinutesNotRecorded,
    MotionAlreadyDecided,
    MotionAlreadyExists,
    MotionNeedsSubject,
    MotionNotFound,
    MotionTakesNoSubject,
    NoMotionsAtPremeeting,
    NoVotesRecorded,
    SubjectIsNotProbationary,
    VotingMethodMismatch,
)
from domain.meeting_state import MeetingState
from domain.meeting_values import AbsenceApproval, MeetingKind
from domain.member import MemberStatus
from domain.rules import RuleBook, RuleSet
from domain.voting import (
    Motion,
    MotionKind,
    VotingMethod,
    check_may_vote,
    check_tally,
    decide,
    eligible_voters,
)
from domain.voting_errors import MemberAlreadyVoted


def new_motion(m: MeetingState, motion_id: UUID, kind: MotionKind, subject_id: UUID | None) -> None:
    if m.kind is MeetingKind.COMMITTEE_PREMEETING:
        raise NoMotionsAtPremeeting(
            "Họp chi ủy thống nhất nội dung, không biểu quyết thay chi bộ",
            "a committee pre-meeting agrees the content; the cell votes at its own meeting",
        )
    if motion_id in m.motions:
        raise MotionAlreadyExists("Vấn đề biểu quyết đã tồn tại", "this motion already exists")
    if kind.needs_subject and subject_id is None:
        raise MotionNeedsSubject(
            "Biểu quyết kết nạp, công nhận, kỷ luật phải nêu rõ từng người",
            f"a {kind.value} motion concerns one named person (subject_id)",
            field="subject_id",
        )
    if kind is MotionKind.MINUTES:
        if subject_id is not None:
            raise MotionTakesNoSubject(
                "Biểu quyết thông qua biên bản không gắn với một người",
                "a minutes motion concerns no person",
                field="subject_id",
            )
        if m.minutes is None:
            raise MinutesNotRecorded("Chưa có biên bản để thông qua", "no minutes recorded yet")
        minutes_not_approved(m)
    if subject_id is None:
        return
    entry = m.roster.get(subject_id)
    if kind is MotionKind.ADMISSION and entry is not None:
        raise ApplicantAlreadyOnRoster(
            "Người được đề nghị kết nạp đã là đảng viên của chi bộ",
            "the applicant is already a member of this cell",
            field="subject_id",
        )
    if kind in (MotionKind.RECOGNITION, MotionKind.DISCIPLINE, MotionKind.EXPULSION) and not entry:
        on_roster(m, subject_id)
    if kind is MotionKind.RECOGNITION and entry and entry.status is not MemberStatus.PROBATIONARY:
        raise SubjectIsNotProbationary(
            "Chỉ xét công nhận chính thức cho đảng viên dự bị",
            "only a probationary member can be recognised as official",
            field="subject_id",
        )
    if any(x.kind is kind and x.subject_id == subject_id for x in m.motions.values()):
        raise DuplicateMotionForPerson(
            "Người này đã được đưa ra biểu quyết về cùng vấn đề trong cuộc họp",
            "this person already has a motion of this kind at this meeting",
            field="subject_id",
        )


def motion(m: MeetingState, motion_id: UUID) -> Motion:
    found = m.motions.get(motion_id)
    if found is None:
        raise MotionNotFound(
            "Không tìm thấy vấn đề biểu quyết", "no such motion", field="motion_id"
        )
    return found


def open_motion(m: MeetingState, motion_id: UUID, method: VotingMethod) -> Motion:
    in_progress(m)
    found = motion(m, motion_id)
    if found.is_decided:
        raise MotionAlreadyDecided(
            "Vấn đề này đã biểu quyết xong", "this motion is already decided"
        )
    if found.kind.needs_secret_ballot and method is not VotingMethod.SECRET_BALLOT:
        raise DisciplineNeedsSecretBallot(
            "Biểu quyết kỷ luật phải bỏ phiếu kín",
            "a disciplinary vote is taken by secret ballot",
            field="method",
        )
    if found.ballots and method is not VotingMethod.ROLL_CALL:
        raise VotingMethodMismatch(
            "Đã có phiếu ghi danh; hãy kiểm phiếu thay vì nhập tổng số",
            "named ballots were cast; count them instead of entering a tally",
        )
    complete_attendance(m)
    return found


def decided_motion(m: MeetingState, motion_id: UUID) -> Motion:
    """A counted vote to correct; named ballots are the record itself, so they are not."""
    found = motion(m, motion_id)
    if not found.is_decided:
        raise NoVotesRecorded(
            "Vấn đề này chưa được biểu quyết", "this motion has not been voted on"
        )
    if found.method is VotingMethod.ROLL_CALL:
        raise VotingMethodMismatch(
            "Biểu quyết ghi danh không đính chính bằng tổng số",
            "a roll-call vote cannot be corrected by a tally",
        )
    return found


def ballot(m: MeetingState, found: Motion, member_id: UUID) -> None:
    check_may_vote(m.roster.get(member_id), member_id, member_id in m.present)
    if member_id in found.ballots:
        raise MemberAlreadyVoted(
            "Đảng viên này đã biểu quyết vấn đề này",
            "this member has already voted on this motion",
            field="member_id",
            member_id=str(member_id),
        )


def has_ballots(found: Motion) -> None:
    if not found.ballots:
        raise NoVotesRecorded("Chưa có phiếu nào để kiểm", "no ballots have been cast")


def tally(
    m: MeetingState, votes_for: int, against: int, abstain: int, method: VotingMethod | None = None
) -> None:
    if method is VotingMethod.ROLL_CALL:
        raise VotingMethodMismatch(
            "Biểu quyết ghi danh được nhập từng phiếu, không nhập tổng số",
            "a roll-call vote is entered ballot by ballot, not as a tally",
            field="method",
        )
    check_tally(votes_for, against, abstain, eligible_voters(m.roster.values(), m.present))


def base_for(m: MeetingState, kind: MotionKind) -> int:
    return m.legal_base(kind)


def rule_set_of(m: MeetingState, rules: RuleBook) -> RuleSet:
    """The rule set in force on the day the meeting was held (opened)."""
    assert m.held_on is not None  # in_progress() or a decided motion means it was opened
    return rules.in_force(m.held_on)


def decision(
    m: MeetingState,
    motion: Motion,
    method: VotingMethod,
    counts: tuple[int, int, int],
    rules: RuleBook,
) -> dict[str, Any]:
    """The facts of ``Meeting.MotionDecided``: counts, the legal base and the result."""
    votes_for, against, abstain = counts
    base = base_for(m, motion.kind)
    result, required = decide(motion.kind, votes_for, base, rule_set_of(m, rules))
    return {
        "motion_id": motion.id,
        "method": method,
        "votes_for": votes_for,
        "against": against,
        "abstain": abstain,
        "base": base,
        "required": required,
        "result": result,
    }


def tally_correction(
    m: MeetingState, motion_id: UUID, counts: tuple[int, int, int], reason: str, rules: RuleBook
) -> dict[str, Any]:
    """The facts of ``Meeting.TallyCorrected``, judged again on the base stored at the vote."""
    reason = correction(m, reason)
    found = decided_motion(m, motion_id)
    votes_for, against, abstain = counts
    tally(m, votes_for, against, abstain)
    changes_something(counts != (found.votes_for, found.against, found.abstain))
    result, _ = decide(found.kind, votes_for, found.base or 0, rule_set_of(m, rules))
    return {
        "motion_id": motion_id,
        "votes_for": votes_for,
        "against": against,
        "abstain": abstain,
        "result": result,
        "reason": reason,
    }


def absence_approval(
    m: MeetingState, member_id: UUID, approved_by: str, approved_on: date, note: str
) -> AbsenceApproval:
    """Approved before or at the meeting, for a member on the roster, once."""
    closed(m)
    if m.started_at is not None:
        on_roster(m, member_id)
    meeting_day = m.held_on or m.scheduled_at.date()
    if approved_on > meeting_day:
        raise ApprovalAfterMeeting(
            f"Cấp ủy đồng ý vắng mặt trước hoặc trong ngày họp ({meeting_day:%d/%m/%Y})",
            f"an absence is approved before or on the meeting day ({meeting_day.isoformat()})",
            field="approved_on",
        )
    if member_id in m.absence_approvals:
        raise AbsenceAlreadyApproved(
            "Cấp ủy đã đồng ý cho đảng viên này vắng mặt",
            "this member's absence is already approved",
            field="member_id",
        )
    return AbsenceApproval(
        member_id,
        require_text(approved_by, "approved_by", "Người đồng ý (họ tên, chức vụ)", 200),
        approved_on,
        note.strip(),
    )
