"""Demo meetings: a full year of regular meetings, thematic ones in most quarters, and this
month's meetings (a few already held, the rest still to come).

Built through the real Meeting aggregate, in memory, one cell at a time, then saved with the
cell's meetings in one transaction. Attendance, speakers and ratings vary plausibly, and a few
cells are made to break the rules so that every inspection list has rows: a cell rated Kém
twice in a row, cells that skipped a month, a member absent three months running, quarters
without a thematic meeting. A :class:`MeetingHook` lets the other demo features act while a
meeting is in progress (a superior guest, a self-criticism turn, an admission vote).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.base import SYSTEM
from domain.meeting import Meeting
from domain.meeting_values import AttendanceEntry, AttendanceMark, MeetingKind
from domain.province import ProvinceSettings
from domain.quality import QualityScores
from domain.roster import CellRoster
from domain.voting import MotionKind, VotingMethod
from infra.application import TenantApplication

TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Phòng, chống tham nhũng, tiêu cực",
    "Chuyển đổi số ở khu dân cư",
)
ABSENCE_REASONS = ("Ốm", "Đi công tác", "Việc gia đình")
VN = timedelta(hours=7)

Hook = Callable[[Meeting, CellRoster, list[UUID]], Iterable[Any]]
"""Called while a meeting is in progress (after the roll call, before the minutes); returns
the other aggregates it changed, saved with the cell's meetings."""


def month_back(first: date, months: int) -> tuple[int, int]:
    index = first.year * 12 + first.month - 1 - months
    return index // 12, index % 12 + 1


def year_of_months(today: date) -> list[tuple[int, int]]:
    """The twelve months before this one, oldest first."""
    first = today.replace(day=1)
    return [month_back(first, n) for n in range(12, 0, -1)]


class Irregularities:
    """Which cell breaks which rule, by its index (so the demo is the same at every start)."""

    def __init__(self, months: list[tuple[int, int]]) -> None:
        self.months = months

    def rated_kem(self, index: int, year: int, month: int) -> bool:
        last = self.months[-3:-1] if index == 1 else ()  # Kém twice in a row
        single = (self.months[5],) if index == 4 else ()
        return (year, month) in (*last, *single)

    def skipped(self, index: int, year: int, month: int) -> bool:
        return (index, (year, month)) in ((3, self.months[6]), (7, self.months[-1]))

    def absent_streak(self, index: int, year: int, month: int) -> bool:
        """One member of cell 2 stays away from the last three meetings, without a reason."""
        return index == 2 and (year, month) in self.months[-3:]

    def excused_streak(self, index: int, year: int, month: int) -> bool:
        """One member of cell 4 is away with a reason from 4 meetings in a row within one year
        (HD 12 criterion 1 counts the 4th): the latest 4 months of one year."""
        same_year = [m for m in self.months if m[0] == self.months[-1][0]]
        if len(same_year) < 4:
            same_year = [m for m in self.months if m[0] == self.months[0][0]]
        return index == 4 and (year, month) in same_year[-4:]

    def thematic(self, index: int, year: int, month: int) -> bool:
        """In the middle month of each quarter, except some quarters of some cells."""
        quarter = (month - 1) // 3
        return month % 3 == 2 and (index + quarter + year) % 4 != 0


def seed_meetings(
    app: TenantApplication,
    rosters: list[CellRoster],
    rng: random.Random,
    today: date,
    hook: Hook | None = None,
    held_this_month: Callable[[int], bool] = lambda index: index % 3 == 1,
    full: frozenset[tuple[UUID, int, int]] = frozenset(),
) -> dict[UUID, list[Meeting]]:
    """A year of meetings for every cell, and this month's; returns each cell's meetings.

    ``full``: (cell, year, month) of the regular meetings everyone attends (a vote is held).
    """
    settings = ProvinceSettings()
    months = year_of_months(today)
    odd = Irregularities(months)
    found: dict[UUID, list[Meeting]] = {}
    for index, roster in enumerate(rosters):
        meetings: list[Meeting] = []
        others: dict[UUID, Any] = {}
        for year, month in months:
            if not odd.skipped(index, year, month):
                kem = odd.rated_kem(index, year, month)
                away = (
                    AttendanceMark.UNEXCUSED
                    if odd.absent_streak(index, year, month)
                    else AttendanceMark.EXCUSED
                    if odd.excused_streak(index, year, month)
                    else None
                )
                everyone = (roster.cell_id, year, month) in full
                meeting, changed = held(
                    roster, MeetingKind.REGULAR, year, month, rng, settings, hook, kem, away,
                    full=everyone,
                )  # fmt: skip
                meetings.append(meeting)
                others.update((a.id, a) for a in changed)
            if odd.thematic(index, year, month):
                meeting, changed = held(roster, MeetingKind.THEMATIC, year, month, rng, settings)
                meetings.append(meeting)
        meetings.append(this_month(roster, today, rng, settings, held_this_month(index), hook))
        app.save_all(*meetings, *others.values())
        found[roster.cell_id] = meetings
    return found


def this_month(
    roster: CellRoster,
    today: date,
    rng: random.Random,
    settings: ProvinceSettings,
    already: bool,
    hook: Hook | None,
) -> Meeting:
    """This month's regular meeting: held on an earlier day, or scheduled a few days ahead."""
    if already and today.day > 1:
        meeting, _ = held(
            roster, MeetingKind.REGULAR, today.year, today.month, rng, settings, hook,
            day=min(today.day - 1, 5),
        )  # fmt: skip
        return meeting
    day = today + timedelta(days=rng.randint(1, 4))
    start = datetime(day.year, day.month, day.day, 7, 30, tzinfo=UTC) - VN
    return Meeting.schedule(
        uuid4(), roster.cell_id, MeetingKind.REGULAR, (today.year, today.month), start,
        "Nhà văn hóa thôn", ("Thông tin thời sự", "Kiểm điểm tháng", "Phương hướng tháng tới"),
        "", SYSTEM,
    )  # fmt: skip


def held(
    roster: CellRoster,
    kind: MeetingKind,
    year: int,
    month: int,
    rng: random.Random,
    settings: ProvinceSettings,
    hook: Hook | None = None,
    kem: bool = False,
    away: AttendanceMark | None = None,
    day: int | None = None,
    full: bool = False,
) -> tuple[Meeting, list[Any]]:
    """A meeting held and closed; ``kem`` forces a Kém rating, ``away`` the last member's
    absence (unexcused or excused), ``full`` everyone present. Returns the meeting and what the hook
    changed."""
    # Most regular meetings fall in the window (days 1–5); some are late.
    if day is None:
        day = rng.randint(1, 5) if rng.random() < 0.85 else rng.randint(6, 20)
        if kind is MeetingKind.THEMATIC:
            day = rng.randint(15, 25)
    start = datetime(year, month, day, 7, 30, tzinfo=UTC) - VN
    topic = rng.choice(TOPICS) if kind is MeetingKind.THEMATIC else ""
    meeting = Meeting.schedule(
        uuid4(), roster.cell_id, kind, (year, month), start, "Nhà văn hóa thôn",
        ("Thông tin thời sự", "Kiểm điểm tháng", "Phương hướng tháng tới"), topic, SYSTEM,
    )  # fmt: skip
    members = roster.members_on(start.date())
    ids = sorted(members)
    chair, secretary = ids[0], ids[1]
    meeting.open(start, chair, secretary, members, settings.meeting_window, SYSTEM)
    must = set(ids) if full else {chair, secretary}
    entries, present = attendance(ids, must, rng, (ids[-1], away) if away else None)
    meeting.mark_attendance(entries, SYSTEM)
    for speaker in rng.sample(present, k=min(len(present), rng.randint(3, 9))):
        meeting.record_opinion(speaker, "Góp ý báo cáo và phương hướng", SYSTEM)
    changed = list(hook(meeting, roster, present)) if hook else []
    meeting.record_minutes("Biên bản sinh hoạt chi bộ (demo).", SYSTEM)
    minutes_motion = uuid4()
    meeting.propose_motion(minutes_motion, MotionKind.MINUTES, "Thông qua biên bản", None, SYSTEM)
    voters = [m for m in present if members[m].status.value == "official"]
    meeting.record_tally(minutes_motion, VotingMethod.SHOW_OF_HANDS, len(voters), 0, 0, SYSTEM)
    points = 9 if kem else rng.choices((19, 17, 14), weights=(55, 30, 15))[0]
    scores = QualityScores(*(min(20, max(0, points + rng.randint(-2, 1))) for _ in range(5)))
    # A demo cell has no committee pre-meeting, so Tốt is above the evidence: it says why.
    meeting.assess_quality(
        scores, settings.quality, SYSTEM, weights=settings.quality_weights, reason=DEMO_REASON
    )
    meeting.collect_dues(len(present) * 50_000, present, [], SYSTEM)
    meeting.close(start + timedelta(minutes=rng.randint(90, 130)), SYSTEM)
    return meeting, changed


DEMO_REASON = "Chi ủy thống nhất nội dung qua điện thoại trước kỳ sinh hoạt (dữ liệu demo)"


def attendance(
    ids: list[UUID],
    must_attend: set[UUID],
    rng: random.Random,
    away: tuple[UUID, AttendanceMark] | None = None,
) -> tuple[list[AttendanceEntry], list[UUID]]:
    entries: list[AttendanceEntry] = []
    present: list[UUID] = []
    for member_id in ids:
        roll = rng.random()
        if away is not None and member_id == away[0] and member_id not in must_attend:
            excused = away[1] is AttendanceMark.EXCUSED
            reason = "Đi điều trị dài ngày" if excused else ""
            entries.append(AttendanceEntry(member_id, away[1], reason))
        elif member_id in must_attend or roll < 0.9:
            entries.append(AttendanceEntry(member_id, AttendanceMark.PRESENT))
            present.append(member_id)
        elif roll < 0.97:
            reason = rng.choice(ABSENCE_REASONS)
            entries.append(AttendanceEntry(member_id, AttendanceMark.EXCUSED, reason))
        else:
            entries.append(AttendanceEntry(member_id, AttendanceMark.UNEXCUSED))
    return entries, present
