"""One month of cell meetings (sinh hoạt chi bộ) in the synthetic province, through the real
``Meeting`` commands: scheduling, the chi ủy pre-meeting, attendance, guests, opinions,
self-criticism, votes (show of hands, and roll-call ballots for recognition), minutes, the
quality rating, dues and closing.

Distributions (per cell-month unless said): about 1.5% of regular meetings never scheduled and
0.5% scheduled but never held (missing); 5% held after the window (late); attendance about 91%
with excused and unexcused absences, about 1% of members chronic absentees (often absent,
mostly with a reason, so runs of more than 3 excused absences appear: HD 12 criterion 1),
exempted elderly members mostly excused;
a thematic meeting in most quarters; ratings mostly Tốt or Khá, a few weak cells often Kém.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.meeting import Meeting, MeetingKind, MotionKind
from domain.meeting_values import AttendanceEntry, AttendanceMark
from domain.member import MemberStatus
from domain.province import QualityThresholds
from domain.quality import QualityScores
from domain.roster import Change, Standing
from domain.voting import MotionResult, VoteChoice, VotingMethod
from services.demo.names import full_name

if TYPE_CHECKING:
    from bench.synthetic import Cell, Generator

YEAR = 2025
ICT = timezone(timedelta(hours=7))
THRESHOLDS = QualityThresholds()
EXCUSES = ("Ốm", "Đi công tác", "Việc gia đình", "Đi học tập trung", "Nằm viện")
THEMES = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Chuyển đổi số trong hoạt động của chi bộ",
    "Xây dựng nông thôn mới nâng cao",
    "Phòng, chống tham nhũng, lãng phí, tiêu cực",
    "Nâng cao chất lượng sinh hoạt chi bộ",
)
REASON = "Chi bộ tự đánh giá theo kết quả thực hiện nghị quyết (giả lập)"
"""A synthetic rating above its evidence carries a reason (issue 12 §4)."""

OPINIONS = (
    "Đề nghị chi bộ quan tâm công tác vệ sinh môi trường khu dân cư",
    "Góp ý dự thảo nghị quyết tháng về phát triển kinh tế hộ gia đình",
    "Phản ánh tình hình an ninh trật tự trên địa bàn",
    "Đề xuất vận động nhân dân hiến đất mở rộng đường giao thông",
    "Đề nghị tăng cường kiểm tra việc thực hiện nghị quyết kỳ trước",
    "Góp ý về công tác phát triển đảng viên trong đoàn viên thanh niên",
)
AGENDA = (
    "Thông tin thời sự",
    "Đánh giá kết quả thực hiện nghị quyết tháng trước",
    "Triển khai nhiệm vụ tháng",
)
# Rating bands: (probability for an ordinary cell, for a weak cell, lowest total, highest total)
BANDS = ((0.55, 0.10, 90, 100), (0.36, 0.30, 70, 89), (0.08, 0.25, 50, 69), (0.01, 0.35, 30, 49))
Events = Sequence[Any]


def hold_month(gen: Generator, month: int) -> Iterator[Events]:
    for cell in gen.cells:
        yield from _regular(gen, cell, month)
        if month in cell.thematic_months:
            yield from _thematic(gen, cell, month)


def _regular(gen: Generator, cell: Cell, month: int) -> Iterator[Events]:
    rng = gen.rng
    roll = rng.random()
    if roll < 0.015:  # never scheduled: a missing meeting
        return
    first, last = cell.window.first_day, cell.window.last_day
    late = rng.random() < 0.05
    day = min(28, last + rng.randint(1, 10)) if late else rng.randint(first, last)
    start = datetime(YEAR, month, day, rng.choice((8, 14, 19)), 0, tzinfo=ICT)
    by = gen.actor()
    gen.clock.at(start - timedelta(days=7))
    meeting = Meeting.schedule(gen.uuid(), cell.id, MeetingKind.REGULAR, (YEAR, month), start,
                               "Hội trường nhà văn hóa", AGENDA, "", by)  # fmt: skip
    if roll < 0.02:  # scheduled but never held
        yield meeting.collect_events()
        return
    if cell.committee:
        yield from _premeeting(gen, cell, meeting, start - timedelta(days=3))
    else:
        yield meeting.collect_events()
    gen.clock.at(start)
    standings = cell.roster.members_on(start.date())
    meeting.open(start, cell.secretary, cell.clerk, standings, cell.window, by)
    present = _attendance(gen, cell, meeting, standings)
    if rng.random() < 0.15:  # a superior committee member attends (cấp ủy cấp trên dự)
        guest = meeting.add_guest(full_name(rng)[0], "Ủy viên Ban Thường vụ Đảng ủy", True, None,
                                  by, guest_id=gen.uuid())  # fmt: skip
        if rng.random() < 0.5:
            meeting.record_opinion(guest, "Chỉ đạo nhiệm vụ trọng tâm của chi bộ", by)
    for speaker in rng.sample(present, min(len(present), rng.randint(2, 5))):
        meeting.record_opinion(speaker, rng.choice(OPINIONS), by)
    meeting.record_self_criticism(rng.choice(present), by)
    recognised = _recognitions(gen, cell, meeting, standings, present, start.date())
    _vote(gen, meeting, MotionKind.GENERAL, f"Nghị quyết chi bộ tháng {month}/{YEAR}", standings,
          present)  # fmt: skip
    _minutes(gen, cell, meeting, standings, present, start)
    meeting.assess_quality(_scores(gen, cell, meeting), THRESHOLDS, by, reason=REASON)
    meeting.collect_dues(len(present) * rng.choice((20_000, 30_000, 50_000)), present, [], by)
    meeting.close(start + timedelta(minutes=rng.randint(90, 150)), by)
    yield meeting.collect_events()
    for member_id, due in recognised:  # công nhận đảng viên chính thức after the vote
        member = cell.probation.pop(member_id)[1]
        member.recognise(due, f"{rng.randint(100, 999)}-QĐ/ĐU", by)
        cell.roster.record(member_id, Change.RECOGNISED, due, by)
        yield [*member.collect_events(), *cell.roster.collect_events()]


def _premeeting(gen: Generator, cell: Cell, regular: Meeting, start: datetime) -> Iterator[Events]:
    """The chi ủy meets a few days before to prepare the regular meeting (HD 12)."""
    by = gen.actor()
    pre = Meeting.schedule(gen.uuid(), cell.id, MeetingKind.COMMITTEE_PREMEETING,
                           regular.period, start, "Văn phòng chi bộ",
                           ("Chuẩn bị nội dung sinh hoạt",), "", by, regular)  # fmt: skip
    yield [*pre.collect_events(), *regular.collect_events()]
    gen.clock.at(start)
    on_day = cell.roster.members_on(start.date())
    committee = {m: on_day[m] for m in cell.committee if m in on_day}
    pre.open(start, cell.committee[0], cell.committee[1], committee, cell.window, by)
    pre.record_minutes("Chi ủy thống nhất nội dung, phân công chuẩn bị kỳ sinh hoạt.", by)
    pre.close(start + timedelta(minutes=60), by)
    yield pre.collect_events()


def _attendance(
    gen: Generator, cell: Cell, meeting: Meeting, standings: dict[UUID, Standing]
) -> list[UUID]:
    """Mark every member; return who is present, in roster order."""
    rng = gen.rng
    entries = []
    present = [cell.secretary, cell.clerk]
    for member_id, standing in standings.items():
        if member_id in (cell.secretary, cell.clerk):
            continue  # chair and secretary are present by opening the meeting
        r = rng.random()
        if standing.exempted:
            mark = AttendanceMark.EXCUSED if r < 0.75 else AttendanceMark.PRESENT
        elif member_id in gen.chronic:
            mark = (AttendanceMark.UNEXCUSED if r < 0.15
                    else AttendanceMark.EXCUSED if r < 0.8 else AttendanceMark.PRESENT)  # fmt: skip
        else:
            unexcused, excused = (0.05, 0.15) if cell.weak else (0.012, 0.07)
            mark = (AttendanceMark.UNEXCUSED if r < unexcused
                    else AttendanceMark.EXCUSED if r < excused else AttendanceMark.PRESENT)  # fmt: skip
        reason = ""
        if mark is AttendanceMark.EXCUSED:
            reason = "Được miễn sinh hoạt" if standing.exempted else rng.choice(EXCUSES)
        else:
            present.append(member_id) if mark is AttendanceMark.PRESENT else None
        entries.append(AttendanceEntry(member_id, mark, reason))
    meeting.mark_attendance(entries, gen.actor())
    return present


def _voters(standings: dict[UUID, Standing], present: list[UUID]) -> list[UUID]:
    return [
        m
        for m in present
        if standings[m].status is MemberStatus.OFFICIAL and not standings[m].suspended
    ]


def _vote(
    gen: Generator,
    meeting: Meeting,
    kind: MotionKind,
    title: str,
    standings: dict[UUID, Standing],
    present: list[UUID],
) -> None:
    """A show-of-hands vote: nearly everyone for, the odd member against or abstaining."""
    rng, by = gen.rng, gen.actor()
    motion_id = gen.uuid()
    meeting.propose_motion(motion_id, kind, title, None, by)
    eligible = len(_voters(standings, present))
    against = 1 if eligible > 4 and rng.random() < 0.1 else 0
    abstain = 1 if eligible > 4 and rng.random() < 0.1 else 0
    meeting.record_tally(motion_id, VotingMethod.SHOW_OF_HANDS, eligible - against - abstain,
                         against, abstain, by)  # fmt: skip


def _recognitions(
    gen: Generator,
    cell: Cell,
    meeting: Meeting,
    standings: dict[UUID, Standing],
    present: list[UUID],
    on: date,
) -> list[tuple[UUID, date]]:
    """Probationary members whose year is up: a roll-call vote, one ballot per member."""
    passed = []
    for member_id, (due, _) in sorted(cell.probation.items(), key=lambda item: item[1][0]):
        if due > on or member_id not in standings:
            continue
        motion_id, by = gen.uuid(), gen.actor()
        meeting.propose_motion(motion_id, MotionKind.RECOGNITION,
                               "Xét công nhận đảng viên chính thức", member_id, by)  # fmt: skip
        for voter in _voters(standings, present):
            choice = VoteChoice.FOR if gen.rng.random() < 0.97 else VoteChoice.ABSTAIN
            meeting.cast_ballot(motion_id, voter, choice, by)
        if meeting.count_ballots(motion_id, by) is MotionResult.PASSED:
            passed.append((member_id, due))
    return passed


def _minutes(
    gen: Generator,
    cell: Cell,
    meeting: Meeting,
    standings: dict[UUID, Standing],
    present: list[UUID],
    start: datetime,
) -> None:
    text = (
        f"Biên bản sinh hoạt {cell.name}, ngày {start:%d/%m/%Y}. Tổng số đảng viên: "
        f"{len(standings)}; có mặt: {len(present)}; vắng: {len(standings) - len(present)}. "
        "Chi bộ đã nghe thông tin thời sự, đánh giá kết quả thực hiện nghị quyết tháng trước, "
        "thảo luận và thống nhất nhiệm vụ trọng tâm tháng tới: phát triển kinh tế, bảo đảm an "
        "ninh trật tự, vệ sinh môi trường, công tác dân vận và phát triển đảng viên. "
        + " ".join(gen.rng.sample(OPINIONS, 2))
    )
    meeting.record_minutes(text, gen.actor())
    _vote(gen, meeting, MotionKind.MINUTES, "Thông qua biên bản", standings, present)


def _scores(gen: Generator, cell: Cell, meeting: Meeting) -> QualityScores:
    """Points for a rating drawn from the bands; no Tốt with an unexcused absence."""
    rng = gen.rng
    r, low, high = rng.random(), 30, 49
    for ordinary, weak, band_low, band_high in BANDS:
        r -= weak if cell.weak else ordinary
        if r < 0:
            low, high = band_low, band_high
            break
    unexcused = sum(1 for mark in meeting.attendance.values() if mark is AttendanceMark.UNEXCUSED)
    if unexcused and low >= THRESHOLDS.good:
        low, high = 75, 89
    total = rng.randint(low, high)
    groups = [total // 5 + (1 if i < total % 5 else 0) for i in range(5)]
    for _ in range(3):  # spread the points a little between groups, staying within 0..20
        a, b = rng.randrange(5), rng.randrange(5)
        if groups[a] < 20 and groups[b] > 0 and a != b:
            groups[a], groups[b] = groups[a] + 1, groups[b] - 1
    return QualityScores(*groups)


def _thematic(gen: Generator, cell: Cell, month: int) -> Iterator[Events]:
    """Sinh hoạt chuyên đề: its own meeting later in the month, on one topic."""
    rng, by = gen.rng, gen.actor()
    start = datetime(YEAR, month, rng.randint(15, 25), 19, 0, tzinfo=ICT)
    gen.clock.at(start - timedelta(days=7))
    meeting = Meeting.schedule(gen.uuid(), cell.id, MeetingKind.THEMATIC, (YEAR, month), start,
                               "Hội trường nhà văn hóa", ("Sinh hoạt chuyên đề",),
                               rng.choice(THEMES), by)  # fmt: skip
    yield meeting.collect_events()
    gen.clock.at(start)
    standings = cell.roster.members_on(start.date())
    meeting.open(start, cell.secretary, cell.clerk, standings, cell.window, by)
    present = _attendance(gen, cell, meeting, standings)
    for speaker in rng.sample(present, min(len(present), rng.randint(2, 4))):
        meeting.record_opinion(speaker, rng.choice(OPINIONS), by)
    _minutes(gen, cell, meeting, standings, present, start)
    meeting.close(start + timedelta(minutes=rng.randint(90, 130)), by)
    yield meeting.collect_events()
