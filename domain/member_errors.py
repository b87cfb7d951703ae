"""Why a step on a party member's record (đảng viên) is refused: a member who has left, an
exemption or suspension already in force or not, a removal ground not met (xóa tên), a late
transfer letter, special duty (nhiệm vụ đặc biệt) and temporary transfer (sinh hoạt tạm thời).

The steps live in ``domain.member``, ``domain.lifecycle``, ``domain.special_duty`` and
``domain.temporary_transfer``; each class keeps the stable ``code`` clients see.
"""

from __future__ import annotations

from domain.base import InvalidValue, RuleViolated, StateConflict


class MemberHasLeft(StateConflict):
    code = "member_has_left"


class AlreadyInThatCell(StateConflict):
    code = "already_in_that_cell"


class AlreadyExempted(StateConflict):
    code = "already_exempted"


class NotExempted(StateConflict):
    code = "not_exempted"


class InvalidBirthDate(InvalidValue):
    code = "invalid_birth_date"


class AlreadyOfficial(StateConflict):
    code = "already_official"


class AlreadySuspended(StateConflict):
    code = "already_suspended"


class NotSuspended(StateConflict):
    code = "not_suspended"


class RemovalGroundNotMet(RuleViolated):
    code = "removal_ground_not_met"


class LetterOverdueNeedsReason(RuleViolated):
    code = "letter_overdue_needs_reason"


class InvalidProvince(InvalidValue):
    code = "invalid_province"


class AlreadyOnSpecialDuty(StateConflict):
    code = "already_on_special_duty"


class NotOnSpecialDuty(StateConflict):
    code = "not_on_special_duty"


class HostIsHomeCell(InvalidValue):
    code = "host_is_home_cell"


class AlreadyTransferredTemporarily(StateConflict):
    code = "already_transferred_temporarily"


class NotTransferredTemporarily(StateConflict):
    code = "not_transferred_temporarily"
