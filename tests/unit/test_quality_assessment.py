"""The assessment set against its evidence (issue 12 §4): warnings, the reason a rating above
them needs, the order after the minutes, HD 12 / HD 42 by date, and the v1 event's upcast."""

from __future__ import annotations

import json
from datetime import date

import pytest
from eventsourcing.persistence import StoredEvent

from domain.meeting import Meeting
from domain.meeting_values import AttendanceMark
from domain.quality import QualityEvidence, QualityScores, QualityThresholds, QualityWeights, Rating
from domain.quality_assessment import evidence_ceiling, evidence_warnings
from domain.quality_errors import (
    AssessmentBeforeMinutes,
    QualityAlreadyAssessed,
    RatingAboveEvidenceNeedsReason,
)
from domain.rules import HD_12_2018, HD_42_2025, QUALITY_RULES
from infra.mapper import MsgspecMapper
from tests.unit.test_meeting import BY, at, mark_all, opened

pytestmark = pytest.mark.unit

GOOD = QualityScores(19, 18, 19, 18, 18)


def test_the_assessment_comes_after_the_minutes():
    meeting, _, _ = opened()
    mark_all(meeting)
    with pytest.raises(AssessmentBeforeMinutes):
        meeting.assess_quality(GOOD, QualityThresholds(), BY)
    meeting.record_minutes("Biên bản", BY)
    assert meeting.assess_quality(GOOD, QualityThresholds(), BY, reason="x y") is Rating.TOT


def test_warnings_name_the_facts_that_disagree():
    meeting, officials, _ = opened(official=11)
    mark_all(
        meeting,
        **{
            str(officials[0]): AttendanceMark.EXCUSED,
            str(officials[1]): AttendanceMark.UNEXCUSED,
        },
    )
    meeting.record_minutes("Biên bản", BY)
    meeting.close(at(3, 15), BY)  # 14:00 to 15:00
    warnings = evidence_warnings(meeting.quality_evidence(), HD_12_2018)
    assert [(w.code, w.en) for w in warnings] == [
        ("attendance_below_minimum", "attendance 81.8% ≤ 85%"),
        ("unexcused_absence", "1 unexcused absence"),
        ("no_premeeting", "no committee pre-meeting"),
        ("meeting_too_short", "60 minutes < 90"),
        ("no_opinions", "no member spoke"),
    ]
    assert warnings[0].vi == "Tỷ lệ dự họp 81,8% ≤ 85%"
    assert evidence_ceiling(warnings, HD_12_2018) is Rating.KHA


def test_a_rating_above_the_evidence_needs_a_written_reason():
    meeting, _, _ = opened()
    mark_all(meeting)
    meeting.record_minutes("Biên bản", BY)
    with pytest.raises(RatingAboveEvidenceNeedsReason) as refused:
        meeting.assess_quality(GOOD, QualityThresholds(), BY)
    assert "no_premeeting" in refused.value.details["warnings"]
    assert refused.value.details["ceiling"] == "kha"
    with pytest.raises(RatingAboveEvidenceNeedsReason):
        meeting.assess_quality(GOOD, QualityThresholds(), BY, reason="   ")
    # Khá is what the evidence supports: no reason needed.
    fair = QualityScores(15, 15, 15, 15, 15)
    assert meeting.assess_quality(fair, QualityThresholds(), BY) is Rating.KHA
    meeting.assess_quality(GOOD, QualityThresholds(), BY, reason="Chi ủy họp trực tuyến")
    assert meeting.quality_reason == "Chi ủy họp trực tuyến"
    assert "no_premeeting" in meeting.quality_warnings


def test_without_warnings_tot_needs_no_reason():
    evidence = QualityEvidence(10, 10, 0, True, 95, 4, 6, True)
    assert evidence_warnings(evidence, HD_12_2018) == ()
    assert evidence_ceiling((), HD_12_2018) is Rating.TOT


def test_the_province_weights_decide_the_rating():
    meeting, _, _ = opened()
    mark_all(meeting)
    meeting.record_minutes("Biên bản", BY)
    scores = QualityScores(
        attendance=10, preparation=10, conduct=20, principles=10, implementation=0
    )
    assert meeting.assess_quality(scores, QualityThresholds(), BY) is Rating.TRUNG_BINH
    assert meeting.quality_weighted_total == 50
    four = QualityWeights(15, 20, 45, 20, 0)
    assert meeting.assess_quality(scores, QualityThresholds(), BY, weights=four) is Rating.KHA
    assert meeting.quality_weighted_total == 72.5


def test_hd_12_then_hd_42_by_date():
    assert QUALITY_RULES.in_force(date(2025, 10, 27)) is HD_12_2018
    assert QUALITY_RULES.in_force(date(2025, 10, 28)) is HD_42_2025
    assert QUALITY_RULES.in_force(date(2010, 1, 1)) is HD_12_2018  # before HD 12: its values
    evidence = QualityEvidence(12, 12, 0, True, 100, 4, 6, True)
    # 100 minutes: enough alone; short of HD 42's 120 when thematic and regular share a session
    assert evidence_warnings(evidence, HD_12_2018, combined_session=True) == ()
    assert evidence_warnings(evidence, HD_42_2025, combined_session=False) == ()
    (short,) = evidence_warnings(evidence, HD_42_2025, combined_session=True)
    assert (short.code, short.en) == ("meeting_too_short", "100 minutes < 120")


def test_a_small_cell_is_pointed_to_its_own_rule_under_hd_42_without_lowering_the_ceiling():
    small = QualityEvidence(5, 5, 0, True, 95, 3, 4, True)
    assert evidence_warnings(small, HD_12_2018) == ()
    warnings = evidence_warnings(small, HD_42_2025)
    assert [w.code for w in warnings] == ["small_cell_rule"]
    assert evidence_ceiling(warnings, HD_42_2025) is Rating.TOT


def test_a_closed_meeting_is_assessed_once_with_its_length_known():
    meeting, _, _ = opened()
    mark_all(meeting)
    meeting.record_minutes("Biên bản", BY)
    meeting.close(at(3, 16), BY)
    meeting.assess_quality(QualityScores(15, 15, 15, 15, 15), QualityThresholds(), BY)
    assert meeting.quality_rating is Rating.KHA
    with pytest.raises(QualityAlreadyAssessed):
        meeting.assess_quality(QualityScores(15, 15, 15, 15, 15), QualityThresholds(), BY)


def test_an_assessment_stored_as_v1_loads_with_equal_weights():
    meeting, _, _ = opened()
    mark_all(meeting)
    meeting.record_minutes("Biên bản", BY)
    meeting.assess_quality(QualityScores(15, 16, 17, 18, 12), QualityThresholds(), BY)
    mapper = MsgspecMapper()
    current = mapper.to_stored_event(meeting.collect_events()[-1])
    state = json.loads(current.state)
    assert state["class_version"] == 2
    for name in (
        "class_version",
        "weights",
        "weighted_total",
        "rule_code",
        "warnings",
        "reason",
        "combined_session",
    ):
        del state[name]
    old = StoredEvent(
        current.originator_id,
        current.originator_version,
        current.topic,
        json.dumps(state).encode(),
    )
    event = mapper.to_domain_event(old)
    assert isinstance(event, Meeting.QualityAssessed)
    assert event.weights == QualityWeights()
    assert event.weighted_total == 78.0
    assert (event.warnings, event.reason, event.rule_code) == ((), "", "")
    assert event.rating is Rating.KHA
