"""Demo meetings: a few recent months of regular meetings, a thematic one per quarter.

Built through the real Meeting aggregate, in memory, one cell at a time, then saved with the
cell's meetings in one transaction. Attendance, speakers and ratings vary plausibly.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.base import SYSTEM
from domain.meeting import Meeting
from domain.meeting_values import AttendanceEntry, AttendanceMark, MeetingKind
from domain.province import ProvinceSettings
from domain.quality import QualityScores
from domain.roster import CellRoster
from domain.voting import MotionKind, VotingMethod
from infra.application import TenantApplication

MONTHS = ((2026, 8), (2026, 9), (2026, 10), (2026, 11))
TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Phòng, chống tham nhũng, tiêu cực",
    "Chuyển đổi số ở khu dân cư",
)
ABSENCE_REASONS = ("Ốm", "Đi công tác", "Việc gia đình")


def seed_meetings(app: TenantApplication, rosters: list[CellRoster], rng: random.Random) -> None:
    settings = ProvinceSettings()
    for roster in rosters:
        meetings: list[Meeting] = []
        for year, month in MONTHS:
            meetings.append(held(roster, MeetingKind.REGULAR, year, month, rng, settings))
            if month in (9, 11) and rng.random() < 0.8:
                meetings.append(held(roster, MeetingKind.THEMATIC, year, month, rng, settings))
        app.save_all(*meetings)


def held(
    roster: CellRoster,
    kind: MeetingKind,
    year: int,
    month: int,
    rng: random.Random,
    settings: ProvinceSettings,
) -> Meeting:
    # Most regular meetings fall in the window (days 1–5); some are late.
    day = rng.randint(1, 5) if rng.random() < 0.85 else rng.randint(6, 20)
    if kind is MeetingKind.THEMATIC:
        day = rng.randint(15, 25)
    start = datetime(year, month, day, 7, 30, tzinfo=UTC) - timedelta(hours=7)
    topic = rng.choice(TOPICS) if kind is MeetingKind.THEMATIC else ""
    meeting = Meeting.schedule(
        uuid4(), roster.cell_id, kind, (year, month), start, "Nhà văn hóa thôn",
        ("Thông tin thời sự", "Kiểm điểm tháng", "Phương hướng tháng tới"), topic, SYSTEM,
    )  # fmt: skip
    members = roster.members_on(start.date())
    ids = sorted(members)
    chair, secretary = ids[0], ids[1]
    meeting.open(start, chair, secretary, members, settings.meeting_window, SYSTEM)
    entries, present = attendance(ids, {chair, secretary}, rng)
    meeting.mark_attendance(entries, SYSTEM)
    for speaker in rng.sample(present, k=min(len(present), rng.randint(3, 9))):
        meeting.record_opinion(speaker, "Góp ý báo cáo và phương hướng", SYSTEM)
    meeting.record_minutes("Biên bản sinh hoạt chi bộ (demo).", SYSTEM)
    minutes_motion = uuid4()
    meeting.propose_motion(minutes_motion, MotionKind.MINUTES, "Thông qua biên bản", None, SYSTEM)
    voters = [m for m in present if members[m].status.value == "official"]
    meeting.record_tally(minutes_motion, VotingMethod.SHOW_OF_HANDS, len(voters), 0, 0, SYSTEM)
    points = rng.choices((19, 17, 14, 9), weights=(55, 30, 12, 3))[0]
    scores = QualityScores(*(min(20, max(0, points + rng.randint(-2, 1))) for _ in range(5)))
    meeting.assess_quality(scores, settings.quality, SYSTEM)
    meeting.collect_dues(len(present) * 50_000, present, SYSTEM)
    meeting.close(start + timedelta(minutes=rng.randint(90, 130)), SYSTEM)
    return meeting


def attendance(
    ids: list[UUID], must_attend: set[UUID], rng: random.Random
) -> tuple[list[AttendanceEntry], list[UUID]]:
    entries: list[AttendanceEntry] = []
    present: list[UUID] = []
    for member_id in ids:
        roll = rng.random()
        if member_id in must_attend or roll < 0.9:
            entries.append(AttendanceEntry(member_id, AttendanceMark.PRESENT))
            present.append(member_id)
        elif roll < 0.97:
            reason = rng.choice(ABSENCE_REASONS)
            entries.append(AttendanceEntry(member_id, AttendanceMark.EXCUSED, reason))
        else:
            entries.append(AttendanceEntry(member_id, AttendanceMark.UNEXCUSED))
    return entries, present
