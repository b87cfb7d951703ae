"""Party members (đảng viên): joining a cell, transfers, exemption from activities, leaving.

A member's own history lives here; the dated roster of each cell lives in
:mod:`domain.roster`. Application services save both in one transaction.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from uuid import UUID

from domain.base import Actor, ChiboAggregate, InvalidValue, StateConflict, require_order, require_text


class MemberStatus(str, Enum):
    """Probationary (dự bị) or official (chính thức) (Điều lệ Đảng, art. 3–5)."""

    PROBATIONARY = "probationary"
    OFFICIAL = "official"


class DepartureReason(str, Enum):
    """Why a member leaves a cell's roster for good."""

    TRANSFERRED_OUT = "transferred_out"  # chuyển sinh hoạt ra khỏi tỉnh
    REMOVED = "removed"  # xóa tên
    EXPELLED = "expelled"  # khai trừ
    RESIGNED = "resigned"  # xin ra khỏi Đảng
    NOT_RECOGNISED = "not_recognised"  # không được công nhận chính thức
    DECEASED = "deceased"  # từ trần


class MemberHasLeft(StateConflict):
    code = "member_has_left"


class AlreadyInThatCell(StateConflict):
    code = "already_in_that_cell"


class AlreadyExempted(StateConflict):
    code = "already_exempted"


class NotExempted(StateConflict):
    code = "not_exempted"


class InvalidBirthDate(InvalidValue):
    code = "invalid_birth_date"


class Member(ChiboAggregate):
    """A party member (đảng viên) of one cell at a time."""

    class Enrolled(ChiboAggregate.Created):
        full_name: str
        birth_date: date
        gender: str
        cell_id: UUID
        status: MemberStatus
        admitted_on: date
        """Ngày vào Đảng: the admission ceremony."""
        official_on: date | None
        joined_cell_on: date

    class TransferredBetweenCells(ChiboAggregate.Event):
        from_cell_id: UUID
        to_cell_id: UUID
        on: date

        def apply(self, member: Member) -> None:
            member.cell_id = self.to_cell_id

    class Exempted(ChiboAggregate.Event):
        start: date
        end: date | None
        reason: str

        def apply(self, member: Member) -> None:
            member.exemption = (self.start, self.end)

    class ExemptionEnded(ChiboAggregate.Event):
        on: date

        def apply(self, member: Member) -> None:
            member.exemption = None

    class Departed(ChiboAggregate.Event):
        reason: DepartureReason
        on: date
        note: str

        def apply(self, member: Member) -> None:
            member.departed = (self.reason, self.on)

    def __init__(
        self,
        full_name: str,
        birth_date: date,
        gender: str,
        cell_id: UUID,
        status: MemberStatus,
        admitted_on: date,
        official_on: date | None,
        joined_cell_on: date,
    ) -> None:
        self.full_name = full_name
        self.birth_date = birth_date
        self.gender = gender
        self.cell_id = cell_id
        self.status = status
        self.admitted_on = admitted_on
        self.official_on = official_on
        self.joined_cell_on = joined_cell_on
        self.exemption: tuple[date, date | None] | None = None
        self.departed: tuple[DepartureReason, date] | None = None

    @classmethod
    def enrol(
        cls,
        id: UUID,
        full_name: str,
        birth_date: date,
        gender: str,
        cell_id: UUID,
        status: MemberStatus,
        admitted_on: date,
        official_on: date | None,
        joined_cell_on: date,
        by: Actor,
    ) -> Member:
        if birth_date >= admitted_on:
            raise InvalidBirthDate(
                "Ngày sinh phải trước ngày vào Đảng", "birth_date must be before admitted_on"
            )
        if status is MemberStatus.OFFICIAL and official_on is None:
            raise InvalidValue(
                "Đảng viên chính thức cần có ngày chính thức",
                "an official member needs official_on",
                field="official_on",
            )
        if official_on is not None:
            require_order(admitted_on, official_on, "official_on")
        return cls._found(
            cls.Enrolled,
            by,
            id,
            full_name=require_text(full_name, "full_name", "Họ và tên", 200),
            birth_date=birth_date,
            gender=gender,
            cell_id=cell_id,
            status=status,
            admitted_on=admitted_on,
            official_on=official_on,
            joined_cell_on=joined_cell_on,
        )

    def transfer(self, to_cell_id: UUID, on: date, by: Actor) -> None:
        """Chuyển sinh hoạt đảng between cells of the same province."""
        self.check_active()
        if to_cell_id == self.cell_id:
            raise AlreadyInThatCell(
                "Đảng viên đã sinh hoạt ở chi bộ này", "the member is already in that cell"
            )
        self._record(
            self.TransferredBetweenCells, by, from_cell_id=self.cell_id, to_cell_id=to_cell_id, on=on
        )

    def exempt(self, start: date, end: date | None, reason: str, by: Actor) -> None:
        """Miễn sinh hoạt đảng: decided by the cell, for elderly or weak members."""
        self.check_active()
        if self.exemption is not None:
            raise AlreadyExempted(
                "Đảng viên đang được miễn sinh hoạt", "the member is already exempted"
            )
        if end is not None:
            require_order(start, end, "end")
        self._record(
            self.Exempted, by, start=start, end=end, reason=require_text(reason, "reason", "Lý do")
        )

    def end_exemption(self, on: date, by: Actor) -> None:
        self.check_active()
        if self.exemption is None:
            raise NotExempted("Đảng viên không được miễn sinh hoạt", "the member is not exempted")
        self._record(self.ExemptionEnded, by, on=on)

    def leave(self, reason: DepartureReason, on: date, note: str, by: Actor) -> None:
        self.check_active()
        self._record(self.Departed, by, reason=reason, on=on, note=note.strip())

    @property
    def is_active(self) -> bool:
        return self.departed is None

    def check_active(self) -> None:
        if self.departed is not None:
            raise MemberHasLeft(
                f"Đảng viên {self.full_name} đã ra khỏi danh sách ({self.departed[0].value})",
                f"member {self.full_name} has left the roster ({self.departed[0].value})",
            )
