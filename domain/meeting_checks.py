"""The decisions of a cell meeting: each function checks one rule and raises its named error.

Called by the public commands of ``domain.meeting.Meeting`` before an event is recorded; they
only read the meeting's state, never change it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from domain.base import require_order, require_text
from domain.meeting_rules import (
    ApplicantAlreadyOnRoster,
    AttendanceEntry,
    AttendanceIncomplete,
    AttendanceMark,
    ChairAndSecretaryMustDiffer,
    ChairMustBePresent,
    DuplicateAttendanceEntry,
    DuplicateMotionForPerson,
    ExcusedAbsenceNeedsReason,
    GuestAlreadyAdded,
    MeetingAlreadyOpen,
    MeetingIsClosed,
    MeetingKind,
    MeetingNotClosed,
    MeetingNotOpen,
    MemberNotPresent,
    MinutesAlreadyApproved,
    MinutesNotRecorded,
    MotionAlreadyDecided,
    MotionAlreadyExists,
    MotionNeedsSubject,
    MotionNotFound,
    MotionTakesNoSubject,
    NegativeDues,
    NoMotionsAtPremeeting,
    NothingToCorrect,
    NoVotesRecorded,
    PremeetingAlreadyLinked,
    PremeetingNeedsRegularMeeting,
    SelfCriticismAlreadyRecorded,
    SubjectIsNotProbationary,
    ThematicMeetingNeedsTopic,
    UndecidedMotionRemains,
    UnknownSpeaker,
    VotingMethodMismatch,
)
from domain.member import MemberStatus
from domain.voting import (
    MemberAlreadyVoted,
    MemberNotOnMeetingRoster,
    Motion,
    MotionKind,
    RosterEntry,
    VotingMethod,
    check_may_vote,
    check_tally,
    eligible_voters,
    majority_base,
    two_thirds_base,
)

if TYPE_CHECKING:
    from domain.meeting import Meeting


def schedule(
    kind: MeetingKind,
    cell_id: UUID,
    period: tuple[int, int],
    topic: str,
    regular: Meeting | None,
) -> None:
    if kind is MeetingKind.THEMATIC and not topic.strip():
        raise ThematicMeetingNeedsTopic(
            "Sinh hoạt chuyên đề phải có chủ đề", "a thematic meeting needs a topic", field="topic"
        )
    if kind is not MeetingKind.COMMITTEE_PREMEETING:
        if regular is not None:
            raise PremeetingNeedsRegularMeeting(
                "Chỉ cuộc họp chi ủy mới gắn với một kỳ sinh hoạt thường kỳ",
                "only a committee pre-meeting is linked to a regular meeting",
                field="regular_meeting_id",
            )
        return
    if (
        regular is None
        or regular.kind is not MeetingKind.REGULAR
        or regular.cell_id != cell_id
        or regular.period != period
    ):
        raise PremeetingNeedsRegularMeeting(
            "Họp chi ủy phải gắn với kỳ sinh hoạt thường kỳ cùng chi bộ, cùng tháng",
            "a committee pre-meeting must name the regular meeting of the same cell and month",
            field="regular_meeting_id",
        )
    if regular.premeeting_id is not None:
        raise PremeetingAlreadyLinked(
            "Kỳ sinh hoạt này đã có cuộc họp chi ủy",
            "this regular meeting already has a committee pre-meeting",
            field="regular_meeting_id",
        )
    closed(regular)


def closed(m: Meeting) -> None:
    if m.is_closed:
        raise MeetingIsClosed(
            "Cuộc sinh hoạt đã kết thúc; chỉ có thể đính chính kèm lý do",
            "the meeting is closed; only corrections with a reason are allowed",
        )


def not_opened(m: Meeting) -> None:
    closed(m)
    if m.started_at is not None:
        raise MeetingAlreadyOpen("Cuộc sinh hoạt đã khai mạc", "the meeting is already open")


def in_progress(m: Meeting) -> None:
    closed(m)
    if m.started_at is None:
        raise MeetingNotOpen("Cuộc sinh hoạt chưa khai mạc", "the meeting has not been opened")


def on_roster(
    m: Meeting | None, member_id: UUID, roster: dict[UUID, RosterEntry] | None = None
) -> RosterEntry:
    entry = (roster if roster is not None else m.roster if m else {}).get(member_id)
    if entry is None:
        raise MemberNotOnMeetingRoster(
            "Người này không có trong danh sách đảng viên của chi bộ vào ngày họp",
            "this person is not on the cell's roster on the meeting date",
            field="member_id",
            member_id=str(member_id),
        )
    return entry


def chair_and_secretary(
    chair_id: UUID, secretary_id: UUID, roster: dict[UUID, RosterEntry]
) -> None:
    if chair_id == secretary_id:
        raise ChairAndSecretaryMustDiffer(
            "Chủ trì và thư ký phải là hai người khác nhau",
            "the chair and the secretary must be different people",
            field="secretary_id",
        )
    for field, member_id in (("chair_id", chair_id), ("secretary_id", secretary_id)):
        try:
            on_roster(None, member_id, roster)
        except MemberNotOnMeetingRoster as e:
            e.details["field"] = field
            raise


def attendance(m: Meeting, entries: Iterable[AttendanceEntry]) -> tuple[AttendanceEntry, ...]:
    """Every entry names a roster member once; excused absence needs its reason."""
    checked: list[AttendanceEntry] = []
    seen: set[UUID] = set()
    for index, e in enumerate(entries):
        on_roster(m, e.member_id)
        if e.member_id in seen:
            raise DuplicateAttendanceEntry(
                "Một đảng viên được điểm danh hai lần trong cùng yêu cầu",
                "the same member appears twice in one attendance list",
                field=f"entries[{index}].member_id",
            )
        seen.add(e.member_id)
        if e.mark is not AttendanceMark.PRESENT and e.member_id in (m.chair_id, m.secretary_id):
            raise ChairMustBePresent(
                "Chủ trì và thư ký phải có mặt",
                "the chair and the secretary must be present",
                field=f"entries[{index}].mark",
            )
        reason = e.reason.strip()
        if e.mark is AttendanceMark.EXCUSED and not reason:
            raise ExcusedAbsenceNeedsReason(
                "Vắng có lý do phải ghi rõ lý do",
                "an excused absence needs its reason",
                field=f"entries[{index}].reason",
            )
        checked.append(
            AttendanceEntry(
                e.member_id, e.mark, reason if e.mark is not AttendanceMark.PRESENT else ""
            )
        )
    return tuple(checked)


def complete_attendance(m: Meeting) -> None:
    """The legal base depends on who is absent and why, so every member must be marked."""
    if m.kind is MeetingKind.COMMITTEE_PREMEETING:
        return
    missing = m.unmarked
    if missing:
        raise AttendanceIncomplete(
            f"Còn {len(missing)} đảng viên chưa được điểm danh",
            f"{len(missing)} members have no attendance mark yet",
            member_ids=[str(x) for x in missing],
        )


def present(m: Meeting, member_id: UUID) -> None:
    on_roster(m, member_id)
    if m.attendance.get(member_id) is not AttendanceMark.PRESENT:
        raise MemberNotPresent(
            "Đảng viên này không có mặt tại cuộc họp",
            "this member is not marked present",
            field="member_id",
            member_id=str(member_id),
        )


def new_guest(m: Meeting, assignee_id: UUID | None) -> None:
    if assignee_id is not None and any(g.assignee_id == assignee_id for g in m.guests.values()):
        raise GuestAlreadyAdded(
            "Người được phân công này đã có trong danh sách khách mời",
            "this assignee is already on the guest list",
            field="assignee_id",
        )


def speaker(m: Meeting, speaker_id: UUID) -> bool:
    """``True`` when the speaker is a guest; a member must be present."""
    if speaker_id in m.guests:
        return True
    if speaker_id not in m.roster:
        raise UnknownSpeaker(
            "Người phát biểu không phải đảng viên của chi bộ hay khách mời của cuộc họp",
            "the speaker is neither a member on the roster nor a guest of this meeting",
            field="speaker_id",
        )
    present(m, speaker_id)
    return False


def self_criticism(m: Meeting, member_id: UUID) -> None:
    present(m, member_id)
    if member_id in m.self_criticisms:
        raise SelfCriticismAlreadyRecorded(
            "Đảng viên này đã tự phê bình trong cuộc họp",
            "this member's self-criticism is already recorded at this meeting",
            field="member_id",
        )


def new_motion(m: Meeting, motion_id: UUID, kind: MotionKind, subject_id: UUID | None) -> None:
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
    if kind in (MotionKind.RECOGNITION, MotionKind.DISCIPLINE) and entry is None:
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


def motion(m: Meeting, motion_id: UUID) -> Motion:
    found = m.motions.get(motion_id)
    if found is None:
        raise MotionNotFound(
            "Không tìm thấy vấn đề biểu quyết", "no such motion", field="motion_id"
        )
    return found


def open_motion(m: Meeting, motion_id: UUID, method: VotingMethod) -> Motion:
    in_progress(m)
    found = motion(m, motion_id)
    if found.is_decided:
        raise MotionAlreadyDecided(
            "Vấn đề này đã biểu quyết xong", "this motion is already decided"
        )
    if found.ballots and method is not VotingMethod.ROLL_CALL:
        raise VotingMethodMismatch(
            "Đã có phiếu ghi danh; hãy kiểm phiếu thay vì nhập tổng số",
            "named ballots were cast; count them instead of entering a tally",
        )
    complete_attendance(m)
    return found


def decided_motion(m: Meeting, motion_id: UUID) -> Motion:
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


def ballot(m: Meeting, found: Motion, member_id: UUID) -> None:
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
    m: Meeting, votes_for: int, against: int, abstain: int, method: VotingMethod | None = None
) -> None:
    if method is VotingMethod.ROLL_CALL:
        raise VotingMethodMismatch(
            "Biểu quyết ghi danh được nhập từng phiếu, không nhập tổng số",
            "a roll-call vote is entered ballot by ballot, not as a tally",
            field="method",
        )
    check_tally(votes_for, against, abstain, eligible_voters(m.roster.values(), m.present))


def base_for(m: Meeting, kind: MotionKind) -> int:
    if kind.needs_two_thirds:
        return two_thirds_base(m.roster.values(), m.present)
    return majority_base(m.roster.values(), m.present, m.excused)


def minutes_not_approved(m: Meeting) -> None:
    if m.minutes_approved:
        raise MinutesAlreadyApproved(
            "Biên bản đã được thông qua; sau khi kết thúc chỉ có thể đính chính",
            "the minutes are approved; after closing they can only be corrected",
        )


def dues(m: Meeting, total_vnd: int, payer_ids: Iterable[UUID]) -> tuple[UUID, ...]:
    if total_vnd < 0:
        raise NegativeDues(
            "Số đảng phí không được âm", "total_vnd must not be negative", field="total_vnd"
        )
    payers = tuple(dict.fromkeys(payer_ids))
    for payer in payers:
        on_roster(m, payer)
    return payers


def closable(m: Meeting, ended_at: datetime) -> None:
    assert m.started_at is not None  # in_progress() ran first
    require_order(m.started_at, ended_at, "ended_at")
    complete_attendance(m)
    if m.minutes is None:
        raise MinutesNotRecorded(
            "Chưa có biên bản; không thể kết thúc cuộc họp", "record the minutes before closing"
        )
    pending = [x for x in m.motions.values() if not x.is_decided]
    if pending:
        raise UndecidedMotionRemains(
            f"Còn {len(pending)} vấn đề chưa biểu quyết xong",
            f"{len(pending)} motions are not decided yet",
            motion_ids=[str(x.id) for x in pending],
        )


def correction(m: Meeting, reason: str) -> str:
    if not m.is_closed:
        raise MeetingNotClosed(
            "Cuộc họp chưa kết thúc; hãy sửa trực tiếp thay vì đính chính",
            "the meeting is not closed; change it directly instead of correcting",
        )
    return require_text(reason, "reason", "Lý do đính chính")


def changes_something(changed: bool) -> None:
    if not changed:
        raise NothingToCorrect(
            "Nội dung đính chính không khác bản ghi hiện có", "the correction changes nothing"
        )
