"""Party members (đảng viên): joining a cell, transfers, exemption from activities, leaving.

A member's own history lives here; the dated roster of each cell lives in
:mod:`domain.roster`. Application services save both in one transaction.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from uuid import UUID

from domain.base import (
    Actor,
    ChiboAggregate,
    InvalidValue,
    require_order,
    require_text,
)
from domain.member_errors import (
    AlreadyExempted,
    AlreadyInThatCell,
    AlreadyOfficial,
    AlreadySuspended,
    InvalidBirthDate,
    MemberHasLeft,
    NotExempted,
    NotSuspended,
)


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

    @property
    def label_vi(self) -> str:
        return DEPARTURE_LABELS[self]


DEPARTURE_LABELS = {
    DepartureReason.TRANSFERRED_OUT: "chuyển sinh hoạt ra khỏi tỉnh",
    DepartureReason.REMOVED: "xóa tên",
    DepartureReason.EXPELLED: "khai trừ",
    DepartureReason.RESIGNED: "xin ra khỏi Đảng",
    DepartureReason.NOT_RECOGNISED: "không được công nhận đảng viên chính thức",
    DepartureReason.DECEASED: "từ trần",
}
"""Words a person reads for each code (messages, audit sentences): never the raw code."""


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
            self.TransferredBetweenCells,
            by,
            from_cell_id=self.cell_id,
            to_cell_id=to_cell_id,
            on=on,
        )

    def exempt(self, start: date, end: date | None, reason: str, by: Actor) -> None:
        """Miễn sinh hoạt đảng: decided by the cell, for elderly or weak members."""
        self.check_active()
        if self.exempted_on(start):
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
        if not self.exempted_on(on):
            raise NotExempted("Đảng viên không được miễn sinh hoạt", "the member is not exempted")
        self._record(self.ExemptionEnded, by, on=on)

    def leave(self, reason: DepartureReason, on: date, note: str, by: Actor) -> None:
        self.check_active()
        self._record(self.Departed, by, reason=reason, on=on, note=note.strip())

    @property
    def is_active(self) -> bool:
        return self.departed is None

    def exempted_on(self, day: date) -> bool:
        if self.exemption is None:
            return False
        start, end = self.exemption
        return start <= day and (end is None or day <= end)

    def check_active(self) -> None:
        if self.departed is not None:
            reason = self.departed[0]
            raise MemberHasLeft(
                f"Đảng viên {self.full_name} đã ra khỏi danh sách ({reason.label_vi})",
                f"member {self.full_name} has left the roster ({reason.value.replace('_', ' ')})",
            )

    # -- membership lifecycle (issue 3): appended, never renamed ----------------------------

    class Recognised(ChiboAggregate.Event):
        """Công nhận đảng viên chính thức; ``official_on`` is the end of probation."""

        official_on: date
        decision_number: str

        def apply(self, member: Member) -> None:
            member.status = MemberStatus.OFFICIAL
            member.official_on = self.official_on

    class Suspended(ChiboAggregate.Event):
        """Đình chỉ sinh hoạt đảng (while prosecuted, detained…)."""

        start: date
        reason: str

        def apply(self, member: Member) -> None:
            member.__dict__["suspended_since"] = self.start

    class SuspensionEnded(ChiboAggregate.Event):
        on: date

        def apply(self, member: Member) -> None:
            member.__dict__["suspended_since"] = None

    class TransferredOut(ChiboAggregate.Event):
        """Chuyển sinh hoạt đảng chính thức ra khỏi tỉnh, with the introduction letter."""

        letter_number: str
        letter_on: date
        to_province: str
        to_organisation: str
        letter_due_on: date

        def apply(self, member: Member) -> None:
            member.__dict__["transfer_out"] = (self.letter_number, self.letter_on, self.to_province)

    class ArrivedFromProvince(ChiboAggregate.Event):
        """Tiếp nhận đảng viên từ tỉnh khác, referencing the sending province's letter."""

        from_province: str
        letter_number: str
        letter_on: date
        presented_on: date
        payload_digest: str

        def apply(self, member: Member) -> None:
            member.__dict__["arrival"] = (self.from_province, self.letter_number, self.presented_on)

    class RemovalGroundRecorded(ChiboAggregate.Event):
        """Căn cứ xóa tên, recorded just before the member leaves with reason ``removed``."""

        ground: str
        decision_number: str

        def apply(self, member: Member) -> None:
            member.__dict__["removal_ground"] = self.ground

    class MonthNoted(ChiboAggregate.Event):
        """A month with an unexcused absence or unpaid dues (bỏ sinh hoạt / không đóng đảng phí)."""

        month: date
        kind: str
        excused: bool

        def apply(self, member: Member) -> None:
            noted = member.__dict__.setdefault("noted_months", {})
            key = (self.kind, self.month.replace(day=1))
            if self.excused:
                noted.pop(key, None)
            else:
                noted[key] = True

    def recognise(self, official_on: date, decision_number: str, by: Actor) -> None:
        self.check_active()
        if self.status is MemberStatus.OFFICIAL:
            raise AlreadyOfficial(
                "Đảng viên đã là đảng viên chính thức", "already an official member"
            )
        self._record(
            self.Recognised,
            by,
            official_on=official_on,
            decision_number=require_text(decision_number, "decision_number", "Số quyết định", 100),
        )

    def suspend(self, start: date, reason: str, by: Actor) -> None:
        self.check_active()
        if self.suspended_since is not None:
            raise AlreadySuspended("Đảng viên đang bị đình chỉ sinh hoạt", "already suspended")
        self._record(
            self.Suspended, by, start=start, reason=require_text(reason, "reason", "Lý do")
        )

    def end_suspension(self, on: date, by: Actor) -> None:
        self.check_active()
        if self.suspended_since is None:
            raise NotSuspended(
                "Đảng viên không bị đình chỉ sinh hoạt", "the member is not suspended"
            )
        require_order(self.suspended_since, on, "on")
        self._record(self.SuspensionEnded, by, on=on)

    # -- party card number (issue 18): appended, never renamed ---------------------------

    class CardNumberRecorded(ChiboAggregate.Event):
        """Số thẻ đảng viên recorded (``reason`` empty) or corrected (with its reason)."""

        number: str
        reason: str

        def apply(self, member: Member) -> None:
            member.__dict__["party_card_number"] = self.number

    def record_card_number(self, number: str, reason: str, by: Actor) -> None:
        """Decided by :func:`domain.party_card.give_card`, which keeps numbers unique."""
        self._record(self.CardNumberRecorded, by, number=number, reason=reason)

    # -- armed forces on special duty (issue 12 §3): appended, never renamed ----------------

    class SpecialDutyNoted(ChiboAggregate.Event):
        """Lực lượng vũ trang làm nhiệm vụ đặc biệt from ``start`` (``domain.special_duty``)."""

        start: date
        reason: str

        def apply(self, member: Member) -> None:
            member.__dict__["special_duty_since"] = self.start

    class SpecialDutyEnded(ChiboAggregate.Event):
        on: date
        reason: str

        def apply(self, member: Member) -> None:
            member.__dict__["special_duty_since"] = None

    @property
    def special_duty_since(self) -> date | None:
        value: date | None = self.__dict__.get("special_duty_since")
        return value

    @property
    def party_card_number(self) -> str | None:
        value: str | None = self.__dict__.get("party_card_number")
        return value

    @property
    def suspended_since(self) -> date | None:
        value: date | None = self.__dict__.get("suspended_since")
        return value

    @property
    def transfer_out(self) -> tuple[str, date, str] | None:
        value: tuple[str, date, str] | None = self.__dict__.get("transfer_out")
        return value

    @property
    def noted_months(self) -> dict[tuple[str, date], bool]:
        value: dict[tuple[str, date], bool] = self.__dict__.get("noted_months", {})
        return value
