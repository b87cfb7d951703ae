"""Wire types for organisation units (tổ chức đảng) and members (đảng viên)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec

from domain.member import DepartureReason, MemberStatus
from domain.org_unit import Level
from services.wire import Name, Text

CardNumber = Annotated[str, msgspec.Meta(min_length=3, max_length=40)]
Day = Annotated[int, msgspec.Meta(ge=1, le=28)]


class FoundUnit(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    level: Level
    founded_on: date
    parent_id: UUID | None = None


class RenameUnit(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    expected_version: int | None = None


class MoveUnit(msgspec.Struct, forbid_unknown_fields=True):
    new_parent_id: UUID
    moved_on: date
    expected_version: int | None = None


class DissolveUnit(msgspec.Struct, forbid_unknown_fields=True):
    dissolved_on: date
    reason: Text
    expected_version: int | None = None


class SetMeetingWindow(msgspec.Struct, forbid_unknown_fields=True):
    """Both days, or both null to fall back to the province's default window."""

    first_day: Day | None
    last_day: Day | None
    expected_version: int | None = None


class UnitView(msgspec.Struct):
    id: UUID
    name: str
    level: Level
    parent_id: UUID | None
    founded_on: date
    dissolved_on: date | None
    child_ids: list[UUID]
    meeting_window: tuple[int, int] | None
    version: int


class EnrolMember(msgspec.Struct, forbid_unknown_fields=True):
    full_name: Name
    birth_date: date
    gender: Annotated[str, msgspec.Meta(pattern="^(nam|nu|khac)$")]
    cell_id: UUID
    status: MemberStatus
    admitted_on: date
    joined_cell_on: date
    official_on: date | None = None
    party_card_number: CardNumber | None = None


class SetPartyCard(msgspec.Struct, forbid_unknown_fields=True):
    """Số thẻ đảng viên; replacing a recorded number is a correction and needs a reason."""

    number: CardNumber
    reason: str = ""
    expected_version: int | None = None


class TransferMember(msgspec.Struct, forbid_unknown_fields=True):
    to_cell_id: UUID
    on: date
    expected_version: int | None = None


class ExemptMember(msgspec.Struct, forbid_unknown_fields=True):
    start: date
    reason: Text
    end: date | None = None
    expected_version: int | None = None


class EndExemption(msgspec.Struct, forbid_unknown_fields=True):
    on: date
    expected_version: int | None = None


class MemberLeaves(msgspec.Struct, forbid_unknown_fields=True):
    reason: DepartureReason
    on: date
    note: str = ""
    expected_version: int | None = None


class MemberView(msgspec.Struct):
    id: UUID
    full_name: str
    birth_date: date
    gender: str
    cell_id: UUID
    status: MemberStatus
    admitted_on: date
    official_on: date | None
    exempted_since: date | None
    departed: tuple[DepartureReason, date] | None
    version: int
    party_card_number: str | None = None
    special_duty_since: date | None = None
    """Lực lượng vũ trang làm nhiệm vụ đặc biệt since that day (issue 12 §3)."""
    departed_label: str | None = None
    """``departed``'s reason in words (issue 12 §5): the code is for machines, this for people."""


class RosterEntry(msgspec.Struct):
    member_id: UUID
    status: MemberStatus
    exempted: bool
    suspended: bool
    transferred_out: bool = False  # chuyển sinh hoạt tạm thời nơi khác: on the roll, no vote here
    temporary: bool = False  # đảng viên nơi khác sinh hoạt tạm thời: listed, no vote
    special_duty: bool = False  # làm nhiệm vụ đặc biệt: out of the absent-over-3 figure
    since: dict[str, date] = {}
    """The day each state the member is in began, by the state's name above (``exempted``,
    ``suspended``, ``transferred_out``, ``temporary``, ``special_duty``)."""


class RosterView(msgspec.Struct):
    cell_id: UUID
    on: date
    official_count: int
    active_count: int
    members: list[RosterEntry]
    temporary_members: list[RosterEntry] = []
    """Members of other cells active here for now (sinh hoạt tạm thời); they have no vote."""
