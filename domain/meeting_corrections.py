"""Corrections after a meeting is closed (đính chính): each is a new event with its reason.

A mixin of ``domain.meeting.Meeting``, kept apart so the aggregate's module stays short. The
events themselves stay nested in ``Meeting`` (their topics are stored in the log); the mixin
refers to them through ``self``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain import meeting_checks as check
from domain import meeting_vote_checks as vote
from domain.base import Actor, require_text
from domain.meeting_state import MeetingState
from domain.meeting_values import AttendanceEntry
from domain.rules import RULES, RuleBook
from domain.voting import MotionResult


class MeetingCorrections(MeetingState):
    """The correction commands of a closed meeting."""

    if TYPE_CHECKING:
        AttendanceCorrected: ClassVar[type[Any]]
        TallyCorrected: ClassVar[type[Any]]
        MinutesCorrected: ClassVar[type[Any]]
        SelfCriticismCorrected: ClassVar[type[Any]]

        def _record(self, event_class: type[Any], by: Actor, **kwargs: Any) -> None: ...

    # -- commands: corrections after closing (đính chính), each with its reason -----------

    def correct_attendance(
        self, entries: Iterable[AttendanceEntry], reason: str, by: Actor
    ) -> None:
        reason = check.correction(self, reason)
        fixed = check.attendance(self, entries)
        check.changes_something(any(self.attendance.get(e.member_id) != e.mark for e in fixed))
        self._record(self.AttendanceCorrected, by, entries=fixed, reason=reason)

    def correct_tally(
        self,
        motion_id: UUID,
        votes_for: int,
        against: int,
        abstain: int,
        reason: str,
        by: Actor,
        rules: RuleBook = RULES,
    ) -> MotionResult:
        """Fix a miscounted vote; the result is judged again on the base stored at the vote."""
        counts = (votes_for, against, abstain)
        facts = vote.tally_correction(self, motion_id, counts, reason, rules)
        self._record(self.TallyCorrected, by, **facts)
        result: MotionResult = facts["result"]
        return result

    def correct_minutes(self, text: str, reason: str, by: Actor) -> None:
        reason = check.correction(self, reason)
        text = require_text(text, "text", "Biên bản", 100_000)
        check.changes_something(text != self.minutes)
        self._record(self.MinutesCorrected, by, text=text, reason=reason)

    def correct_self_criticism(self, member_id: UUID, reason: str, by: Actor) -> None:
        """After closing, a self-criticism missing from the record (issue 12 §5): the member
        was present and is not recorded yet; the correction carries its reason."""
        reason = check.correction(self, reason)
        check.self_criticism(self, member_id)
        self._record(self.SelfCriticismCorrected, by, member_id=member_id, reason=reason)
