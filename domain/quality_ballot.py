"""The post-meeting quality ballot (biểu quyết mức chất lượng) and the superior's confirmation.

Seed 000: most cells skip it. After the chair's assessment the members present vote on the
proposed rating by show of hands; the superior committee member attending the meeting
(cấp ủy viên cấp trên dự sinh hoạt) then confirms it, as the provinces' rules say
[C issue 12 §4; U: who votes and the share, so they are dated data in the quality rule set of
the meeting's day (``QualityRuleSet.ballot_voters``, ``ballot_share``: the official members
present, more than half of them, in every set so far)].

One record per meeting (its id derives from the meeting's), kept apart from the meeting so a
late confirmation by the superior does not reopen a closed meeting. A new assessment after a
ballot needs a new ballot: the ballot records the rating it was about.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Actor, ChiboAggregate
from domain.member import MemberStatus
from domain.quality import Rating
from domain.quality_errors import (
    BallotCountsExceedVoters,
    ConfirmerNotAttendingSuperior,
    QualityAlreadyConfirmed,
    QualityBallotMissing,
    QualityBallotOutdated,
    QualityBallotRejected,
    QualityNotAssessed,
)
from domain.rules import QualityRuleSet
from domain.voting import RosterEntry


def voters(rules: QualityRuleSet, roster: Iterable[RosterEntry], present: Set[UUID]) -> int:
    """Who may vote on the rating under ``rules``: the cell's own members present (a temporary
    member votes in their home cell), official only unless the rule says every member."""
    everyone = rules.ballot_voters == "present"
    return sum(
        1
        for e in roster
        if e.member_id in present
        and not e.temporary
        and (everyone or e.status is MemberStatus.OFFICIAL)
    )


def ballot_id(meeting_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"chibo:quality-ballot:{meeting_id}")


class QualityBallot(ChiboAggregate):
    """The members' vote on a meeting's proposed rating, and who confirmed it."""

    class Opened(ChiboAggregate.Created):
        meeting_id: UUID
        cell_id: UUID

    class Voted(ChiboAggregate.Event):
        class_version = 2
        rating: Rating
        voters: int
        votes_for: int
        against: int
        abstain: int
        agreed: bool
        rule_code: str
        """The quality rule set that said who votes and the share (``domain.rules``)."""

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["rule_code"] = ""  # before the rule was data: official members, over half

        def apply(self, b: QualityBallot) -> None:
            b.rating, b.voters, b.agreed = self.rating, self.voters, self.agreed
            b.counts = (self.votes_for, self.against, self.abstain)
            b.confirmed_by = None

    class Confirmed(ChiboAggregate.Event):
        guest_id: UUID
        guest_name: str
        rating: Rating

        def apply(self, b: QualityBallot) -> None:
            b.confirmed_by = self.guest_name
            b.confirmed_rating = self.rating

    def __init__(self, meeting_id: UUID, cell_id: UUID) -> None:
        self.meeting_id = meeting_id
        self.cell_id = cell_id
        self.rating: Rating | None = None
        self.voters = 0
        self.counts = (0, 0, 0)
        self.agreed = False
        self.confirmed_by: str | None = None
        self.confirmed_rating: Rating | None = None

    @classmethod
    def open(cls, meeting_id: UUID, cell_id: UUID, by: Actor) -> QualityBallot:
        return cls._found(
            cls.Opened, by, ballot_id(meeting_id), meeting_id=meeting_id, cell_id=cell_id
        )

    def vote(
        self,
        rating: Rating | None,
        voters: int,
        counts: tuple[int, int, int],
        rules: QualityRuleSet,
        by: Actor,
    ) -> bool:
        """Record the show of hands on ``rating`` among ``voters`` members present (counted by
        :func:`voters` under the same ``rules``), agreed with more than their share."""
        if rating is None:
            raise QualityNotAssessed(
                "Chưa có đánh giá chất lượng để biểu quyết",
                "there is no quality assessment to vote on yet",
            )
        if self.confirmed_by is not None and self.rating is rating:
            raise QualityAlreadyConfirmed(
                f"Mức chất lượng đã được {self.confirmed_by} xác nhận",
                f"the rating was already confirmed by {self.confirmed_by}",
            )
        votes_for, against, abstain = counts
        if min(counts) < 0 or sum(counts) > voters:
            raise BallotCountsExceedVoters(
                f"Tổng số phiếu ({sum(counts)}) vượt số đảng viên chính thức có mặt ({voters})",
                f"the votes ({sum(counts)}) exceed the official members present ({voters})",
                voters=voters,
            )
        part, whole = rules.ballot_share
        agreed = votes_for * whole > voters * part
        self._record(
            self.Voted,
            by,
            rating=rating,
            voters=voters,
            votes_for=votes_for,
            against=against,
            abstain=abstain,
            agreed=agreed,
            rule_code=rules.code,
        )
        return agreed

    def confirm(
        self, rating: Rating | None, guest_id: UUID, superiors: dict[UUID, str], by: Actor
    ) -> None:
        """The attending superior (a guest of the meeting marked superior) confirms."""
        if self.rating is None:
            raise QualityBallotMissing(
                "Chi bộ chưa biểu quyết mức chất lượng", "the cell has not voted on the rating"
            )
        if rating is not self.rating:
            raise QualityBallotOutdated(
                "Đánh giá đã thay đổi sau khi biểu quyết; hãy biểu quyết lại",
                "the assessment changed after the ballot; vote again",
            )
        if not self.agreed:
            raise QualityBallotRejected(
                "Chi bộ không tán thành mức đề xuất; hãy đánh giá và biểu quyết lại",
                "the cell did not agree with the proposed rating; assess and vote again",
            )
        if self.confirmed_by is not None:
            raise QualityAlreadyConfirmed(
                f"Mức chất lượng đã được {self.confirmed_by} xác nhận",
                f"the rating was already confirmed by {self.confirmed_by}",
            )
        name = superiors.get(guest_id)
        if name is None:
            raise ConfirmerNotAttendingSuperior(
                "Người xác nhận phải là cấp ủy viên cấp trên dự buổi sinh hoạt",
                "the confirmer must be a superior committee member attending the meeting",
                guest_id=str(guest_id),
            )
        self._record(self.Confirmed, by, guest_id=guest_id, guest_name=name, rating=rating)
