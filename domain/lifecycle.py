"""The rest of membership (quản lý đảng viên): transfers out of and into the province, suspension,
removal with grounds (xóa tên) and its flag, death (từ trần).

Commands here act on a :class:`Member` and the cell's :class:`CellRoster` together so the
roster always agrees with the member; the service saves both in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

from domain import meeting_dues
from domain.admission_checks import require_role
from domain.admission_values import CELL_ROLES, COMMITTEE_ROLES
from domain.base import Actor, require_text
from domain.calendar import WorkingCalendar
from domain.meeting import Meeting
from domain.meeting_values import AttendanceMark, MeetingKind
from domain.member import DepartureReason, Member
from domain.member_checks import step_on_active_member
from domain.member_errors import LetterOverdueNeedsReason, RemovalGroundNotMet
from domain.roster import CellRoster, Change
from domain.rules import RULES, RuleBook


class RemovalGround(str, Enum):
    """Grounds for removing a member from the list (xóa tên trong danh sách đảng viên)."""

    MISSED_MEETINGS_OR_DUES = "missed_meetings_or_dues"
    """Bỏ sinh hoạt đảng hoặc không đóng đảng phí 3 tháng trong năm không có lý do chính đáng."""
    SURRENDERED_CARD = "surrendered_card"  # tự ý trả thẻ, hủy thẻ đảng viên
    NO_PROGRESS = "no_progress"  # giảm sút ý chí, được giáo dục 12 tháng không tiến bộ
    TWO_YEARS_UNQUALIFIED = "two_years_unqualified"  # 2 năm liền không hoàn thành nhiệm vụ
    POLITICAL_STANDARD = "political_standard"  # không đủ tiêu chuẩn chính trị


class NotedKind(str, Enum):
    ABSENCE = "absence"  # bỏ sinh hoạt đảng không có lý do chính đáng
    DUES_UNPAID = "dues_unpaid"  # không đóng đảng phí


@dataclass(frozen=True, slots=True)
class RemovalFlag:
    """Why a member is flagged for removal consideration in a year."""

    member_id: UUID
    year: int
    absence_months: tuple[date, ...]
    unpaid_months: tuple[date, ...]


def removal_flag(member: Member, year: int, threshold: int) -> RemovalFlag | None:
    """Flag when unexcused absences, or unpaid dues, reach ``threshold`` months in the year."""
    absences = sorted(
        m for (k, m) in member.noted_months if k == NotedKind.ABSENCE.value and m.year == year
    )
    unpaid = sorted(
        m for (k, m) in member.noted_months if k == NotedKind.DUES_UNPAID.value and m.year == year
    )
    if len(absences) >= threshold or len(unpaid) >= threshold:
        return RemovalFlag(member.id, year, tuple(absences), tuple(unpaid))
    return None


def note_month(member: Member, kind: NotedKind, month: date, excused: bool, by: Actor) -> None:
    """Record (or excuse) an unexcused absence / unpaid dues for a month, from minutes or dues."""
    step_on_active_member(
        member, by, CELL_ROLES, "ghi nhận vắng sinh hoạt / đảng phí", "note absences or dues"
    )
    member._record(
        Member.MonthNoted, by, month=month.replace(day=1), kind=kind.value, excused=excused
    )


def remove(
    member: Member,
    roster: CellRoster,
    ground: RemovalGround,
    decision_number: str,
    on: date,
    by: Actor,
    rules: RuleBook = RULES,
) -> None:
    """Xóa tên. The missed-months ground is checked against the noted months of that year."""
    step_on_active_member(member, by, COMMITTEE_ROLES, "quyết định xóa tên", "the removal decision")
    if ground is RemovalGround.MISSED_MEETINGS_OR_DUES:
        threshold = rules.in_force(on).removal_missed_months_in_year
        flags = [removal_flag(member, year, threshold) for year in (on.year, on.year - 1)]
        if not any(flags):
            raise RemovalGroundNotMet(
                f"Không có {threshold} tháng bỏ sinh hoạt hoặc không đóng đảng phí trong năm "
                "được ghi nhận; chọn căn cứ khác hoặc ghi nhận trước",
                f"no {threshold} months of unexcused absence or unpaid dues in a year are "
                "recorded; pick another ground or record them first",
                field="ground",
            )
    member._record(
        Member.RemovalGroundRecorded,
        by,
        ground=ground.value,
        decision_number=require_text(decision_number, "decision_number", "Số quyết định", 100),
    )
    member.leave(DepartureReason.REMOVED, on, f"{ground.value}; {decision_number}", by)
    roster.record(member.id, Change.LEFT, on, by)


def record_death(member: Member, roster: CellRoster, on: date, note: str, by: Actor) -> None:
    require_role(by, CELL_ROLES, "đảng viên từ trần", "a member's death")
    member.leave(DepartureReason.DECEASED, on, note, by)
    roster.record(member.id, Change.LEFT, on, by)


def suspend(member: Member, roster: CellRoster, start: date, reason: str, by: Actor) -> None:
    require_role(by, COMMITTEE_ROLES | CELL_ROLES, "đình chỉ sinh hoạt", "a suspension")
    member.suspend(start, reason, by)
    roster.record(member.id, Change.SUSPENDED, start, by)


def end_suspension(member: Member, roster: CellRoster, on: date, by: Actor) -> None:
    require_role(by, COMMITTEE_ROLES | CELL_ROLES, "hết đình chỉ sinh hoạt", "ending a suspension")
    member.end_suspension(on, by)
    roster.record(member.id, Change.SUSPENSION_ENDED, on, by)


def transfer_out(
    member: Member,
    roster: CellRoster,
    letter_number: str,
    letter_on: date,
    to_province: str,
    to_organisation: str,
    calendar: WorkingCalendar,
    by: Actor,
    rules: RuleBook = RULES,
) -> date:
    """Giới thiệu sinh hoạt đảng ra tỉnh khác; returns the day the letter must be presented by."""
    step_on_active_member(
        member, by, COMMITTEE_ROLES, "giấy giới thiệu sinh hoạt đảng", "the transfer letter"
    )
    due = calendar.add_working_days(
        letter_on, rules.in_force(letter_on).transfer_letter_working_days
    )
    member._record(
        Member.TransferredOut,
        by,
        letter_number=require_text(letter_number, "letter_number", "Số giấy giới thiệu", 100),
        letter_on=letter_on,
        to_province=require_text(to_province, "to_province", "Tỉnh nơi đến", 100),
        to_organisation=require_text(to_organisation, "to_organisation", "Tổ chức nơi đến"),
        letter_due_on=due,
    )
    member.leave(DepartureReason.TRANSFERRED_OUT, letter_on, f"{to_province}; {letter_number}", by)
    roster.record(member.id, Change.LEFT, letter_on, by)
    return due


def check_letter_in_time(
    letter_on: date,
    presented_on: date,
    calendar: WorkingCalendar,
    late_reason: str,
    rules: RuleBook = RULES,
) -> None:
    """The letter is presented within 30 working days, or a reason is given for the committee."""
    limit = rules.in_force(letter_on).transfer_letter_working_days
    due = calendar.add_working_days(letter_on, limit)
    if presented_on > due and not late_reason.strip():
        raise LetterOverdueNeedsReason(
            f"Giấy giới thiệu xuất trình quá {limit} ngày làm việc (hạn {due:%d/%m/%Y}); "
            "cần báo cáo lý do để cấp ủy có thẩm quyền xem xét",
            f"the letter was presented after {limit} working days (due {due.isoformat()}); "
            "give the reason (late_reason) for the committee",
            field="late_reason",
        )


def record_arrival(
    member: Member,
    from_province: str,
    letter_number: str,
    letter_on: date,
    presented_on: date,
    payload_digest: str,
    by: Actor,
) -> None:
    member._record(
        Member.ArrivedFromProvince,
        by,
        from_province=from_province,
        letter_number=letter_number,
        letter_on=letter_on,
        presented_on=presented_on,
        payload_digest=payload_digest,
    )


def flagged(members: Iterable[Member], year: int, rules: RuleBook = RULES) -> list[RemovalFlag]:
    threshold = rules.in_force(date(year, 12, 31)).removal_missed_months_in_year
    return [f for m in members if m.is_active and (f := removal_flag(m, year, threshold))]


def missed_at(meeting: Meeting) -> frozenset[tuple[UUID, NotedKind]]:
    """What a closed regular meeting counts against its members for the removal ground.

    An unexcused absence (vắng không lý do), and unpaid dues by a member who was present when
    dues were collected and whom the dues record names as unpaid (never by default). Exempted and suspended members are never counted, and an excused
    absentee's dues are not either: they may pay the cell later (the secretary notes it then).
    """
    if meeting.kind is not MeetingKind.REGULAR or not meeting.is_closed:
        return frozenset()
    missed: set[tuple[UUID, NotedKind]] = set()
    unpaid = meeting_dues.unpaid(meeting)
    for member_id, entry in meeting.roster.items():
        if entry.exempted or entry.suspended:
            continue
        mark = meeting.attendance.get(member_id)
        if mark is AttendanceMark.UNEXCUSED:
            missed.add((member_id, NotedKind.ABSENCE))
        elif mark is AttendanceMark.PRESENT and member_id in unpaid:
            missed.add((member_id, NotedKind.DUES_UNPAID))
    return frozenset(missed)


def renote_months(
    members: dict[UUID, Member],
    before: frozenset[tuple[UUID, NotedKind]],
    after: frozenset[tuple[UUID, NotedKind]],
    month: date,
    by: Actor,
) -> None:
    """Note what a meeting now counts and clear what a correction no longer counts."""
    for member_id, kind in sorted(after - before):
        note_month(members[member_id], kind, month, False, by)
    for member_id, kind in sorted(before - after):
        note_month(members[member_id], kind, month, True, by)
