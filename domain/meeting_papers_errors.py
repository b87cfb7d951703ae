"""``domain.meeting_papers`` refuses these: papers locked at the meeting, one twice, an unknown
one, a correction without its reason."""

from __future__ import annotations

from domain.base import NotFound, RuleViolated, StateConflict


class PapersLocked(StateConflict):
    """The meeting has opened: papers are locked; a replacement needs a reason."""

    code = "papers_locked"


class DuplicatePaper(StateConflict):
    code = "duplicate_paper"


class UnknownPaper(NotFound):
    code = "unknown_paper"


class CorrectionNeedsReason(RuleViolated):
    code = "correction_needs_reason"
