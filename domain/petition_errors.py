"""The refusals of ``domain.petition``: a petition (kiến nghị) without its source, a step
out of order, the wrong level, a reopening by another cell."""

from __future__ import annotations

from domain.base import InvalidValue, RuleViolated, StateConflict


class PetitionNeedsSource(InvalidValue):
    code = "petition_needs_source"


class PetitionStepOutOfOrder(StateConflict):
    """The petition is not in a state where this step of its path can happen."""

    code = "petition_step_out_of_order"


class ForwardedToWrongLevel(RuleViolated):
    code = "forwarded_to_wrong_level"


class OnlyOriginatingCellMayReopen(RuleViolated):
    code = "only_originating_cell_may_reopen"
