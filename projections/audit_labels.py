"""Vietnamese words for the codes an audit sentence would otherwise show (issue 12 §5).

An event stores its enums as codes (``kha``, ``passed``, ``enrolled_official``); the audit
trail's sentence is read by an inspector, so a phrase's coded field, and a ``reason`` that is a
code, go through these tables. ``CODED`` names each (event kind, field) whose value is a code;
``tests/unit/test_audit_phrases.py`` renders every event kind with every value of its enums and
fails on any code left in a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from domain.member import DEPARTURE_LABELS
from domain.quality import Rating
from domain.roster import Change
from domain.rotation import CarryReason
from domain.voting import MotionResult

RATING = {
    Rating.TOT: "Tốt",
    Rating.KHA: "Khá",
    Rating.TRUNG_BINH: "Trung bình",
    Rating.KEM: "Kém",
}
RESULT = {MotionResult.PASSED: "được thông qua", MotionResult.FAILED: "không được thông qua"}
DEPARTURE = DEPARTURE_LABELS
ROSTER_CHANGE = {
    Change.ENROLLED_PROBATIONARY: "vào danh sách, đảng viên dự bị",
    Change.ENROLLED_OFFICIAL: "vào danh sách, đảng viên chính thức",
    Change.RECOGNISED: "công nhận đảng viên chính thức",
    Change.EXEMPTED: "miễn sinh hoạt",
    Change.EXEMPTION_ENDED: "hết miễn sinh hoạt",
    Change.SUSPENDED: "đình chỉ sinh hoạt",
    Change.SUSPENSION_ENDED: "hết đình chỉ sinh hoạt",
    Change.LEFT: "ra khỏi danh sách",
    Change.TRANSFERRED_TEMPORARILY: "đi sinh hoạt tạm thời nơi khác",
    Change.TEMPORARY_TRANSFER_ENDED: "trở về sinh hoạt sau thời gian sinh hoạt tạm thời",
    Change.TEMPORARY_JOINED_OFFICIAL: "đến sinh hoạt tạm thời, đảng viên chính thức",
    Change.TEMPORARY_JOINED_PROBATIONARY: "đến sinh hoạt tạm thời, đảng viên dự bị",
    Change.TEMPORARY_LEFT: "hết sinh hoạt tạm thời",
    Change.SPECIAL_DUTY: "làm nhiệm vụ đặc biệt (lực lượng vũ trang)",
    Change.SPECIAL_DUTY_ENDED: "kết thúc nhiệm vụ đặc biệt",
}
E = TypeVar("E", bound=Enum)

CARRY = {
    CarryReason.ABSENT: "vắng mặt",
    CarryReason.EXEMPTED: "được miễn sinh hoạt",
    CarryReason.NOT_TAKEN: "có mặt nhưng chưa thực hiện",
}


def _by_value(table: Mapping[E, str]) -> dict[str, str]:
    return {code.value: text for code, text in table.items()}


CODED: dict[tuple[str, str], dict[str, str]] = {
    ("Meeting.QualityAssessed", "rating"): _by_value(RATING),
    ("Meeting.MotionDecided", "result"): _by_value(RESULT),
    ("Meeting.TallyCorrected", "result"): _by_value(RESULT),
    ("Member.Departed", "reason"): _by_value(DEPARTURE),
    ("CellRoster.Changed", "change"): _by_value(ROSTER_CHANGE),
    ("RotationSchedule.TurnCarried", "reason"): _by_value(CARRY),
    ("QualityBallot.Voted", "rating"): _by_value(RATING),
    ("QualityBallot.Confirmed", "rating"): _by_value(RATING),
}
"""(kind, field) → code → words; a kind's ``reason`` here is a code, not a person's text."""
