"""Vietnamese words for every code a person reads in a document or an export.

A code (``trung_binh``, ``on_time``, ``show_of_hands``) never reaches paper: every renderer
and export goes through :func:`label`, which falls back to the code itself only for a value
nobody has named yet (and a test checks that every enum of the domain is named here).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from domain.attendance_plan import AssigneeRole, AssignmentState
from domain.attendance_plan_values import ASSIGNMENT_STATE_LABELS
from domain.meeting_values import AttendanceMark, MeetingKind
from domain.member import MemberStatus
from domain.org_unit import LEVEL_LABELS, Level
from domain.petition import (
    COMPETENT_LEVEL_LABELS,
    PETITION_STATE_LABELS,
    CompetentLevel,
    PetitionState,
)
from domain.quality import Rating
from domain.voting import MotionKind, MotionResult, VoteChoice, VotingMethod
from projections import audit_labels

RATING = audit_labels.RATING
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
    MotionKind.EXPULSION: "kỷ luật khai trừ",
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

LEVEL = LEVEL_LABELS
ASSIGNEE_ROLE = {
    AssigneeRole.PROVINCIAL_COMMITTEE_MEMBER: "tỉnh ủy viên",
    AssigneeRole.COMMITTEE_MEMBER: "cấp ủy viên",
    AssigneeRole.STAFF: "cán bộ các ban",
}
ASSIGNMENT_STATE = ASSIGNMENT_STATE_LABELS
COMPETENT_LEVEL = COMPETENT_LEVEL_LABELS
PETITION_STATE = PETITION_STATE_LABELS
MEMBER_STATUS = {MemberStatus.OFFICIAL: "chính thức", MemberStatus.PROBATIONARY: "dự bị"}

BY_ENUM: dict[type[Enum], dict[Any, str]] = {
    Rating: RATING,
    AttendanceMark: ATTENDANCE,
    MeetingKind: MEETING_KIND,
    MotionKind: MOTION_KIND,
    VotingMethod: METHOD,
    MotionResult: RESULT,
    VoteChoice: CHOICE,
    Level: LEVEL,
    AssigneeRole: ASSIGNEE_ROLE,
    AssignmentState: ASSIGNMENT_STATE,
    CompetentLevel: COMPETENT_LEVEL,
    PetitionState: PETITION_STATE,
    MemberStatus: MEMBER_STATUS,
}

CODES = {
    # meeting status in the per-level view and the lists (trạng thái sinh hoạt)
    **{k.value: v for table in BY_ENUM.values() for k, v in table.items()},
}
CODES.update(
    {
        "on_time": "đúng hạn",
        "late": "muộn",
        "missing": "thiếu",
        "pending": "chưa đến hạn",
        "not_held": "chưa tổ chức",
        "not_attended": "chưa dự",
        "missed": "không dự được",
    }
)
"""Every code by its string value, for exports that hold plain strings (the lists' own codes
win over an enum value spelt the same, e.g. ``missed``)."""


COLUMN_ENUMS: dict[str, type[Enum]] = {
    "level": Level,
    "competent_level": CompetentLevel,
    "role": AssigneeRole,
    "rating": Rating,
    "kind": MeetingKind,
    "mark": AttendanceMark,
    "member_status": MemberStatus,
}
"""Columns whose codes belong to one enum: "cell" is a level in one column, a competence in
another, so a column is translated by its own enum before the shared table."""


def column_label(column: str, value: object) -> object:
    """A cell of an export: a code of the column's enum or a known code in Vietnamese."""
    enum = COLUMN_ENUMS.get(column)
    if enum is not None and isinstance(value, str):
        try:
            return label(enum(value))
        except ValueError:
            pass
    if isinstance(value, str) and value in CODES:
        return CODES[value]
    return value


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
