"""Quality assessment of a meeting (đánh giá chất lượng sinh hoạt chi bộ), HD 12 / HD 42.

The chair scores five criteria groups; the total gives one of four ratings on thresholds each
province sets (``QualityThresholds``, e.g. 90/70/50). The evidence the system
already knows (attendance rate, unexcused absences, pre-meeting, length, speakers) is computed
here too, so the cell scores against facts instead of from memory.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

from domain.base import InvalidValue
from domain.quality_errors import InvalidWeights, ScoreOutOfRange

GROUP_MAX_POINTS = 20
"""The chair scores each of the five groups out of 20; the province's weights (trọng số,
``QualityWeights``) then say what each group is worth out of 100."""

MIN_ATTENDANCE_RATE = 0.85
"""Criterion 1: more than 85% of members present (HD 12-HD/BTCTW)."""

MIN_MINUTES = 90
"""Minimum length of a meeting (HD 12-HD/BTCTW 2018, kept by HD 42); the dated values are in
``domain.rules.QUALITY_RULES`` (120 when a thematic and a regular meeting share a session)."""


class Rating(str, Enum):
    """The four quality levels (mức chất lượng)."""

    TOT = "tot"  # Tốt
    KHA = "kha"  # Khá
    TRUNG_BINH = "trung_binh"  # Trung bình
    KEM = "kem"  # Kém

    @property
    def rank(self) -> int:
        """3 for Tốt down to 0 for Kém: ``a.rank > b.rank`` reads "a is better than b"."""
        return RANKS[self]


RANKS = {Rating.TOT: 3, Rating.KHA: 2, Rating.TRUNG_BINH: 1, Rating.KEM: 0}


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    """Minimum points for Tốt / Khá / Trung bình; below ``average`` is Kém (HD 12, HD 42)."""

    good: int = 90
    fair: int = 70
    average: int = 50

    def __post_init__(self) -> None:
        if not 0 <= self.average < self.fair < self.good <= 100:
            raise InvalidValue(
                "Ngưỡng điểm phải thỏa 0 ≤ Trung bình < Khá < Tốt ≤ 100",
                "thresholds must satisfy 0 ≤ average < fair < good ≤ 100",
            )


GROUPS = ("attendance", "preparation", "conduct", "principles", "implementation")
"""The five criteria groups, in the order of HD 12."""


@dataclass(frozen=True, slots=True)
class QualityWeights:
    """What each criteria group is worth out of 100 (a province setting, dated).

    Equal weights (20 each) make the weighted score the plain sum. A province that assesses
    four groups gives the fifth a weight of 0, e.g. 15/20/45/20/0 [U: per province]."""

    attendance: int = 20
    preparation: int = 20
    conduct: int = 20
    principles: int = 20
    implementation: int = 20

    def __post_init__(self) -> None:
        values = [getattr(self, name) for name in GROUPS]
        if any(not 0 <= v <= 100 for v in values) or sum(values) != 100:
            raise InvalidWeights(
                f"Trọng số các nhóm tiêu chí phải từ 0 đến 100 và cộng lại bằng 100 "
                f"(đang là {sum(values)})",
                f"the criteria groups' weights must each be 0..100 and add up to 100 "
                f"(they add up to {sum(values)})",
                field="weights",
            )


def weighted_total(scores: QualityScores, weights: QualityWeights) -> float:
    """The score out of 100: each group's share of its 20 points, times its weight."""
    points: float = sum(
        int(getattr(scores, name)) * int(getattr(weights, name)) / GROUP_MAX_POINTS
        for name in GROUPS
    )
    return round(points, 1)


@dataclass(frozen=True, slots=True)
class QualityScores:
    """Points per criteria group (nhóm tiêu chí), each 0..20."""

    attendance: int  # 1. tỷ lệ dự họp, không vắng không lý do
    preparation: int  # 2. chuẩn bị: họp chi ủy, gửi tài liệu trước
    conduct: int  # 3. tiến hành: đúng giờ, đủ nội dung, nhiều ý kiến, đủ thời gian, biên bản
    principles: int  # 4. nguyên tắc: tập trung dân chủ, tự phê bình và phê bình
    implementation: int  # 5. thực hiện nghị quyết kỳ trước

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0 <= value <= GROUP_MAX_POINTS:
                raise ScoreOutOfRange(
                    f"Điểm nhóm tiêu chí phải từ 0 đến {GROUP_MAX_POINTS}",
                    f"{f.name} must be between 0 and {GROUP_MAX_POINTS}",
                    field=f.name,
                    value=value,
                )

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


def rate(total: float, thresholds: QualityThresholds) -> Rating:
    """The rating for ``total`` points on the province's thresholds."""
    if total >= thresholds.good:
        return Rating.TOT
    if total >= thresholds.fair:
        return Rating.KHA
    if total >= thresholds.average:
        return Rating.TRUNG_BINH
    return Rating.KEM


@dataclass(frozen=True, slots=True)
class QualityEvidence:
    """Facts the log already holds for the criteria groups; shown beside the scoring form."""

    members: int
    present: int
    unexcused: int
    premeeting_held: bool
    minutes_length: int | None
    speakers: int
    opinions: int
    minutes_approved: bool

    @property
    def attendance_rate(self) -> float:
        return self.present / self.members if self.members else 0.0

    @property
    def attendance_criterion_met(self) -> bool:
        """Above 85% present and no unexcused absence (criterion 1, in part: the streak of
        absences over several meetings is judged by the reports, not by one meeting)."""
        return self.attendance_rate > MIN_ATTENDANCE_RATE and self.unexcused == 0

    @property
    def long_enough(self) -> bool | None:
        """``None`` when the meeting has no recorded end yet."""
        return None if self.minutes_length is None else self.minutes_length >= MIN_MINUTES


def upcast_assessment_v1_v2(state: dict[str, Any]) -> None:
    """A ``Meeting.QualityAssessed`` stored before weights existed (v1): equal weights, so its
    weighted score is the plain sum; no rule set, warnings or reason were recorded then."""
    state["weights"] = dict.fromkeys(GROUPS, 20)
    state["weighted_total"] = float(sum(state["scores"].values()))
    state["rule_code"] = ""
    state["warnings"] = []
    state["reason"] = ""
    state["combined_session"] = False
