"""Meeting lifecycle rules: scheduling, opening, attendance, guests, opinions, closing, replay."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

import pytest

from domain import meeting_errors as errors
from domain.base import InvalidValue
from domain.meeting import Meeting
from domain.meeting_values import AttendanceEntry, AttendanceMark, MeetingKind
from domain.member import MemberStatus
from domain.org_unit import MeetingWindow
from domain.roster import CellRoster
from domain.voting import MotionKind, VotingMethod
from domain.voting_errors import MemberNotOnMeetingRoster
from infra.mapper import MsgspecMapper
from tests.builders import ICT
from tests.builders import SECRETARY as BY

pytestmark = pytest.mark.unit

WINDOW = MeetingWindow(1, 5)
CELL = uuid4()


def at(day: int, hour: int = 14, month: int = 11) -> datetime:
    return datetime(2023, month, day, hour, 0, tzinfo=ICT)


def build_roster(
    official: int = 5, probationary: int = 0, exempted: int = 0, suspended: int = 0
) -> tuple[CellRoster, list[UUID], list[UUID]]:
    """A roster of ``official`` official members (the first ``exempted`` exempted, the next
    ``suspended`` suspended) and ``probationary`` probationary ones."""
    roster = CellRoster.open(CELL, BY)
    officials = [uuid4() for _ in range(official)]
    probationers = [uuid4() for _ in range(probationary)]
    for member_id in officials:
        roster.enrol(member_id, MemberStatus.OFFICIAL, date(2020, 1, 1), BY)
    for member_id in probationers:
        roster.enrol(member_id, MemberStatus.PROBATIONARY, date(2023, 1, 1), BY)
    from domain.roster import Change

    for member_id in officials[:exempted]:
        roster.record(member_id, Change.EXEMPTED, date(2022, 1, 1), BY)
    for member_id in officials[exempted : exempted + suspended]:
        roster.record(member_id, Change.SUSPENDED, date(2023, 6, 1), BY)
    return roster, officials, probationers


def scheduled(kind: MeetingKind = MeetingKind.REGULAR, topic: str = "") -> Meeting:
    regular = scheduled() if kind is MeetingKind.COMMITTEE_PREMEETING else None
    return Meeting.schedule(
        uuid4(),
        CELL,
        kind,
        (2023, 11),
        at(3),
        "Phòng họp A",
        ["Thông tin thời sự"],
        topic,
        BY,
        regular,
    )


def opened(
    official: int = 5,
    probationary: int = 0,
    exempted: int = 0,
    suspended: int = 0,
    start: datetime | None = None,
    kind: MeetingKind = MeetingKind.REGULAR,
) -> tuple[Meeting, list[UUID], list[UUID]]:
    roster, officials, probationers = build_roster(official, probationary, exempted, suspended)
    meeting = scheduled(kind, topic="Chuyên đề" if kind is MeetingKind.THEMATIC else "")
    begin = start or at(3)
    chair, secretary = officials[-1], officials[-2]
    meeting.open(begin, chair, secretary, roster.members_on(begin.date()), WINDOW, BY)
    return meeting, officials, probationers


def mark_all(
    meeting: Meeting, mark: AttendanceMark = AttendanceMark.PRESENT, **by_id: object
) -> None:
    entries = []
    for member_id in meeting.roster:
        chosen = by_id.get(str(member_id), mark)
        assert isinstance(chosen, AttendanceMark)
        if member_id in (meeting.chair_id, meeting.secretary_id):
            chosen = AttendanceMark.PRESENT
        reason = "Đi công tác" if chosen is AttendanceMark.EXCUSED else ""
        entries.append(AttendanceEntry(member_id, chosen, reason))
    meeting.mark_attendance(entries, BY)


def absent(meeting: Meeting, member_id: UUID, mark: AttendanceMark, reason: str = "Ốm") -> None:
    meeting.mark_attendance([AttendanceEntry(member_id, mark, reason)], BY)


# -- scheduling ----------------------------------------------------------------------------


def test_schedule_records_period_place_agenda_and_topic():
    meeting = scheduled(MeetingKind.THEMATIC, topic="Học tập và làm theo Bác")
    assert meeting.period == (2023, 11)
    assert meeting.kind is MeetingKind.THEMATIC
    assert meeting.agenda == ("Thông tin thời sự",)
    assert meeting.topic == "Học tập và làm theo Bác"
    assert meeting.held_on is None
    assert not meeting.is_closed


@pytest.mark.parametrize("period", [(2023, 13), (2023, 0), (1999, 5)])
def test_invalid_period_is_refused(period):
    with pytest.raises(errors.InvalidPeriod):
        Meeting.schedule(uuid4(), CELL, MeetingKind.REGULAR, period, at(3), "A", [], "", BY)


def test_thematic_meeting_needs_a_topic():
    with pytest.raises(errors.ThematicMeetingNeedsTopic):
        scheduled(MeetingKind.THEMATIC, topic="  ")


def test_time_without_offset_is_refused():
    with pytest.raises(InvalidValue) as info:
        Meeting.schedule(
            uuid4(),
            CELL,
            MeetingKind.REGULAR,
            (2023, 11),
            datetime(2023, 11, 3, 14),
            "A",
            [],
            "",
            BY,
        )
    assert info.value.details["field"] == "scheduled_at"


def test_premeeting_is_linked_to_its_regular_meeting():
    regular = scheduled()
    pre = Meeting.schedule(
        uuid4(), CELL, MeetingKind.COMMITTEE_PREMEETING, (2023, 11), at(1), "A", [], "", BY, regular
    )
    assert pre.regular_meeting_id == regular.id
    assert regular.premeeting_id == pre.id
    with pytest.raises(errors.PremeetingAlreadyLinked):
        Meeting.schedule(
            uuid4(),
            CELL,
            MeetingKind.COMMITTEE_PREMEETING,
            (2023, 11),
            at(1),
            "A",
            [],
            "",
            BY,
            regular,
        )


@pytest.mark.parametrize("case", ["missing", "other_month", "other_cell", "not_regular", "not_pre"])
def test_premeeting_needs_the_regular_meeting_of_the_same_cell_and_month(case):
    regular = scheduled()
    kind, period, cell = MeetingKind.COMMITTEE_PREMEETING, (2023, 11), CELL
    linked: Meeting | None = regular
    if case == "missing":
        linked = None
    elif case == "other_month":
        period = (2023, 12)
    elif case == "other_cell":
        cell = uuid4()
    elif case == "not_regular":
        linked = scheduled(MeetingKind.EXTRAORDINARY)
    else:
        kind = MeetingKind.THEMATIC
    with pytest.raises(errors.PremeetingNeedsRegularMeeting):
        Meeting.schedule(uuid4(), cell, kind, period, at(1), "A", [], "Chủ đề", BY, linked)


# -- opening and lateness -------------------------------------------------------------------


def test_open_snapshots_the_roster_and_marks_chair_and_secretary_present():
    meeting, officials, probationers = opened(official=4, probationary=2)
    assert meeting.held_on == date(2023, 11, 3)
    assert len(meeting.roster) == 6
    assert meeting.attendance == {
        officials[-1]: AttendanceMark.PRESENT,
        officials[-2]: AttendanceMark.PRESENT,
    }
    assert set(meeting.unmarked) == set(officials[:2]) | set(probationers)


def test_open_twice_and_reschedule_after_opening_are_refused():
    meeting, officials, _ = opened()
    with pytest.raises(errors.MeetingAlreadyOpen):
        meeting.open(at(3), officials[0], officials[1], {}, WINDOW, BY)
    with pytest.raises(errors.MeetingAlreadyOpen):
        meeting.reschedule(at(4), "Hội trường", BY)


def test_reschedule_before_opening_changes_time_and_place():
    meeting = scheduled()
    meeting.reschedule(at(4), "Hội trường", BY)
    assert (meeting.scheduled_at, meeting.place) == (at(4), "Hội trường")


def test_chair_and_secretary_must_differ_and_be_on_the_roster():
    roster, officials, _ = build_roster(3)
    meeting = scheduled()
    with pytest.raises(errors.ChairAndSecretaryMustDiffer):
        meeting.open(
            at(3), officials[0], officials[0], roster.members_on(date(2023, 11, 3)), WINDOW, BY
        )
    with pytest.raises(MemberNotOnMeetingRoster) as info:
        meeting.open(at(3), officials[0], uuid4(), roster.members_on(date(2023, 11, 3)), WINDOW, BY)
    assert info.value.details["field"] == "secretary_id"


@pytest.mark.parametrize(
    ("start", "kind", "late"),
    [
        (at(1), MeetingKind.REGULAR, False),
        (at(5, hour=20), MeetingKind.REGULAR, False),
        (at(6), MeetingKind.REGULAR, True),
        (at(2, month=12), MeetingKind.REGULAR, True),
        (at(20), MeetingKind.THEMATIC, False),
        (at(20), MeetingKind.EXTRAORDINARY, False),
    ],
)
def test_a_regular_meeting_outside_the_window_is_recorded_and_flagged_late(start, kind, late):
    meeting, _, _ = opened(start=start, kind=kind)
    assert meeting.is_late is late
    assert meeting.held_on == start.date()


# -- attendance -------------------------------------------------------------------------------


def test_attendance_before_opening_is_refused():
    with pytest.raises(errors.MeetingNotOpen):
        scheduled().mark_attendance([AttendanceEntry(uuid4(), AttendanceMark.PRESENT)], BY)


def test_attendance_of_someone_not_on_the_roster_is_refused():
    meeting, _, _ = opened()
    stranger = uuid4()
    with pytest.raises(MemberNotOnMeetingRoster) as info:
        absent(meeting, stranger, AttendanceMark.PRESENT)
    assert info.value.details["member_id"] == str(stranger)


def test_excused_absence_needs_a_reason_but_unexcused_does_not():
    meeting, officials, _ = opened()
    with pytest.raises(errors.ExcusedAbsenceNeedsReason) as info:
        absent(meeting, officials[0], AttendanceMark.EXCUSED, reason="  ")
    assert info.value.details["field"] == "entries[0].reason"
    absent(meeting, officials[0], AttendanceMark.UNEXCUSED, reason="")
    absent(meeting, officials[1], AttendanceMark.EXCUSED, reason="Đi công tác")
    assert meeting.attendance[officials[0]] is AttendanceMark.UNEXCUSED
    assert meeting.absence_reasons == {officials[1]: "Đi công tác"}


def test_the_same_member_twice_in_one_list_is_refused():
    meeting, officials, _ = opened()
    entry = AttendanceEntry(officials[0], AttendanceMark.PRESENT)
    with pytest.raises(errors.DuplicateAttendanceEntry):
        meeting.mark_attendance([entry, entry], BY)


def test_the_chair_cannot_be_marked_absent():
    meeting, officials, _ = opened()
    with pytest.raises(errors.ChairMustBePresent):
        absent(meeting, officials[-1], AttendanceMark.UNEXCUSED)


def test_a_late_arrival_can_be_marked_present_again():
    meeting, officials, _ = opened()
    absent(meeting, officials[0], AttendanceMark.EXCUSED, "Họp cơ quan")
    absent(meeting, officials[0], AttendanceMark.PRESENT, "")
    assert officials[0] in meeting.present
    assert officials[0] not in meeting.absence_reasons


# -- guests, opinions, self-criticism -------------------------------------------------------------


def test_guests_are_named_and_a_superior_assignee_only_once():
    meeting, _, _ = opened()
    assignee = uuid4()
    guest_id = meeting.add_guest("Nguyễn Văn A", "Đảng ủy viên phụ trách", True, assignee, BY)
    guest = meeting.guests[guest_id]
    assert (guest.name, guest.is_superior, guest.assignee_id) == ("Nguyễn Văn A", True, assignee)
    with pytest.raises(errors.GuestAlreadyAdded):
        meeting.add_guest("Nguyễn Văn A", "", True, assignee, BY)


def test_opinions_come_from_present_members_or_guests():
    meeting, officials, _ = opened()
    mark_all(meeting, **{str(officials[0]): AttendanceMark.UNEXCUSED})
    guest = meeting.add_guest("Trần B", "Ủy viên BTV", True, None, BY)
    meeting.record_opinion(officials[1], "Góp ý phương hướng tháng 12", BY)
    meeting.record_opinion(officials[1], "Phát triển đảng viên", BY)
    meeting.record_opinion(guest, "Phát biểu chỉ đạo", BY)
    with pytest.raises(errors.MemberNotPresent):
        meeting.record_opinion(officials[0], "Ý kiến", BY)
    with pytest.raises(errors.UnknownSpeaker):
        meeting.record_opinion(uuid4(), "Ý kiến", BY)
    evidence = meeting.quality_evidence()
    assert len(meeting.opinions) == 3
    assert (evidence.speakers, evidence.opinions) == (1, 2)


def test_self_criticism_needs_a_present_member_once_per_meeting():
    meeting, officials, _ = opened()
    mark_all(meeting, **{str(officials[0]): AttendanceMark.UNEXCUSED})
    meeting.record_self_criticism(officials[1], BY)
    assert list(meeting.self_criticisms) == [officials[1]]
    with pytest.raises(errors.SelfCriticismAlreadyRecorded):
        meeting.record_self_criticism(officials[1], BY)
    with pytest.raises(errors.MemberNotPresent):
        meeting.record_self_criticism(officials[0], BY)


# -- closing --------------------------------------------------------------------------------


def test_close_needs_full_attendance_minutes_and_decided_motions():
    meeting, _, _ = opened()
    with pytest.raises(errors.AttendanceIncomplete) as info:
        meeting.close(at(3, 16), BY)
    assert len(info.value.details["member_ids"]) == 3
    mark_all(meeting)
    with pytest.raises(errors.MinutesNotRecorded):
        meeting.close(at(3, 16), BY)
    meeting.record_minutes("Biên bản cuộc họp", BY)
    meeting.propose_motion(uuid4(), MotionKind.GENERAL, "Nghị quyết tháng 12", None, BY)
    with pytest.raises(errors.UndecidedMotionRemains):
        meeting.close(at(3, 16), BY)
    for motion_id in meeting.motions:
        meeting.record_tally(motion_id, VotingMethod.SHOW_OF_HANDS, 5, 0, 0, BY)
    with pytest.raises(InvalidValue):
        meeting.close(at(3, 13), BY)
    meeting.close(at(3, 16), BY)
    assert meeting.is_closed
    assert meeting.length_minutes == 120


def test_after_closing_every_command_is_refused():
    meeting, officials, _ = opened()
    mark_all(meeting)
    meeting.record_minutes("Biên bản", BY)
    meeting.close(at(3, 16), BY)
    refused = [
        lambda: absent(meeting, officials[0], AttendanceMark.UNEXCUSED),
        lambda: meeting.add_guest("Khách", "", False, None, BY),
        lambda: meeting.record_opinion(officials[0], "Ý kiến", BY),
        lambda: meeting.record_self_criticism(officials[0], BY),
        lambda: meeting.propose_motion(uuid4(), MotionKind.GENERAL, "X", None, BY),
        lambda: meeting.record_minutes("Khác", BY),
        lambda: meeting.collect_dues(100_000, [], [], BY),
        lambda: meeting.close(at(3, 17), BY),
        lambda: meeting.reschedule(at(4), "B", BY),
    ]
    for command in refused:
        with pytest.raises(errors.MeetingIsClosed):
            command()


def test_dues_are_recorded_with_payers_on_the_roster():
    meeting, officials, _ = opened()
    meeting.collect_dues(250_000, [officials[0], officials[1], officials[0]], [officials[2]], BY)
    assert meeting.dues_total_vnd == 250_000
    assert meeting.dues_payer_ids == (officials[0], officials[1])
    assert meeting.dues_unpaid_ids == (officials[2],)
    with pytest.raises(MemberNotOnMeetingRoster):
        meeting.collect_dues(1, [uuid4()], [], BY)
    with pytest.raises(MemberNotOnMeetingRoster):
        meeting.collect_dues(1, [], [uuid4()], BY)
    with pytest.raises(InvalidValue):
        meeting.collect_dues(-1, [], [], BY)


# -- replay ---------------------------------------------------------------------------------


def test_every_event_round_trips_through_the_mapper_and_replays_to_the_same_state():
    meeting, officials, probationers = opened(official=5, probationary=1, exempted=1, suspended=1)
    mark_all(meeting, **{str(officials[2]): AttendanceMark.EXCUSED})
    guest = meeting.add_guest("Khách", "Cấp trên", True, uuid4(), BY)
    meeting.record_opinion(guest, "Chỉ đạo", BY)
    meeting.record_opinion(officials[3], "Góp ý", BY)
    meeting.record_self_criticism(officials[3], BY)
    roll_call = uuid4()
    meeting.propose_motion(roll_call, MotionKind.RECOGNITION, "Công nhận", probationers[0], BY)
    from domain.voting import VoteChoice

    meeting.cast_ballot(roll_call, officials[3], VoteChoice.FOR, BY)
    meeting.count_ballots(roll_call, BY)
    meeting.record_minutes("Biên bản", BY)
    minutes = uuid4()
    meeting.propose_motion(minutes, MotionKind.MINUTES, "Thông qua biên bản", None, BY)
    meeting.record_tally(minutes, VotingMethod.SHOW_OF_HANDS, 2, 0, 0, BY)
    from domain.province import QualityThresholds
    from domain.quality import QualityScores

    meeting.assess_quality(
        QualityScores(18, 18, 18, 18, 18), QualityThresholds(), BY, reason="Lý do đánh giá"
    )
    meeting.collect_dues(100_000, [officials[3]], sorted(meeting.present - {officials[3]}), BY)
    meeting.close(at(3, 16), BY)
    meeting.correct_minutes("Biên bản đã sửa", "Sai chính tả", BY)

    mapper = MsgspecMapper()
    events = meeting.collect_events()
    stored = [mapper.to_stored_event(e) for e in events]
    replayed: Meeting | None = None
    for record in stored:
        replayed = mapper.to_domain_event(record).mutate(replayed)
    assert replayed is not None
    for attribute in (
        "period",
        "held_on",
        "is_late",
        "attendance",
        "absence_reasons",
        "guests",
        "opinions",
        "self_criticisms",
        "minutes",
        "minutes_approved",
        "quality_rating",
        "dues_payer_ids",
        "dues_unpaid_ids",
        "is_closed",
        "corrections",
        "roster",
    ):
        assert getattr(replayed, attribute) == getattr(meeting, attribute), attribute
    assert {m.id: (m.result, m.base, m.votes_for) for m in replayed.motions.values()} == {
        m.id: (m.result, m.base, m.votes_for) for m in meeting.motions.values()
    }
    assert {type(e).__name__ for e in events} >= {"Opened", "MotionDecided", "MinutesCorrected"}


def test_a_premeeting_closes_with_only_the_committee_marked():
    meeting, officials, _ = opened(official=9, kind=MeetingKind.COMMITTEE_PREMEETING)
    absent(meeting, officials[0], AttendanceMark.PRESENT, "")
    meeting.record_minutes("Chi ủy thống nhất nội dung sinh hoạt tháng 11", BY)
    meeting.close(at(3, 16), BY)
    assert meeting.is_closed
    assert len(meeting.unmarked) == 6
    assert not meeting.is_late


def test_a_meeting_is_cancelled_with_a_reason_and_then_neither_opens_nor_moves():
    from domain.meeting_errors import MeetingCancelled

    m = Meeting.schedule(
        uuid4(),
        uuid4(),
        MeetingKind.REGULAR,
        (2023, 11),
        at(3),
        "Hội trường",
        ["Thông tin thời sự"],
        "",
        BY,
    )
    with pytest.raises(InvalidValue):
        m.cancel("  ", BY)
    m.cancel("Bão số 5, ngập đường vào thôn", BY)
    assert m.is_cancelled
    assert m.cancel_reason == "Bão số 5, ngập đường vào thôn"
    with pytest.raises(MeetingCancelled):
        m.reschedule(at(10), "Hội trường", BY)
    with pytest.raises(MeetingCancelled):
        m.cancel("lần nữa", BY)
