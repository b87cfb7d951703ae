"""Wire types of the quality assessment (issue 12 §4): the evidence's warnings beside the score.

Kept apart from ``services.meetings.view_schemas`` (the whole meeting) so each stays short; the
meeting's view embeds these.
"""

from __future__ import annotations

from datetime import date

import msgspec

from domain.meeting import Meeting
from domain.quality import Rating
from domain.quality_assessment import evidence_ceiling, evidence_warnings
from domain.rules import QUALITY_RULES, QualityRuleBook


class WarningView(msgspec.Struct):
    """One fact against a good rating: a stable code and its sentence, Vietnamese first."""

    code: str
    message: str
    message_en: str


class EvidenceJudgement(msgspec.Struct):
    rule_code: str
    """The quality rule set in force on the meeting day (``domain.rules.QUALITY_RULES``)."""
    warnings: list[WarningView]
    ceiling: Rating
    """The best rating the evidence supports; above it the assessment needs a reason."""


def judgement(
    m: Meeting, combined_session: bool = False, rules: QualityRuleBook = QUALITY_RULES
) -> EvidenceJudgement:
    day: date = m.held_on or m.scheduled_at.date()
    rule_set = rules.in_force(day)
    warnings = evidence_warnings(m.quality_evidence(), rule_set, combined_session)
    return EvidenceJudgement(
        rule_set.code,
        [WarningView(w.code, w.vi, w.en) for w in warnings],
        evidence_ceiling(warnings, rule_set),
    )
