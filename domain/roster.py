"""A cell's dated roster (danh sách đảng viên chi bộ): who stood how, on any day.

Meeting rules need the official members of a cell on the meeting's date, and reports need the
same "as of" any past day, so the roster keeps every dated change instead of only the latest.
Its id is derived from the cell's id, so it is found without a lookup.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Actor, ChiboAggregate, StateConflict
from domain.member import MemberStatus


class Change(str, Enum):
    ENROLLED_PROBATIONARY = "enrolled_probationary"
    ENROLLED_OFFICIAL = "enrolled_official"
    RECOGNISED = "recognised"  # công nhận chính thức
    EXEMPTED = "exempted"  # miễn sinh hoạt
    EXEMPTION_ENDED = "exemption_ended"
    SUSPENDED = "suspended"  # đình chỉ sinh hoạt
    SUSPENSION_ENDED = "suspension_ended"
    LEFT = "left"  # chuyển đi, xóa tên, từ trần…
    # Chuyển sinh hoạt tạm thời: the home cell keeps the member on its roll, out of its base;
    # the host cell lists them as a temporary member (đảng viên sinh hoạt tạm thời), no vote.
    TRANSFERRED_TEMPORARILY = "transferred_temporarily"  # home: đi sinh hoạt tạm thời
    TEMPORARY_TRANSFER_ENDED = "temporary_transfer_ended"  # home: trở về sinh hoạt
    TEMPORARY_JOINED_OFFICIAL = "temporary_joined_official"  # host: đến sinh hoạt tạm thời
    TEMPORARY_JOINED_PROBATIONARY = "temporary_joined_probationary"
    TEMPORARY_LEFT = "temporary_left"  # host: hết sinh hoạt tạm thời
    # Lực lượng vũ trang làm nhiệm vụ đặc biệt: left out of the "absent more than 3 times in a
    # row" figure, like exempted members (HD 12-HD/BTCTW criterion 1, issue 12 §3).
    SPECIAL_DUTY = "special_duty"
    SPECIAL_DUTY_ENDED = "special_duty_ended"


@dataclass(frozen=True, slots=True)
class Standing:
    """How one member stood in the cell on one day."""

    status: MemberStatus
    exempted: bool
    suspended: bool
    transferred_out: bool = False
    """Home cell: temporarily active in another cell (chuyển sinh hoạt tạm thời đi)."""
    temporary: bool = False
    """Host cell: a temporary member from another cell, who has no vote here."""
    special_duty: bool = False
    """Armed forces on special duty (làm nhiệm vụ đặc biệt): out of the absence-streak figure."""

    @property
    def counts_for_majority(self) -> bool:
        """Official, not suspended, active here; exempted members count only when present and
        approved absentees are left out at the meeting (Charter art. 9.5)."""
        return (
            self.status is MemberStatus.OFFICIAL
            and not self.suspended
            and not self.transferred_out
            and not self.temporary
        )


class NotOnRoster(StateConflict):
    code = "not_on_roster"


class AlreadyOnRoster(StateConflict):
    code = "already_on_roster"


def roster_id(cell_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"chibo:roster:{cell_id}")


class CellRoster(ChiboAggregate):
    """The dated roster of one cell."""

    class Opened(ChiboAggregate.Created):
        cell_id: UUID

    class Changed(ChiboAggregate.Event):
        member_id: UUID
        change: Change
        on: date

        def apply(self, roster: CellRoster) -> None:
            # Kept in date order (a change may be back-dated); same-day changes keep their order.
            timeline = roster.changes.setdefault(self.member_id, [])
            bisect.insort(timeline, (self.on, self.change), key=lambda entry: entry[0])

    def __init__(self, cell_id: UUID) -> None:
        self.cell_id = cell_id
        self.changes: dict[UUID, list[tuple[date, Change]]] = {}

    @classmethod
    def open(cls, cell_id: UUID, by: Actor) -> CellRoster:
        return cls._found(cls.Opened, by, roster_id(cell_id), cell_id=cell_id)

    def enrol(self, member_id: UUID, status: MemberStatus, on: date, by: Actor) -> None:
        self._enter(member_id, _ENROLLED[status], on, by)

    def _enter(self, member_id: UUID, change: Change, on: date, by: Actor) -> None:
        """A member comes onto the roster (own or temporary), never twice on one day."""
        if self.standing(member_id, on) is not None:
            raise AlreadyOnRoster(
                "Đảng viên đã có trong chi bộ", "the member is already on the roster"
            )
        self._record(self.Changed, by, member_id=member_id, change=change, on=on)

    def record(self, member_id: UUID, change: Change, on: date, by: Actor) -> None:
        """Record a dated change for a member who is on the roster that day."""
        if self.standing(member_id, on) is None:
            raise NotOnRoster(
                "Đảng viên không có trong danh sách chi bộ vào ngày này",
                "the member is not on this cell's roster on that date",
                member_id=str(member_id),
            )
        self._record(self.Changed, by, member_id=member_id, change=change, on=on)

    # -- queries --------------------------------------------------------------------------

    def standing(self, member_id: UUID, on: date) -> Standing | None:
        """The member's standing on ``on``; ``None`` if not on the roster that day."""
        status: MemberStatus | None = None
        exempted = suspended = away = temporary = duty = False
        for day, change in self.changes.get(member_id, ()):
            if day > on:
                break
            if change in _TEMPORARY_JOINED:
                status, temporary = _TEMPORARY_JOINED[change], True
            elif change is Change.TEMPORARY_LEFT:
                status, temporary = None, False
            elif change in (Change.TRANSFERRED_TEMPORARILY, Change.TEMPORARY_TRANSFER_ENDED):
                away = change is Change.TRANSFERRED_TEMPORARILY
            elif change is Change.ENROLLED_PROBATIONARY:
                status, exempted, suspended = MemberStatus.PROBATIONARY, False, False
            elif change in (Change.ENROLLED_OFFICIAL, Change.RECOGNISED):
                status = MemberStatus.OFFICIAL
            elif change is Change.EXEMPTED:
                exempted = True
            elif change is Change.EXEMPTION_ENDED:
                exempted = False
            elif change is Change.SUSPENDED:
                suspended = True
            elif change is Change.SUSPENSION_ENDED:
                suspended = False
            elif change is Change.LEFT:
                status = None
            elif change in (Change.SPECIAL_DUTY, Change.SPECIAL_DUTY_ENDED):
                duty = change is Change.SPECIAL_DUTY
        if status is None:
            return None
        return Standing(status, exempted, suspended, away, temporary, duty)

    def since(self, member_id: UUID, on: date, *changes: Change) -> date | None:
        """The day of the member's latest of ``changes`` on or before ``on``: when the state
        they enter (miễn sinh hoạt, sinh hoạt tạm thời, nhiệm vụ đặc biệt…) began."""
        days = [day for day, made in self.changes.get(member_id, ()) if made in changes]
        return max((day for day in days if day <= on), default=None)

    def began(self, member_id: UUID, on: date, standing: Standing) -> dict[str, date]:
        """The day each state ``standing`` shows the member in began, by the state's name."""
        found = {
            state: self.since(member_id, on, *changes)
            for state, changes in STATE_CHANGES.items()
            if getattr(standing, state)
        }
        return {state: day for state, day in found.items() if day is not None}

    def members_on(self, on: date, with_temporary: bool = False) -> dict[UUID, Standing]:
        """The cell's own members on ``on``; with ``with_temporary`` also the temporary members
        from other cells, as a meeting's roster needs them (present, without a vote)."""
        result = {}
        for member_id in self.changes:
            standing = self.standing(member_id, on)
            if standing is not None and (with_temporary or not standing.temporary):
                result[member_id] = standing
        return result

    def join_temporarily(self, member_id: UUID, status: MemberStatus, on: date, by: Actor) -> None:
        """The host cell lists a member of another cell as temporary (sinh hoạt tạm thời)."""
        self._enter(member_id, _JOINING_TEMPORARILY[status], on, by)

    def official_count(self, on: date) -> int:
        """Official members on the roster on ``on`` (đảng viên chính thức)."""
        return sum(1 for s in self.members_on(on).values() if s.status is MemberStatus.OFFICIAL)

    def active_count(self, on: date) -> int:
        return len(self.members_on(on))


_TEMPORARY_JOINED = {
    Change.TEMPORARY_JOINED_OFFICIAL: MemberStatus.OFFICIAL,
    Change.TEMPORARY_JOINED_PROBATIONARY: MemberStatus.PROBATIONARY,
}
_JOINING_TEMPORARILY = {status: change for change, status in _TEMPORARY_JOINED.items()}
_ENROLLED = {
    MemberStatus.OFFICIAL: Change.ENROLLED_OFFICIAL,
    MemberStatus.PROBATIONARY: Change.ENROLLED_PROBATIONARY,
}
STATE_CHANGES = {
    "exempted": (Change.EXEMPTED,),
    "suspended": (Change.SUSPENDED,),
    "transferred_out": (Change.TRANSFERRED_TEMPORARILY,),
    "temporary": tuple(_TEMPORARY_JOINED),
    "special_duty": (Change.SPECIAL_DUTY,),
}
"""Each state of a :class:`Standing` (by its field's name) and the changes that begin it."""
