"""Refused quality ratings (đánh giá chất lượng sinh hoạt chi bộ): scores and weights out of
range, an assessment before the minutes or twice, a rating above the evidence without a reason,
the members' ballot and its confirmation, the yearly rule. Raised by ``domain.quality``,
``domain.quality_assessment``, ``domain.quality_ballot`` and ``domain.quality_year``.
"""

from __future__ import annotations

from domain.base import InvalidValue, RuleViolated, StateConflict


class ScoreOutOfRange(InvalidValue):
    code = "score_out_of_range"


class InvalidWeights(InvalidValue):
    code = "invalid_quality_weights"


class AssessmentBeforeMinutes(StateConflict):
    code = "assessment_before_minutes"


class RatingAboveEvidenceNeedsReason(RuleViolated):
    code = "rating_above_evidence_needs_reason"


class QualityAlreadyAssessed(StateConflict):
    code = "quality_already_assessed"


class QualityNotAssessed(StateConflict):
    code = "quality_not_assessed"


class BallotCountsExceedVoters(InvalidValue):
    code = "quality_ballot_counts_exceed_voters"


class QualityBallotMissing(StateConflict):
    code = "quality_ballot_missing"


class QualityBallotRejected(RuleViolated):
    code = "quality_ballot_rejected"


class QualityBallotOutdated(StateConflict):
    code = "quality_ballot_outdated"


class ConfirmerNotAttendingSuperior(RuleViolated):
    code = "confirmer_not_attending_superior"


class QualityAlreadyConfirmed(StateConflict):
    code = "quality_already_confirmed"


class InvalidYearlyRule(InvalidValue):
    code = "invalid_yearly_rule"
