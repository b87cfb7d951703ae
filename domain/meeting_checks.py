"""The decisions of a cell meeting: each function checks one rule and raises its named error.

Called by the public commands of ``domain.meeting.Meeting`` before an event is recorded; they
only read the meeting's state (``domain.meeting_state.MeetingState``), never change it, and do
not import the aggregate, so the imports point one way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.base import InvalidValue, require_order, require_text
from domain.meeting_errors import (
    AttendanceIncomplete,
    ChairAndSecretaryMustDiffer,
    ChairMustBePresent,
    DuplicateAttendanceEntry,
    ExcusedAbsenceNeedsReason,
    GuestAlreadyAdded,
    InvalidPeriod,
    MeetingAlreadyOpen,
    MeetingCancelled,
    MeetingIsClosed,
    MeetingNotClosed,
    MeetingNotOpen,
    MemberNotPresent,
    MinutesAlreadyApproved,
    MinutesNotRecorded,
    NothingToCorrect,
    PremeetingAlreadyLinked,
    PremeetingNeedsRegularMeeting,
    SelfCriticismAlreadyRecorded,
    ThematicMeetingNeedsTopic,
    UndecidedMotionRemains,
    UnknownSpeaker,
)
from domain.meeting_state import MeetingState
from domain.meeting_values import (
    AttendanceEntry,
    AttendanceMark,
    Guest,
    MeetingKind,
)
from domain.voting import RosterEntry, not_on_meeting_roster
from domain.voting_errors import MemberNotOnMeetingRoster


def scheduling(
    cell_id: UUID,
    kind: MeetingKind,
    when: tuple[int, int],
    scheduled_at: datetime,
    place: str,
    agenda: Iterable[str],
    topic: str,
    regular: MeetingState | None,
) -> dict[str, Any]:
    """The fields of ``Meeting.Scheduled``.

    A chi ủy pre-meeting names the regular meeting of its cell and month."""
    year, month = period(*when)
    schedule(kind, cell_id, (year, month), topic, regular)
    return {
        "cell_id": cell_id,
        "kind": kind,
        "year": year,
        "month": month,
        "scheduled_at": aware(scheduled_at, "scheduled_at"),
        "place": require_text(place, "place", "Địa điểm"),
        "agenda": tuple(require_text(item, "agenda", "Nội dung") for item in agenda),
        "topic": topic.strip(),
        "regular_meeting_id": regular.id if regular else None,
    }


def period(year: int, month: int) -> tuple[int, int]:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidPeriod(
            "Kỳ sinh hoạt phải có năm 2000–2100 và tháng 1–12",
            "period must have a year in 2000–2100 and a month in 1–12",
            field="period",
        )
    return year, month


def aware(moment: datetime, field: str) -> datetime:
    """Times carry their offset, so a meeting's local date and length are unambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue(
            "Thời gian phải kèm múi giờ (ví dụ +07:00)",
            f"{field} must include a UTC offset (e.g. +07:00)",
            field=field,
        )
    return moment


def schedule(
    kind: MeetingKind,
    cell_id: UUID,
    period: tuple[int, int],
    topic: str,
    regular: MeetingState | None,
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


def closed(m: MeetingState) -> None:
    if m.is_closed:
        raise MeetingIsClosed(
            "Cuộc sinh hoạt đã kết thúc; chỉ có thể đính chính kèm lý do",
            "the meeting is closed; only corrections with a reason are allowed",
        )


def not_opened(m: MeetingState) -> None:
    closed(m)
    if m.started_at is not None:
        raise MeetingAlreadyOpen("Cuộc sinh hoạt đã khai mạc", "the meeting is already open")
    if m.is_cancelled:
        raise MeetingCancelled("Cuộc sinh hoạt đã bị hủy", "the meeting was cancelled")


def in_progress(m: MeetingState) -> None:
    closed(m)
    if m.started_at is None:
        raise MeetingNotOpen("Cuộc sinh hoạt chưa khai mạc", "the meeting has not been opened")


def on_roster(
    m: MeetingState | None, member_id: UUID, roster: dict[UUID, RosterEntry] | None = None
) -> RosterEntry:
    entry = (roster if roster is not None else m.roster if m else {}).get(member_id)
    if entry is None:
        raise not_on_meeting_roster(member_id)
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


def attendance(m: MeetingState, entries: Iterable[AttendanceEntry]) -> tuple[AttendanceEntry, ...]:
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


def complete_attendance(m: MeetingState) -> None:
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


def present(m: MeetingState, member_id: UUID) -> None:
    on_roster(m, member_id)
    if m.attendance.get(member_id) is not AttendanceMark.PRESENT:
        raise MemberNotPresent(
            "Đảng viên này không có mặt tại cuộc họp",
            "this member is not marked present",
            field="member_id",
            member_id=str(member_id),
        )


def new_guest(m: MeetingState, assignee_id: UUID | None) -> None:
    if assignee_id is not None and any(g.assignee_id == assignee_id for g in m.guests.values()):
        raise GuestAlreadyAdded(
            "Người được phân công này đã có trong danh sách khách mời",
            "this assignee is already on the guest list",
            field="assignee_id",
        )


def speaker(m: MeetingState, speaker_id: UUID) -> bool:
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


def self_criticism(m: MeetingState, member_id: UUID) -> None:
    present(m, member_id)
    if member_id in m.self_criticisms:
        raise SelfCriticismAlreadyRecorded(
            "Đảng viên này đã tự phê bình trong cuộc họp",
            "this member's self-criticism is already recorded at this meeting",
            field="member_id",
        )


def guest(
    m: MeetingState,
    name: str,
    position: str,
    is_superior: bool,
    assignee_id: UUID | None,
    guest_id: UUID,
) -> Guest:
    in_progress(m)
    new_guest(m, assignee_id)
    return Guest(
        id=guest_id,
        name=require_text(name, "name", "Họ tên khách mời", 200),
        position=position.strip(),
        is_superior=is_superior,
        assignee_id=assignee_id,
    )


def minutes_not_approved(m: MeetingState) -> None:
    if m.minutes_approved:
        raise MinutesAlreadyApproved(
            "Biên bản đã được thông qua; sau khi kết thúc chỉ có thể đính chính",
            "the minutes are approved; after closing they can only be corrected",
        )


def closable(m: MeetingState, ended_at: datetime) -> None:
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


def correction(m: MeetingState, reason: str) -> str:
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
