"""Quality assessment of a meeting (đánh giá chất lượng sinh hoạt chi bộ), HD 12 / HD 42.

The chair scores five criteria groups; the total gives one of four ratings on thresholds each
province sets (``domain.province.QualityThresholds``, e.g. 90/70/50). The evidence the system
already knows (attendance rate, unexcused absences, pre-meeting, length, speakers) is computed
here too, so the cell scores against facts instead of from memory.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum

from domain.base import InvalidValue
from domain.province import QualityThresholds

GROUP_MAX_POINTS = 20
"""Each of the five groups is worth 20 of 100 points [U: provinces may weight them differently]."""

MIN_ATTENDANCE_RATE = 0.85
"""Criterion 1: more than 85% of members present (HD 12-HD/BTCTW)."""

MIN_MINUTES = 90
"""Minimum length of a meeting (HD 42-HD/BTCTW 2025); 120 when regular and thematic combine."""


class Rating(str, Enum):
    """The four quality levels (mức chất lượng)."""

    TOT = "tot"  # Tốt
    KHA = "kha"  # Khá
    TRUNG_BINH = "trung_binh"  # Trung bình
    KEM = "kem"  # Kém


class ScoreOutOfRange(InvalidValue):
    code = "score_out_of_range"


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


def rate(total: int, thresholds: QualityThresholds) -> Rating:
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
