"""Votes (biểu quyết) at a cell meeting: who may vote, on which base, and when a motion passes.

Only official members who are present may vote (Charter art. 3). The result is judged on a legal
base of official members, never on the members present (Charter art. 9.5; QĐ 24 and QĐ 294
§9.3.2, "hội nghị đảng viên"): each member left out of the base is named with the reason.
Admission, recognition (Charter art. 4, 5) and expulsion (QĐ 69 art. 15) need two thirds of the
cell's official members and concern one person each. These rules live in plain functions so the
Meeting aggregate, the admission case and reports judge alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from uuid import UUID

from domain.member import MemberStatus
from domain.roster import Standing
from domain.rules import RuleSet
from domain.voting_errors import (
    AbsentMemberCannotVote,
    MemberNotOnMeetingRoster,
    MoreVotesThanMembersPresent,
    NegativeVoteCount,
    ProbationaryMemberCannotVote,
    SuspendedMemberCannotVote,
    TemporaryMemberCannotVote,
    TransferredMemberCannotVote,
)


class Threshold(str, Enum):
    """How many of the legal base must vote for (ngưỡng biểu quyết)."""

    MAJORITY = "majority"  # quá nửa
    TWO_THIRDS = "two_thirds"  # ít nhất hai phần ba


class MotionKind(str, Enum):
    """What a motion (vấn đề biểu quyết) decides."""

    GENERAL = "general"  # nghị quyết, chủ trương thông thường
    ADMISSION = "admission"  # kết nạp đảng viên
    RECOGNITION = "recognition"  # công nhận đảng viên chính thức
    MINUTES = "minutes"  # thông qua biên bản
    DISCIPLINE = "discipline"  # kỷ luật đảng viên (khiển trách, cảnh cáo, cách chức)
    EXPULSION = "expulsion"  # kỷ luật khai trừ: ≥ 2/3 đảng viên chính thức (QĐ 69 điều 15)

    @property
    def needs_two_thirds(self) -> bool:
        return self.threshold is Threshold.TWO_THIRDS

    @property
    def threshold(self) -> Threshold:
        if self in (MotionKind.ADMISSION, MotionKind.RECOGNITION, MotionKind.EXPULSION):
            return Threshold.TWO_THIRDS
        return Threshold.MAJORITY

    @property
    def needs_subject(self) -> bool:
        """Admission, recognition and discipline are taken one person at a time."""
        return self in (
            MotionKind.ADMISSION,
            MotionKind.RECOGNITION,
            MotionKind.DISCIPLINE,
            MotionKind.EXPULSION,
        )

    @property
    def needs_secret_ballot(self) -> bool:
        """Disciplinary votes are by secret ballot (QĐ 69-QĐ/TW; bỏ phiếu kín)."""
        return self in (MotionKind.DISCIPLINE, MotionKind.EXPULSION)


class MotionResult(str, Enum):
    PASSED = "passed"  # được thông qua
    FAILED = "failed"  # không được thông qua


class VoteChoice(str, Enum):
    FOR = "for"  # tán thành
    AGAINST = "against"  # không tán thành
    ABSTAIN = "abstain"  # không biểu quyết / phiếu trắng


class VotingMethod(str, Enum):
    """How the cell voted; a tally records only counts, ballots record each member's choice."""

    SHOW_OF_HANDS = "show_of_hands"  # giơ tay / giơ thẻ đảng viên
    SECRET_BALLOT = "secret_ballot"  # noqa: S105 (a voting method, not a password) bỏ phiếu kín
    ROLL_CALL = "roll_call"  # ghi từng người (per-member ballots)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One member's standing on the meeting day, frozen into the meeting when it opens."""

    member_id: UUID
    status: MemberStatus
    exempted: bool  # miễn sinh hoạt
    suspended: bool  # đình chỉ sinh hoạt (also while prosecuted or detained)
    transferred_out: bool = False  # chuyển sinh hoạt tạm thời đi nơi khác
    temporary: bool = False  # đảng viên nơi khác sinh hoạt tạm thời ở chi bộ này
    special_duty: bool = False  # lực lượng vũ trang làm nhiệm vụ đặc biệt (issue 12 §3)
    # The flags above with a default were added later: their defaults let older rosters load.


class ExclusionReason(str, Enum):
    """Why an official member is left out of the legal base (Charter art. 9.5)."""

    TRANSFERRED_TEMPORARILY = "transferred_temporarily"  # chuyển sinh hoạt tạm thời nơi khác
    EXEMPTED_ABSENT = "exempted_absent"  # miễn sinh hoạt và vắng mặt
    SUSPENDED = "suspended"  # đình chỉ sinh hoạt, bị truy tố, tạm giam
    ABSENCE_APPROVED = "absence_approved"  # vắng mặt được cấp ủy triệu tập đồng ý

    @property
    def label_vi(self) -> str:
        return EXCLUSION_LABELS[self]


EXCLUSION_LABELS = {
    ExclusionReason.TRANSFERRED_TEMPORARILY: "Chuyển sinh hoạt tạm thời nơi khác",
    ExclusionReason.EXEMPTED_ABSENT: "Miễn sinh hoạt, vắng mặt",
    ExclusionReason.SUSPENDED: "Đình chỉ sinh hoạt, bị truy tố hoặc tạm giam",
    ExclusionReason.ABSENCE_APPROVED: "Vắng mặt được cấp ủy triệu tập đồng ý",
}


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One official member left out of the base, and why."""

    member_id: UUID
    reason: ExclusionReason


# -- refusals (their classes are in domain.voting_errors) ------------------------------------


def not_on_meeting_roster(member_id: UUID) -> MemberNotOnMeetingRoster:
    """The refusal for a person missing from the roster frozen when the meeting opened."""
    return MemberNotOnMeetingRoster(
        "Người này không có trong danh sách đảng viên của chi bộ vào ngày họp",
        "this person is not on the cell's roster on the meeting date",
        field="member_id",
        member_id=str(member_id),
    )


def check_may_vote(entry: RosterEntry | None, member_id: UUID, present: bool) -> None:
    """Raise the specific reason a member may not vote; return when they may."""
    if entry is None:
        raise not_on_meeting_roster(member_id)
    if entry.temporary:
        raise TemporaryMemberCannotVote(
            "Đảng viên sinh hoạt tạm thời không biểu quyết tại chi bộ nơi sinh hoạt tạm thời",
            "a temporary member has no vote in the host cell",
            field="member_id",
            member_id=str(member_id),
        )
    if entry.transferred_out:
        raise TransferredMemberCannotVote(
            "Đảng viên đang chuyển sinh hoạt tạm thời nơi khác không nằm trong số biểu quyết",
            "a member temporarily active in another cell is out of this cell's vote",
            field="member_id",
            member_id=str(member_id),
        )
    if entry.status is not MemberStatus.OFFICIAL:
        raise ProbationaryMemberCannotVote(
            "Đảng viên dự bị không có quyền biểu quyết (Điều lệ Đảng, Điều 3)",
            "a probationary member has no right to vote (Party Charter, art. 3)",
            field="member_id",
            member_id=str(member_id),
        )
    if entry.suspended:
        raise SuspendedMemberCannotVote(
            "Đảng viên đang bị đình chỉ sinh hoạt không được biểu quyết",
            "a suspended member may not vote",
            field="member_id",
            member_id=str(member_id),
        )
    if not present:
        raise AbsentMemberCannotVote(
            "Chỉ đảng viên chính thức có mặt mới được biểu quyết",
            "only official members who are present may vote",
            field="member_id",
            member_id=str(member_id),
        )


def may_vote(e: RosterEntry) -> bool:
    return (
        e.status is MemberStatus.OFFICIAL
        and not e.suspended
        and not e.transferred_out
        and not e.temporary
    )


def eligible_voters(roster: Iterable[RosterEntry], present: set[UUID]) -> int:
    """Official, active here, not suspended, present: the most votes a tally can hold."""
    return sum(1 for e in roster if may_vote(e) and e.member_id in present)


def base_exclusions(
    roster: Iterable[RosterEntry],
    present: set[UUID],
    approved_absent: set[UUID],
    threshold: Threshold,
) -> tuple[Exclusion, ...]:
    """The official members left out of the legal base, each with the reason (Charter art. 9.5;
    QĐ 24/294 §9.3.2): temporarily transferred elsewhere, exempted and absent, suspended
    (prosecuted, detained) and, for a majority only, absent with the convening committee's
    approval. An "excused" mark alone is not that approval. Two-thirds votes keep approved
    absentees in the base: the Charter speaks of the cell's official members, so an absence must
    not lower the bar. Temporary members from other cells are not this cell's members at all."""
    out: list[Exclusion] = []
    for e in roster:
        if e.status is not MemberStatus.OFFICIAL or e.temporary:
            continue
        absent = e.member_id not in present
        if e.transferred_out:
            out.append(Exclusion(e.member_id, ExclusionReason.TRANSFERRED_TEMPORARILY))
        elif e.suspended:
            out.append(Exclusion(e.member_id, ExclusionReason.SUSPENDED))
        elif e.exempted and absent:
            out.append(Exclusion(e.member_id, ExclusionReason.EXEMPTED_ABSENT))
        elif threshold is Threshold.MAJORITY and absent and e.member_id in approved_absent:
            out.append(Exclusion(e.member_id, ExclusionReason.ABSENCE_APPROVED))
    return tuple(sorted(out, key=lambda x: str(x.member_id)))


def legal_base(
    roster: Iterable[RosterEntry],
    present: set[UUID],
    approved_absent: set[UUID],
    threshold: Threshold,
) -> int:
    """Official members of the cell minus :func:`base_exclusions`."""
    entries = list(roster)
    official = sum(1 for e in entries if e.status is MemberStatus.OFFICIAL and not e.temporary)
    return official - len(base_exclusions(entries, present, approved_absent, threshold))


def required_votes(threshold: Threshold, base: int, rules: RuleSet) -> int:
    """The fewest votes for that pass on ``base`` under the rule set in force on the vote's date.

    The one place both thresholds are computed: the meeting's motions and the admission case's
    cell, committee and recognition votes all come here. More than half means strictly more
    than ``numerator/denominator`` of the base; two thirds means at least that share."""
    if threshold is Threshold.TWO_THIRDS:
        num, den = rules.two_thirds_numerator, rules.two_thirds_denominator
        return -(-num * base // den)  # ceil(base · num / den)
    num, den = rules.majority_numerator, rules.majority_denominator
    return num * base // den + 1


def passes(threshold: Threshold, votes_for: int, base: int, rules: RuleSet) -> bool:
    """Whether ``votes_for`` reach the threshold; an empty base can pass nothing."""
    return base > 0 and votes_for >= required_votes(threshold, base, rules)


def check_tally(votes_for: int, against: int, abstain: int, eligible: int) -> None:
    for name, count in (("votes_for", votes_for), ("against", against), ("abstain", abstain)):
        if count < 0:
            raise NegativeVoteCount(
                "Số phiếu không được âm", f"{name} must not be negative", field=name
            )
    total = votes_for + against + abstain
    if total > eligible:
        raise MoreVotesThanMembersPresent(
            f"Tổng số phiếu ({total}) vượt quá số đảng viên chính thức có mặt ({eligible})",
            f"{total} votes exceed the {eligible} official members present who may vote",
            field="votes_for",
            total=total,
            eligible=eligible,
        )


@dataclass(frozen=True, slots=True)
class Ballot:
    """One member's named vote (phiếu biểu quyết ghi danh)."""

    member_id: UUID
    choice: VoteChoice


class Motion:
    """A question put to the cell's vote at one meeting; state only, rules are in Meeting."""

    def __init__(self, id: UUID, kind: MotionKind, title: str, subject_id: UUID | None) -> None:
        self.id = id
        self.kind = kind
        self.title = title
        self.subject_id = subject_id
        self.method: VotingMethod | None = None
        self.ballots: dict[UUID, VoteChoice] = {}
        self.votes_for = 0
        self.against = 0
        self.abstain = 0
        self.base: int | None = None
        self.required: int | None = None
        self.result: MotionResult | None = None

    @property
    def is_decided(self) -> bool:
        return self.result is not None

    def set_counts(self, votes_for: int, against: int, abstain: int) -> None:
        self.votes_for, self.against, self.abstain = votes_for, against, abstain

    def count_ballots(self) -> tuple[int, int, int]:
        return count_choices(self.ballots.values())


def count_choices(choices: Iterable[VoteChoice]) -> tuple[int, int, int]:
    tally = dict.fromkeys(VoteChoice, 0)
    for choice in choices:
        tally[choice] += 1
    return tally[VoteChoice.FOR], tally[VoteChoice.AGAINST], tally[VoteChoice.ABSTAIN]


def decide(kind: MotionKind, votes_for: int, base: int, rules: RuleSet) -> tuple[MotionResult, int]:
    """The result and the votes that were required; an empty base can pass nothing."""
    passed = passes(kind.threshold, votes_for, base, rules)
    return (MotionResult.PASSED if passed else MotionResult.FAILED), required_votes(
        kind.threshold, base, rules
    )


def roster_entries(standings: Mapping[UUID, Standing]) -> tuple[RosterEntry, ...]:
    """Entries in a stable order (by id) so the stored event is deterministic."""
    ordered = sorted(standings.items(), key=lambda item: str(item[0]))
    return tuple(_entry(member_id, s) for member_id, s in ordered)


def _entry(member_id: UUID, s: Standing) -> RosterEntry:
    flags = (s.exempted, s.suspended, s.transferred_out, s.temporary, s.special_duty)
    return RosterEntry(member_id, s.status, *flags)
