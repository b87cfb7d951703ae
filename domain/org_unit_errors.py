"""Refusals of the organisation tree (tổ chức đảng: tỉnh, cơ sở, chi bộ) by ``domain.org_unit``."""

from __future__ import annotations

from domain.base import InvalidValue, RuleViolated, StateConflict


class LevelDoesNotFitParent(RuleViolated):
    code = "level_does_not_fit_parent"


class MoveWouldCreateCycle(RuleViolated):
    code = "move_would_create_cycle"


class UnitIsDissolved(StateConflict):
    code = "unit_is_dissolved"


class UnitStillHasChildren(StateConflict):
    code = "unit_still_has_children"


class UnitStillHasMembers(StateConflict):
    code = "unit_still_has_members"


class NotACell(RuleViolated):
    code = "not_a_cell"


class InvalidMeetingWindow(InvalidValue):
    code = "invalid_meeting_window"
