"""One decision for the vote thresholds: the meeting and the admission case judge alike, by the
rule set in force on the meeting's date (issue 11 §4)."""

from __future__ import annotations

import dataclasses
from datetime import date
from uuid import uuid4

import pytest

from domain.admission_errors import VoteBelowTwoThirds
from domain.admission_values import MotionFacts
from domain.rules import QD_24_2021, QD_294_2025, RuleBook
from domain.voting import MotionKind, MotionResult, Threshold, VotingMethod, required_votes
from tests.unit.test_admission import SECRETARY, WEEKENDS_ONLY, introduced, new_case
from tests.unit.test_meeting import BY, mark_all, opened

pytestmark = pytest.mark.unit

# A what-if rule set from the meeting's month on: three quarters instead of two thirds, and
# "more than two thirds" instead of "more than half". Only the data changes.
STRICT = dataclasses.replace(
    QD_294_2025,
    code="DRAFT-STRICT",
    effective_from=date(2023, 1, 1),
    two_thirds_numerator=3,
    two_thirds_denominator=4,
    majority_numerator=2,
    majority_denominator=3,
)
BOOK = RuleBook((QD_24_2021, STRICT))


def test_the_meeting_judges_a_motion_by_the_rule_set_in_force_on_its_date():
    meeting, _, _ = opened(official=9)  # held 03/11/2023
    mark_all(meeting)
    motion = uuid4()
    meeting.propose_motion(motion, MotionKind.GENERAL, "Nghị quyết tháng", None, BY)
    # 6 of 9 is more than half, but not more than two thirds.
    result = meeting.record_tally(motion, VotingMethod.SHOW_OF_HANDS, 6, 3, 0, BY, rules=BOOK)
    assert result is MotionResult.FAILED
    assert meeting.motions[motion].required == required_votes(Threshold.MAJORITY, 9, STRICT) == 7


def test_the_meeting_under_the_rules_in_force_passes_more_than_half():
    meeting, _, _ = opened(official=9)
    mark_all(meeting)
    motion = uuid4()
    meeting.propose_motion(motion, MotionKind.GENERAL, "Nghị quyết tháng", None, BY)
    assert meeting.record_tally(motion, VotingMethod.SHOW_OF_HANDS, 5, 4, 0, BY) is (
        MotionResult.PASSED
    )
    assert meeting.motions[motion].required == 5


def test_the_admission_case_uses_the_same_threshold_function():
    case = new_case()
    introduced(case)
    # 6 of 8 is at least two thirds, and exactly three quarters: passes under both.
    facts = MotionFacts(
        uuid4(),
        uuid4(),
        case.cell_id,
        date(2024, 3, 5),
        MotionKind.ADMISSION,
        case.id,
        MotionResult.PASSED,
        6,
        2,
        8,
    )
    case.record_cell_vote(facts, WEEKENDS_ONLY, SECRETARY, rules=BOOK)
    other = new_case()
    introduced(other)
    # 7 of 10 reaches two thirds but not three quarters: the draft set refuses it.
    facts = dataclasses.replace(
        facts, subject_id=other.id, votes_for=7, votes_against=3, official_members=10
    )
    with pytest.raises(VoteBelowTwoThirds):
        other.record_cell_vote(facts, WEEKENDS_ONLY, SECRETARY, rules=BOOK)
    other.record_cell_vote(facts, WEEKENDS_ONLY, SECRETARY)
