"""Judging one meeting's quality assessment against its evidence (issue 12 §4).

The chair's scores are weighted by the province's weights in force on the meeting day and
rated on its thresholds. Beside the score the system sets out what it already knows
(``QualityEvidence``) and warns where the two disagree: "attendance 81.8% < 85%",
"1 unexcused absence", "60 minutes < 90", "no committee pre-meeting". A rating above what the
evidence supports needs a written reason (``rating_above_evidence_needs_reason``).

The assessment comes after the minutes (``assessment_before_minutes``), and may be made once
the meeting is closed, when its length is known; it is redone freely until closing, and a
closed meeting's assessment stands (a later change is a correction).

The central values (90 or 120 minutes, 85%, the small-cell rule) are dated data in
``domain.rules.QUALITY_RULES``; this module only applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from domain.base import require_text
from domain.meeting_errors import MeetingNotOpen
from domain.quality import (
    QualityEvidence,
    QualityScores,
    QualityThresholds,
    QualityWeights,
    Rating,
    rate,
    weighted_total,
)
from domain.quality_errors import (
    AssessmentBeforeMinutes,
    QualityAlreadyAssessed,
    RatingAboveEvidenceNeedsReason,
)
from domain.rules import QualityRuleSet


@dataclass(frozen=True, slots=True)
class EvidenceWarning:
    """Where the facts disagree with a good rating; ``code`` is stable, the texts are shown."""

    code: str
    vi: str
    en: str


class Assessable(Protocol):
    """What the check reads of a meeting (``domain.meeting_state.MeetingState``)."""

    started_at: Any
    is_closed: bool
    is_cancelled: bool
    minutes: str | None
    quality_rating: Rating | None

    def quality_evidence(self) -> QualityEvidence: ...


def _percent(rate: float) -> tuple[str, str]:
    text = f"{rate * 100:.1f}"
    return text.replace(".", ","), text  # Vietnamese decimal comma first


def evidence_warnings(
    evidence: QualityEvidence, rules: QualityRuleSet, combined_session: bool = False
) -> tuple[EvidenceWarning, ...]:
    """Every fact that speaks against a good rating, in the order of the criteria groups."""
    found: list[EvidenceWarning] = []
    if evidence.members and evidence.attendance_rate <= rules.min_attendance_rate:
        vi, en = _percent(evidence.attendance_rate)
        limit = f"{rules.min_attendance_rate * 100:g}"
        found.append(
            EvidenceWarning(
                "attendance_below_minimum",
                f"Tỷ lệ dự họp {vi}% ≤ {limit}%",
                f"attendance {en}% ≤ {limit}%",
            )
        )
    if evidence.unexcused:
        found.append(
            EvidenceWarning(
                "unexcused_absence",
                f"{evidence.unexcused} đảng viên vắng không lý do",
                f"{evidence.unexcused} unexcused absence{'s' if evidence.unexcused > 1 else ''}",
            )
        )
    if not evidence.premeeting_held:
        found.append(
            EvidenceWarning(
                "no_premeeting", "Không có cuộc họp chi ủy trước", "no committee pre-meeting"
            )
        )
    minimum = (
        rules.min_minutes_combined
        if combined_session and rules.min_minutes_combined
        else rules.min_minutes
    )
    if evidence.minutes_length is not None and evidence.minutes_length < minimum:
        found.append(
            EvidenceWarning(
                "meeting_too_short",
                f"Thời gian {evidence.minutes_length} phút < {minimum}",
                f"{evidence.minutes_length} minutes < {minimum}",
            )
        )
    if evidence.opinions == 0:
        found.append(EvidenceWarning("no_opinions", "Không có ý kiến phát biểu", "no member spoke"))
    if rules.small_cell_own_rule and 0 < evidence.members <= rules.small_cell_max_members:
        found.append(
            EvidenceWarning(
                "small_cell_rule",
                f"Chi bộ ít đảng viên ({evidence.members}): áp dụng quy định riêng của cấp ủy "
                "có thẩm quyền nếu có",
                f"small cell ({evidence.members} members): the competent committee's own rule "
                "applies where it has one",
            )
        )
    return tuple(found)


INFORMATIVE = frozenset({"small_cell_rule"})
"""Warnings that point at a rule rather than speak against the rating."""


def evidence_ceiling(warnings: tuple[EvidenceWarning, ...], rules: QualityRuleSet) -> Rating:
    """The best rating the evidence supports: Tốt with none standing, else the rule set's."""
    if any(w.code not in INFORMATIVE for w in warnings):
        return Rating(rules.ceiling_with_warnings)
    return Rating.TOT


def assessment(
    m: Assessable,
    scores: QualityScores,
    thresholds: QualityThresholds,
    weights: QualityWeights,
    rules: QualityRuleSet,
    *,
    combined_session: bool = False,
    reason: str = "",
) -> dict[str, Any]:
    """The fields of ``Meeting.QualityAssessed``, or the refusal that applies."""
    if m.is_cancelled or m.started_at is None:
        raise MeetingNotOpen("Cuộc sinh hoạt chưa khai mạc", "the meeting has not been opened")
    if m.minutes is None:
        raise AssessmentBeforeMinutes(
            "Chỉ đánh giá chất lượng sau khi đã ghi biên bản",
            "assess the quality after the minutes are recorded",
        )
    if m.is_closed and m.quality_rating is not None:
        raise QualityAlreadyAssessed(
            "Cuộc sinh hoạt đã kết thúc và đã được đánh giá; chỉ có thể đính chính kèm lý do",
            "the meeting is closed and already assessed; only a correction with a reason",
        )
    total = weighted_total(scores, weights)
    rating = rate(total, thresholds)
    warnings = evidence_warnings(m.quality_evidence(), rules, combined_session)
    ceiling = evidence_ceiling(warnings, rules)
    reason = reason.strip()
    if rating.rank > ceiling.rank:
        if not reason:
            raise RatingAboveEvidenceNeedsReason(
                "Mức đánh giá cao hơn chứng cứ ("
                + "; ".join(w.vi for w in warnings)
                + "): hãy ghi lý do",
                "the rating is above the evidence ("
                + "; ".join(w.en for w in warnings)
                + "): give a written reason",
                warnings=[w.code for w in warnings],
                ceiling=ceiling.value,
            )
        reason = require_text(reason, "reason", "Lý do", 2000)
    return {
        "scores": scores,
        "thresholds": thresholds,
        "rating": rating,
        "weights": weights,
        "weighted_total": total,
        "rule_code": rules.code,
        "warnings": tuple(w.code for w in warnings),
        "reason": reason,
        "combined_session": combined_session,
    }
