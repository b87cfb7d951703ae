"""Who may not vote, and which counts are impossible (biểu quyết).

``domain.voting`` decides; ``domain.meeting_vote_checks`` applies it at a meeting. The HTTP
status follows the base class (``services.errors``).
"""

from __future__ import annotations

from domain.base import InvalidValue, NotFound, RuleViolated, StateConflict


class MemberNotOnMeetingRoster(NotFound):
    code = "member_not_on_meeting_roster"


class ProbationaryMemberCannotVote(RuleViolated):
    code = "probationary_member_cannot_vote"


class SuspendedMemberCannotVote(RuleViolated):
    code = "suspended_member_cannot_vote"


class TemporaryMemberCannotVote(RuleViolated):
    code = "temporary_member_cannot_vote"


class TransferredMemberCannotVote(RuleViolated):
    code = "transferred_member_cannot_vote"


class AbsentMemberCannotVote(RuleViolated):
    code = "absent_member_cannot_vote"


class MemberAlreadyVoted(StateConflict):
    code = "member_already_voted"


class MoreVotesThanMembersPresent(RuleViolated):
    code = "more_votes_than_members_present"


class NegativeVoteCount(InvalidValue):
    code = "negative_vote_count"
