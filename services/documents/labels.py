"""Vietnamese words for every code a person reads in a document or an export.

A code (``trung_binh``, ``on_time``, ``show_of_hands``) never reaches paper: every renderer
and export goes through :func:`label`, which falls back to the code itself only for a value
nobody has named yet (and a test checks that every enum of the domain is named here).
"""

from __future__ import annotations

from enum import Enum

from domain.meeting_rules import AttendanceMark, MeetingKind
from domain.quality import Rating
from domain.voting import MotionKind, MotionResult, VoteChoice, VotingMethod

RATING = {
    Rating.TOT: "Tốt",
    Rating.KHA: "Khá",
    Rating.TRUNG_BINH: "Trung bình",
    Rating.KEM: "Kém",
}
ATTENDANCE = {
    AttendanceMark.PRESENT: "có mặt",
    AttendanceMark.EXCUSED: "vắng có lý do",
    AttendanceMark.UNEXCUSED: "vắng không lý do",
}
MEETING_KIND = {
    MeetingKind.REGULAR: "thường kỳ",
    MeetingKind.THEMATIC: "chuyên đề",
    MeetingKind.EXTRAORDINARY: "bất thường",
    MeetingKind.COMMITTEE_PREMEETING: "họp chi ủy",
}
MOTION_KIND = {
    MotionKind.GENERAL: "nghị quyết, chủ trương",
    MotionKind.ADMISSION: "kết nạp đảng viên",
    MotionKind.RECOGNITION: "công nhận đảng viên chính thức",
    MotionKind.MINUTES: "thông qua biên bản",
    MotionKind.DISCIPLINE: "kỷ luật đảng viên",
}
METHOD = {
    VotingMethod.SHOW_OF_HANDS: "giơ tay",
    VotingMethod.SECRET_BALLOT: "bỏ phiếu kín",
    VotingMethod.ROLL_CALL: "biểu quyết ghi danh",
}
RESULT = {MotionResult.PASSED: "thông qua", MotionResult.FAILED: "không thông qua"}
CHOICE = {
    VoteChoice.FOR: "tán thành",
    VoteChoice.AGAINST: "không tán thành",
    VoteChoice.ABSTAIN: "không biểu quyết",
}

BY_ENUM: dict[type[Enum], dict] = {  # type: ignore[type-arg]
    Rating: RATING,
    AttendanceMark: ATTENDANCE,
    MeetingKind: MEETING_KIND,
    MotionKind: MOTION_KIND,
    VotingMethod: METHOD,
    MotionResult: RESULT,
    VoteChoice: CHOICE,
}

CODES = {
    # meeting status in the per-level view and the lists (trạng thái sinh hoạt)
    "on_time": "đúng hạn",
    "late": "muộn",
    "missing": "thiếu",
    "held": "đã họp",
    "scheduled": "đã lên lịch",
    "open": "đang họp",
    "closed": "đã kết thúc",
    "official": "chính thức",
    "probationary": "dự bị",
    **{k.value: v for table in BY_ENUM.values() for k, v in table.items()},
}
"""Every code by its string value, for exports that hold plain strings."""


def label(value: object) -> str:
    """The Vietnamese word for an enum member or a code string; other values as text."""
    if isinstance(value, Enum):
        table = BY_ENUM.get(type(value))
        if table is not None and value in table:
            return str(table[value])
        value = value.value
    if isinstance(value, str):
        return str(CODES.get(value, value))
    return "" if value is None else str(value)
