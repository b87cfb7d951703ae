"""Value types of an admission case (hồ sơ kết nạp đảng viên): schooling, papers, introductions.

Shared by ``domain.admission`` (the aggregate and its events) and ``domain.admission_checks``.
Events carry them as plain fields, so they may move between modules without touching the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.voting import MotionKind, MotionResult


class Education(str, Enum):
    """Highest schooling of the applicant (trình độ học vấn)."""

    BELOW_LOWER_SECONDARY = "below_lower_secondary"  # chưa tốt nghiệp THCS
    LOWER_SECONDARY_EQUIVALENT = "lower_secondary_equivalent"  # tương đương THCS
    LOWER_SECONDARY = "lower_secondary"  # tốt nghiệp trung học cơ sở
    UPPER_SECONDARY = "upper_secondary"  # tốt nghiệp trung học phổ thông
    HIGHER = "higher"  # trung cấp, cao đẳng, đại học trở lên


class DossierItem(str, Enum):
    """Papers of step 3, in the order they are made."""

    APPLICATION = "application"  # đơn xin vào Đảng
    CV = "cv"  # lý lịch của người xin vào Đảng
    BACKGROUND_CHECK = "background_check"  # thẩm tra, xác minh lý lịch


DOSSIER_NAMES = {
    DossierItem.APPLICATION: ("Đơn xin vào Đảng", "the application"),
    DossierItem.CV: ("Lý lịch của người xin vào Đảng", "the CV"),
    DossierItem.BACKGROUND_CHECK: ("Kết quả thẩm tra lý lịch", "the background verification"),
}


class IntroductionBasis(str, Enum):
    """How an introducer knows the applicant (cùng … ít nhất 12 tháng)."""

    WORK = "work"  # cùng công tác, lao động
    STUDY = "study"  # cùng học tập
    RESIDENCE = "residence"  # cùng sinh hoạt nơi cư trú (QĐ 24 trở đi)


class IntroducingOrganisation(str, Enum):
    YOUTH_UNION = "youth_union"  # Ban chấp hành Đoàn cơ sở
    TRADE_UNION = "trade_union"  # Ban chấp hành Công đoàn cơ sở


class RecognitionOutcome(str, Enum):
    """Result of one recognition vote (biểu quyết công nhận đảng viên chính thức)."""

    PROPOSE_RECOGNITION = "propose_recognition"  # ≥ 2/3 đồng ý công nhận
    PROPOSE_REMOVAL = "propose_removal"  # ≥ 2/3 đề nghị xóa tên
    INCONCLUSIVE = "inconclusive"  # không đủ 2/3 bên nào
    ESCALATED = "escalated"  # lần thứ ba vẫn không đủ 2/3: cấp trên quyết định


CELL_ROLES = frozenset({"secretary", "tenant_admin", "system"})
"""Who records the cell's steps: the secretary's office (bí thư, chi ủy); domain.user.Role values."""
COMMITTEE_ROLES = frozenset({"superior_member", "tenant_admin", "system"})
"""Who records committee votes and decisions: members and staff of the superior committee."""


@dataclass(frozen=True, slots=True)
class MotionFacts:
    """What the meeting says about a vote: read from domain.meeting.Meeting by the service."""

    meeting_id: UUID
    motion_id: UUID
    cell_id: UUID
    held_on: date
    kind: MotionKind
    subject_id: UUID | None
    result: MotionResult | None
    """``None`` while the motion is not decided."""
    votes_for: int
    votes_against: int
    official_members: int
    """The legal base the meeting stored: the cell's official members on the day, less the
    exclusions of the two-thirds base (Charter art. 9.5, art. 4)."""

    def cited(self) -> dict[str, Any]:
        """What a vote event of the case records of the motion: which it was, the day it was
        held, the votes for it and the base they are counted against."""
        return {
            "meeting_id": self.meeting_id,
            "motion_id": self.motion_id,
            "held_on": self.held_on,
            "votes_for": self.votes_for,
            "official_members": self.official_members,
        }


def member_id_for(case_id: UUID) -> UUID:
    """The member created at the ceremony gets an id derived from the case: found without lookup."""
    return uuid5(NAMESPACE_URL, f"chibo:admission-member:{case_id}")
