"""Motions and votes at a cell meeting (biểu quyết): proposing, named ballots, counts, decisions.

A mixin of ``domain.meeting.Meeting``, kept apart so the aggregate's module stays short (like
``domain.meeting_corrections``). The events stay nested in ``Meeting`` (their topics are stored
in the log); the mixin refers to them through ``self``. The rules are in
``domain.meeting_vote_checks``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain import meeting_checks as check
from domain import meeting_vote_checks as vote
from domain.base import Actor, require_text
from domain.meeting_state import MeetingState
from domain.rules import RULES, RuleBook
from domain.voting import Motion, MotionKind, MotionResult, VoteChoice, VotingMethod


class MeetingMotions(MeetingState):
    """The voting commands of a meeting in progress."""

    if TYPE_CHECKING:
        MotionProposed: ClassVar[type[Any]]
        BallotCast: ClassVar[type[Any]]
        MotionDecided: ClassVar[type[Any]]

        def _record(self, event_class: type[Any], by: Actor, **kwargs: Any) -> None: ...

    def propose_motion(
        self, motion_id: UUID, kind: MotionKind, title: str, subject_id: UUID | None, by: Actor
    ) -> None:
        check.in_progress(self)
        vote.new_motion(self, motion_id, kind, subject_id)
        title = require_text(title, "title", "Nội dung biểu quyết")
        self._record(
            self.MotionProposed,
            by,
            motion_id=motion_id,
            kind=kind,
            title=title,
            subject_id=subject_id,
        )

    def cast_ballot(self, motion_id: UUID, member_id: UUID, choice: VoteChoice, by: Actor) -> None:
        """A named vote of one member (biểu quyết ghi danh)."""
        motion = vote.open_motion(self, motion_id, VotingMethod.ROLL_CALL)
        vote.ballot(self, motion, member_id)
        self._record(self.BallotCast, by, motion_id=motion_id, member_id=member_id, choice=choice)

    def count_ballots(self, motion_id: UUID, by: Actor, rules: RuleBook = RULES) -> MotionResult:
        """Close a roll-call vote and decide on its ballots."""
        motion = vote.open_motion(self, motion_id, VotingMethod.ROLL_CALL)
        vote.has_ballots(motion)
        return self._decide(motion, VotingMethod.ROLL_CALL, motion.count_ballots(), by, rules)

    def record_tally(
        self,
        motion_id: UUID,
        method: VotingMethod,
        votes_for: int,
        against: int,
        abstain: int,
        by: Actor,
        rules: RuleBook = RULES,
    ) -> MotionResult:
        """A whole count at once: show of hands or a counted secret ballot."""
        vote.tally(self, votes_for, against, abstain, method)
        motion = vote.open_motion(self, motion_id, method)
        return self._decide(motion, method, (votes_for, against, abstain), by, rules)

    def _decide(
        self,
        motion: Motion,
        method: VotingMethod,
        counts: tuple[int, int, int],
        by: Actor,
        rules: RuleBook,
    ) -> MotionResult:
        """Judged on the legal base by the thresholds of the rule set in force that day."""
        facts = vote.decision(self, motion, method, counts, rules)
        self._record(self.MotionDecided, by, **facts)
        result: MotionResult = facts["result"]
        return result
