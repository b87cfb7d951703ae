"""Rotating self-criticism and criticism (tự phê bình và phê bình xoay vòng) of a cell.

One schedule per cell per cycle (a year by default). Members queue in a fixed order; at each
regular meeting the first 1 or 2 of the queue (province setting ``rotation_turns_per_meeting``)
are due. A due member who is absent, or exempted from activities, keeps their place and is
therefore due again at the next meeting (carried over). New members join the end of the queue;
members who leave the cell drop out of it. Nothing about "who is next" is stored: it is derived
from the events, and :meth:`RotationSchedule.next_turns` says why each member is next.
[U: the count per meeting and the cycle length are local practice, so they are settings.]
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Actor, ChiboAggregate, InvalidValue, NotFound, RuleViolated, StateConflict


class CarryReason(str, Enum):
    ABSENT = "absent"  # vắng mặt
    EXEMPTED = "exempted"  # được miễn sinh hoạt
    NOT_TAKEN = "not_taken"  # có mặt nhưng chưa thực hiện


@dataclass(frozen=True, slots=True)
class NextTurn:
    """A member due at the next regular meeting, and why (vì sao đến lượt)."""

    member_id: UUID
    position: int  # 1-based place in the cycle order
    carried_from: date | None
    carried_reason: CarryReason | None
    joined_on: date | None  # set when the member joined the queue after the cycle opened
    skipped_exempted: tuple[UUID, ...]  # members ahead of them, skipped because exempted
    replaces: UUID | None = None
    """At a meeting under way: the absent member due whose turn this one takes (người thay)."""

    def why(self) -> tuple[str, str]:
        if self.carried_from is not None and self.carried_reason is not None:
            vi_reason = {"absent": "vắng mặt", "exempted": "được miễn sinh hoạt"}.get(
                self.carried_reason.value, "chưa thực hiện"
            )
            return (
                f"Chuyển từ kỳ sinh hoạt ngày {self.carried_from:%d/%m/%Y} ({vi_reason})",
                f"carried over from the meeting of {self.carried_from:%Y-%m-%d} "
                f"({self.carried_reason.value})",
            )
        if self.joined_on is not None:
            return (
                f"Đảng viên mới vào hàng đợi ngày {self.joined_on:%d/%m/%Y}; những người trước đã thực hiện",
                f"joined the queue on {self.joined_on:%Y-%m-%d} as a new member; "
                "everyone ahead has taken their turn",
            )
        return (
            f"Thứ tự {self.position} trong chu kỳ; những người trước đã thực hiện",
            f"position {self.position} in the cycle order; everyone ahead has taken their turn",
        )


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the cell has taken a turn in the cycle (độ bao phủ)."""

    eligible: int
    taken: int
    not_taken: tuple[UUID, ...]

    @property
    def rate(self) -> float:
        return self.taken / self.eligible if self.eligible else 1.0


class InvalidCycle(InvalidValue):
    code = "invalid_cycle"


class MemberNotInRotation(NotFound):
    code = "member_not_in_rotation"


class TurnAlreadyTaken(StateConflict):
    code = "turn_already_taken"


class TurnsOnlyAtRegularMeetings(RuleViolated):
    code = "turns_only_at_regular_meetings"


class MeetingOutsideCycle(RuleViolated):
    code = "meeting_outside_cycle"


class TooManyTurnsAtMeeting(RuleViolated):
    code = "too_many_turns_at_meeting"


class MeetingAlreadySettled(StateConflict):
    code = "meeting_already_settled"


class SecondTurnBeforeEveryone(RuleViolated):
    """Every member performs before anyone performs twice (issue 12 §5)."""

    code = "second_turn_before_everyone"


def schedule_id(cell_id: UUID, cycle_start: date) -> UUID:
    """One schedule per cell per cycle, found without a lookup."""
    return uuid5(NAMESPACE_URL, f"chibo:rotation:{cell_id}:{cycle_start.isoformat()}")


class RotationSchedule(ChiboAggregate):
    """The rotation of one cell over one cycle (lịch tự phê bình xoay vòng)."""

    class Opened(ChiboAggregate.Created):
        cell_id: UUID
        cycle_start: date
        cycle_end: date
        order: tuple[UUID, ...]

    class MemberQueued(ChiboAggregate.Event):
        member_id: UUID
        on: date

        def apply(self, schedule: RotationSchedule) -> None:
            schedule.dropped.discard(self.member_id)
            if self.member_id not in schedule.position:
                schedule.position[self.member_id] = len(schedule.position) + 1
                schedule.joined_on[self.member_id] = self.on

    class MemberDropped(ChiboAggregate.Event):
        member_id: UUID
        on: date

        def apply(self, schedule: RotationSchedule) -> None:
            schedule.dropped.add(self.member_id)

    class TurnTaken(ChiboAggregate.Event):
        member_id: UUID
        meeting_id: UUID
        held_on: date

        def apply(self, schedule: RotationSchedule) -> None:
            schedule.taken[self.member_id] = (self.meeting_id, self.held_on)
            schedule.carried.pop(self.member_id, None)

    class TurnCarried(ChiboAggregate.Event):
        member_id: UUID
        meeting_id: UUID
        held_on: date
        reason: CarryReason

        def apply(self, schedule: RotationSchedule) -> None:
            schedule.carried[self.member_id] = (self.held_on, self.reason)

    class MeetingSettled(ChiboAggregate.Event):
        meeting_id: UUID
        held_on: date

        def apply(self, schedule: RotationSchedule) -> None:
            schedule.settled.add(self.meeting_id)

    def __init__(
        self, cell_id: UUID, cycle_start: date, cycle_end: date, order: tuple[UUID, ...]
    ) -> None:
        self.cell_id = cell_id
        self.cycle_start = cycle_start
        self.cycle_end = cycle_end
        self.position: dict[UUID, int] = {m: i for i, m in enumerate(order, start=1)}
        self.joined_on: dict[UUID, date] = {}
        self.dropped: set[UUID] = set()
        self.taken: dict[UUID, tuple[UUID, date]] = {}
        self.carried: dict[UUID, tuple[date, CarryReason]] = {}
        self.settled: set[UUID] = set()

    # -- commands -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, cell_id: UUID, cycle_start: date, cycle_end: date, order: Iterable[UUID], by: Actor
    ) -> RotationSchedule:
        members = tuple(dict.fromkeys(order))
        if cycle_end <= cycle_start:
            raise InvalidCycle(
                "Chu kỳ phải kết thúc sau khi bắt đầu", "the cycle must end after it starts"
            )
        return cls._found(
            cls.Opened,
            by,
            schedule_id(cell_id, cycle_start),
            cell_id=cell_id,
            cycle_start=cycle_start,
            cycle_end=cycle_end,
            order=members,
        )

    def sync_roster(self, on_roster: dict[UUID, date], on: date, by: Actor) -> None:
        """Follow the roster on ``on``: ``on_roster`` maps members to the day they joined."""
        for member_id, joined in sorted(
            on_roster.items(), key=lambda item: (item[1], str(item[0]))
        ):
            if member_id not in self.position or member_id in self.dropped:
                self._record(
                    self.MemberQueued, by, member_id=member_id, on=max(joined, self.cycle_start)
                )
        for member_id in self.position:
            if member_id not in on_roster and member_id not in self.dropped:
                self._record(self.MemberDropped, by, member_id=member_id, on=on)

    def take_turn(
        self,
        member_id: UUID,
        meeting_id: UUID,
        held_on: date,
        regular: bool,
        turns_per_meeting: int,
        by: Actor,
    ) -> None:
        """A member performs self-criticism at the meeting (also when not yet due)."""
        self._check_meeting(meeting_id, held_on, regular)
        if member_id not in self.position or member_id in self.dropped:
            raise MemberNotInRotation(
                "Đảng viên không có trong lịch xoay vòng của chi bộ",
                "the member is not in this cell's rotation",
                member_id=str(member_id),
            )
        if member_id in self.taken:
            when = self.taken[member_id][1]
            raise TurnAlreadyTaken(
                f"Đảng viên đã tự phê bình trong chu kỳ này (ngày {when:%d/%m/%Y})",
                f"the member already took their turn this cycle (on {when:%Y-%m-%d})",
            )
        at_meeting = sum(1 for m, _ in self.taken.values() if m == meeting_id)
        if at_meeting >= turns_per_meeting:
            raise TooManyTurnsAtMeeting(
                f"Mỗi kỳ sinh hoạt chỉ có {turns_per_meeting} lượt tự phê bình xoay vòng",
                f"only {turns_per_meeting} rotation turn(s) per regular meeting",
            )
        self._record(
            self.TurnTaken, by, member_id=member_id, meeting_id=meeting_id, held_on=held_on
        )

    def check_second_turn(self, member_id: UUID, able: AbstractSet[UUID]) -> None:
        """A member who performed this cycle performs again only once every member ``able`` to
        perform at this meeting (on its roster, not exempted, suspended or away) has had a turn:
        everyone before anyone twice (issue 12 §5)."""
        if member_id not in self.taken:
            return
        waiting = [m for m in self._queue() if m in able]
        if waiting:
            when = self.taken[member_id][1]
            raise SecondTurnBeforeEveryone(
                f"Đảng viên đã tự phê bình trong chu kỳ này (ngày {when:%d/%m/%Y}); còn "
                f"{len(waiting)} đảng viên chưa đến lượt: mọi đảng viên thực hiện trước khi "
                "có người thực hiện lần thứ hai",
                f"the member already performed this cycle (on {when:%Y-%m-%d}) and "
                f"{len(waiting)} member(s) have not: everyone performs before anyone twice",
                waiting=[str(m) for m in waiting],
            )

    def settle_meeting(
        self,
        meeting_id: UUID,
        held_on: date,
        regular: bool,
        turns_per_meeting: int,
        absent: set[UUID],
        exempted: set[UUID],
        by: Actor,
    ) -> None:
        """After the meeting: due members who did not take their turn are carried over.

        An absent due member keeps their place and is replaced at that meeting by the next in
        line (issue 12 §5), so the meeting's turns are not lost: only present members fill them."""
        self._check_meeting(meeting_id, held_on, regular)
        done_here = {m for m, (meeting, _) in self.taken.items() if meeting == meeting_id}
        remaining = turns_per_meeting
        for member_id in self._queue(include=done_here):
            if remaining == 0:
                break
            if member_id in done_here:
                remaining -= 1
                continue
            if member_id in exempted:
                reason = CarryReason.EXEMPTED
            elif member_id in absent:
                reason = CarryReason.ABSENT
            else:
                remaining -= 1
                reason = CarryReason.NOT_TAKEN
            self._record(
                self.TurnCarried,
                by,
                member_id=member_id,
                meeting_id=meeting_id,
                held_on=held_on,
                reason=reason,
            )
        self._record(self.MeetingSettled, by, meeting_id=meeting_id, held_on=held_on)

    # -- queries --------------------------------------------------------------------------

    def next_turns(
        self, turns_per_meeting: int, exempted: set[UUID], absent: AbstractSet[UUID] = frozenset()
    ) -> list[NextTurn]:
        """Who is due at the next regular meeting, skipping members exempted on that day; at a
        meeting under way, members ``absent`` from it are replaced by the next in line, and
        each replacement names whom it replaces (``NextTurn.replaces``): the members who come
        in beyond the usual list stand, in order, for the absentees of that list."""
        due = self._due(turns_per_meeting, exempted, absent)
        if not absent:
            return due
        usual = [t.member_id for t in self._due(turns_per_meeting, exempted, frozenset())]
        missing = iter([m for m in usual if m in absent])
        return [
            t if t.member_id in usual else replace(t, replaces=next(missing, None)) for t in due
        ]

    def _due(
        self, turns_per_meeting: int, exempted: set[UUID], absent: AbstractSet[UUID]
    ) -> list[NextTurn]:
        due: list[NextTurn] = []
        skipped: list[UUID] = []
        for member_id in self._queue():
            if len(due) == turns_per_meeting:
                break
            if member_id in exempted:
                skipped.append(member_id)
                continue
            if member_id in absent:
                continue  # keeps their place; carried when the meeting is settled
            carried = self.carried.get(member_id)
            due.append(
                NextTurn(
                    member_id,
                    self.position[member_id],
                    carried[0] if carried else None,
                    carried[1] if carried else None,
                    self.joined_on.get(member_id),
                    tuple(skipped),
                )
            )
        return due

    def queue(self) -> list[UUID]:
        """Members still to take their turn this cycle, in order."""
        return self._queue()

    def coverage(self) -> Coverage:
        """Members still on the roster who have / have not taken a turn in the cycle."""
        eligible = [m for m in self.position if m not in self.dropped]
        taken = sum(1 for m in eligible if m in self.taken)
        return Coverage(len(eligible), taken, tuple(self._queue()))

    def _queue(self, include: AbstractSet[UUID] = frozenset()) -> list[UUID]:
        members = [
            m
            for m in self.position
            if m not in self.dropped and (m not in self.taken or m in include)
        ]
        return sorted(members, key=self.position.__getitem__)

    def _check_meeting(self, meeting_id: UUID, held_on: date, regular: bool) -> None:
        if not regular:
            raise TurnsOnlyAtRegularMeetings(
                "Tự phê bình xoay vòng thực hiện tại kỳ sinh hoạt thường kỳ",
                "rotation turns are taken at regular meetings",
            )
        if not self.cycle_start <= held_on <= self.cycle_end:
            raise MeetingOutsideCycle(
                f"Kỳ sinh hoạt ngày {held_on:%d/%m/%Y} nằm ngoài chu kỳ "
                f"{self.cycle_start:%d/%m/%Y}–{self.cycle_end:%d/%m/%Y}",
                f"the meeting of {held_on} is outside the cycle {self.cycle_start}–{self.cycle_end}",
            )
        if meeting_id in self.settled:
            raise MeetingAlreadySettled(
                "Đã chốt lượt tự phê bình của kỳ sinh hoạt này",
                "the rotation turns of this meeting are already settled",
            )
