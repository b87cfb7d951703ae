"""Quality assessment: criteria-group scores, province thresholds, and the facts shown beside them."""

from __future__ import annotations

import pytest

from domain.meeting_errors import MeetingNotOpen
from domain.meeting_values import AttendanceMark
from domain.province import QualityThresholds
from domain.quality import QualityEvidence, QualityScores, Rating, rate
from domain.quality_errors import ScoreOutOfRange
from tests.unit.test_meeting import BY, at, mark_all, opened, scheduled

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("total", "rating"),
    [(100, Rating.TOT), (90, Rating.TOT), (89, Rating.KHA), (70, Rating.KHA),
     (69, Rating.TRUNG_BINH), (50, Rating.TRUNG_BINH), (49, Rating.KEM), (0, Rating.KEM)],
)  # fmt: skip
def test_default_thresholds_are_90_70_50(total, rating):
    assert rate(total, QualityThresholds()) is rating


def test_a_province_sets_its_own_thresholds():
    strict = QualityThresholds(good=95, fair=80, average=65)
    assert rate(90, strict) is Rating.KHA
    assert rate(64, strict) is Rating.KEM


def test_each_group_scores_0_to_20_and_the_total_is_their_sum():
    scores = QualityScores(
        attendance=20, preparation=15, conduct=18, principles=17, implementation=10
    )
    assert scores.total == 80
    with pytest.raises(ScoreOutOfRange) as info:
        QualityScores(attendance=21, preparation=0, conduct=0, principles=0, implementation=0)
    assert info.value.details["field"] == "attendance"
    with pytest.raises(ScoreOutOfRange):
        QualityScores(attendance=0, preparation=-1, conduct=0, principles=0, implementation=0)


def test_assessment_records_scores_thresholds_and_rating_and_can_be_redone_before_closing():
    meeting, _, _ = opened()
    mark_all(meeting)
    meeting.record_minutes("Biên bản", BY)  # the assessment comes after the minutes
    thresholds = QualityThresholds(good=85, fair=70, average=50)
    # No pre-meeting and nobody spoke: Tốt is above the evidence, so it carries a reason.
    tot = meeting.assess_quality(
        QualityScores(18, 17, 17, 17, 17), thresholds, BY, reason="Chi ủy đã họp trực tuyến"
    )
    assert tot is Rating.TOT
    assert meeting.quality_thresholds == thresholds
    assert meeting.assess_quality(QualityScores(15, 15, 15, 15, 15), thresholds, BY) is Rating.KHA
    assert meeting.quality_rating is Rating.KHA
    with pytest.raises(MeetingNotOpen):
        scheduled().assess_quality(QualityScores(1, 1, 1, 1, 1), thresholds, BY)


def test_evidence_counts_attendance_without_exempted_absentees():
    meeting, officials, _ = opened(official=7, exempted=1)
    mark_all(
        meeting,
        **{str(officials[0]): AttendanceMark.EXCUSED, str(officials[1]): AttendanceMark.UNEXCUSED},
    )
    meeting.record_minutes("Biên bản", BY)
    meeting.close(at(3, 15), BY)
    evidence = meeting.quality_evidence()
    assert (evidence.members, evidence.present, evidence.unexcused) == (6, 5, 1)
    assert not evidence.attendance_criterion_met
    assert evidence.minutes_length == 60
    assert evidence.long_enough is False


def test_attendance_criterion_needs_above_85_percent_and_no_unexcused_absence():
    def evidence(present, unexcused):
        return QualityEvidence(20, present, unexcused, True, 120, 10, 13, True)

    assert evidence(18, 0).attendance_criterion_met
    assert not evidence(17, 0).attendance_criterion_met  # exactly 85% is not above it
    assert not evidence(19, 1).attendance_criterion_met
    assert evidence(18, 0).long_enough
