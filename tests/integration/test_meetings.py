"""Meeting services on a real PostgreSQL tenant: saving, reloading, snapshots, settings, staleness."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from eventsourcing.persistence import IntegrityError

from domain.base import Actor
from domain.meeting import Meeting
from domain.meeting_values import AttendanceEntry, AttendanceMark, MeetingKind
from domain.member import DepartureReason
from domain.org_unit import MeetingWindow
from domain.province import Province, ProvinceSettings, QualityThresholds
from domain.quality import QualityScores, QualityWeights, Rating
from domain.voting import MotionKind, MotionResult, VotingMethod
from services.errors import StaleWrite
from services.meetings import commands as meetings
from services.membership import org
from tests.builders import ICT, official, opened_meeting, scheduled_meeting, unit_chain

pytestmark = pytest.mark.integration

BY = Actor("secretary-1", "secretary", "req-int")


def at(day: int, hour: int = 14) -> datetime:
    return datetime(2023, 11, day, hour, tzinfo=ICT)


@pytest.fixture
def cell(app):
    *_, unit_id = unit_chain(app, BY)
    ids = [official(app, BY, unit_id, f"Đảng viên {index}").id for index in range(5)]
    return unit_id, ids


def opened(app, cell_id, members, start=None):
    return opened_meeting(
        app,
        BY,
        cell_id,
        at(3),
        members[0],
        members[1],
        place="Nhà văn hóa thôn",
        agenda=["Báo cáo tháng"],
        period=(2023, 11),
        started_at=start,
    )


def test_a_meeting_is_saved_and_reloaded_with_its_roster_snapshot(app, cell):
    cell_id, members = cell
    org.exempt_member(
        app,
        BY,
        member_id=members[4],
        start=date(2023, 1, 1),
        end=None,
        reason="Tuổi cao",
        expected=None,
    )
    meeting_id = opened(app, cell_id, members)
    # A roster change after the meeting day does not reach back into the meeting.
    org.member_leaves(
        app,
        BY,
        member_id=members[3],
        reason=DepartureReason.DECEASED,
        on=date(2023, 11, 20),
        note="",
        expected=None,
    )
    entries = [AttendanceEntry(m, AttendanceMark.PRESENT) for m in members[2:4]]
    entries.append(AttendanceEntry(members[4], AttendanceMark.UNEXCUSED))
    meetings.mark_attendance(app, BY, meeting_id=meeting_id, entries=entries, expected=None)
    _, motion_id, _ = meetings.propose_motion(
        app,
        BY,
        meeting_id=meeting_id,
        kind=MotionKind.GENERAL,
        title="Nghị quyết",
        subject_id=None,
        expected=None,
    )
    _, result, position = meetings.record_tally(
        app,
        BY,
        meeting_id=meeting_id,
        motion_id=motion_id,
        method=VotingMethod.SHOW_OF_HANDS,
        counts=(3, 1, 0),
        expected=None,
    )
    assert result is MotionResult.PASSED
    assert position > 0
    reloaded = app.repository.get(meeting_id)
    assert isinstance(reloaded, Meeting)
    assert len(reloaded.roster) == 5
    assert reloaded.roster[members[4]].exempted
    # Base: 5 official, minus the exempted member who stayed away.
    assert reloaded.motions[motion_id].base == 4
    assert reloaded.motions[motion_id].required == 3


def test_the_cells_window_and_the_province_default_decide_lateness(app, cell):
    cell_id, members = cell
    assert app.repository.get(opened(app, cell_id, members, start=at(7))).is_late
    org.set_meeting_window(app, BY, cell_id=cell_id, window=MeetingWindow(6, 8), expected=None)
    assert not app.repository.get(opened(app, cell_id, members, start=at(7))).is_late


def test_quality_uses_the_thresholds_in_force_in_the_province(app, cell):
    cell_id, members = cell
    province = Province.register(app.slug, "Tỉnh Thử", BY)
    strict = ProvinceSettings(quality=QualityThresholds(good=95, fair=80, average=60))
    province.change_settings(strict, date(2023, 1, 1), BY)
    app.save_all(province)
    meeting_id = opened(app, cell_id, members)
    meetings.record_minutes(app, BY, meeting_id=meeting_id, text="Biên bản", expected=None)
    scores = QualityScores(18, 18, 18, 18, 18)
    _, rating, _ = meetings.assess_quality(
        app, BY, meeting_id=meeting_id, scores=scores, expected=None
    )
    assert rating is Rating.KHA
    stored = app.repository.get(meeting_id)
    assert stored.quality_thresholds == strict.quality


def test_the_weights_in_force_make_the_score_the_read_model_stores(app, cell, database, tenant):
    """The province's weights decide the rating, and the meetings read model keeps the
    weighted score it was judged on, not the plain sum of the groups (issue 12 §4)."""
    from projections import engine
    from projections.meetings import MEETINGS

    cell_id, members = cell
    province = Province.register(app.slug, "Tỉnh Thử", BY)
    four = QualityWeights(
        attendance=15, preparation=20, conduct=45, principles=20, implementation=0
    )
    province.change_settings(ProvinceSettings(quality_weights=four), date(2023, 1, 1), BY)
    app.save_all(province)
    meeting_id = opened(app, cell_id, members)
    meetings.record_minutes(app, BY, meeting_id=meeting_id, text="Biên bản", expected=None)
    scores = QualityScores(
        attendance=10, preparation=10, conduct=20, principles=10, implementation=0
    )
    _, rating, _ = meetings.assess_quality(
        app, BY, meeting_id=meeting_id, scores=scores, expected=None
    )
    assert rating is Rating.KHA  # 72.5 weighted; the plain sum, 50, would be Trung bình
    engine.catch_up(database, tenant.schema, MEETINGS)
    with database.connect() as conn:
        row = conn.execute(
            f"SELECT score_total, rating FROM {tenant.schema}.meetings WHERE id = %s",
            (meeting_id,),
        ).fetchone()
    assert row == (72.5, "kha")


def test_a_stale_version_is_refused_and_a_concurrent_write_conflicts(app, cell):
    cell_id, members = cell
    meeting_id = opened(app, cell_id, members)
    version = app.repository.get(meeting_id).version
    meetings.record_minutes(app, BY, meeting_id=meeting_id, text="Biên bản", expected=version)
    with pytest.raises(StaleWrite):
        meetings.record_minutes(
            app, BY, meeting_id=meeting_id, text="Biên bản khác", expected=version
        )
    first, second = app.repository.get(meeting_id), app.repository.get(meeting_id)
    first.add_guest("Khách A", "", False, None, BY)
    second.add_guest("Khách B", "", False, None, BY)
    app.save_all(first)
    with pytest.raises(IntegrityError):
        app.save_all(second)


def test_a_premeeting_and_its_regular_meeting_are_saved_together(app, cell):
    cell_id, _ = cell
    regular = scheduled_meeting(app, BY, cell_id, at(3), place="P1", period=(2023, 11))
    pre = scheduled_meeting(
        app,
        BY,
        cell_id,
        at(1),
        place="P1",
        period=(2023, 11),
        kind=MeetingKind.COMMITTEE_PREMEETING,
        regular_meeting_id=regular,
    )
    assert app.repository.get(regular).premeeting_id == pre
    assert app.repository.get(pre).regular_meeting_id == regular
