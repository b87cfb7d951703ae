"""Organisation units (tổ chức đảng) and the roster of each cell, dated so any past day is known.

The tree changes over time (the 2025 reform abolished districts): units are founded, renamed,
moved and dissolved; past reports must still show the tree as it was, which the projections do
from these events. A cell's roster lives here, not on the members, because the vote rules of a
meeting need one consistent answer to "who were the official members on that day".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID, uuid5

from domain.base import (
    Actor,
    ChiboAggregate,
    require_text,
)
from domain.org_unit_errors import (
    InvalidMeetingWindow,
    LevelDoesNotFitParent,
    MoveWouldCreateCycle,
    NotACell,
    UnitIsDissolved,
    UnitStillHasChildren,
    UnitStillHasMembers,
)


class Level(str, Enum):
    """Levels of party organisation (cấp tổ chức đảng)."""

    PROVINCE = "province"  # Đảng bộ tỉnh / thành phố
    DIRECT = "direct"  # Đảng bộ trực thuộc tỉnh: xã, phường, khối (huyện trước 7/2025)
    GRASSROOTS_COMMITTEE = "grassroots_committee"  # Đảng bộ cơ sở
    GRASSROOTS_CELL = "grassroots_cell"  # Chi bộ cơ sở
    SUB_COMMITTEE = "sub_committee"  # Đảng bộ bộ phận
    CELL = "cell"  # Chi bộ trực thuộc

    @property
    def holds_meetings(self) -> bool:
        """Cells (chi bộ) hold the monthly meeting and have members."""
        return self in (Level.CELL, Level.GRASSROOTS_CELL)


LEVEL_LABELS = {
    Level.PROVINCE: "Đảng bộ tỉnh",
    Level.DIRECT: "Đảng bộ trực thuộc tỉnh",
    Level.GRASSROOTS_COMMITTEE: "Đảng bộ cơ sở",
    Level.GRASSROOTS_CELL: "Chi bộ cơ sở",
    Level.SUB_COMMITTEE: "Đảng bộ bộ phận",
    Level.CELL: "Chi bộ trực thuộc",
}
"""Words a person reads for each level (refusals, the documents' tables): never the code."""

ALLOWED_PARENTS: dict[Level, frozenset[Level]] = {
    Level.PROVINCE: frozenset(),
    Level.DIRECT: frozenset({Level.PROVINCE}),
    Level.GRASSROOTS_COMMITTEE: frozenset({Level.DIRECT, Level.PROVINCE}),
    Level.GRASSROOTS_CELL: frozenset({Level.DIRECT, Level.PROVINCE}),
    Level.SUB_COMMITTEE: frozenset({Level.GRASSROOTS_COMMITTEE}),
    Level.CELL: frozenset({Level.GRASSROOTS_COMMITTEE, Level.SUB_COMMITTEE}),
}
"""Which level may sit under which (Điều lệ Đảng, ch. III; QĐ 294-QĐ/TW 2025)."""


@dataclass(frozen=True, slots=True)
class MeetingWindow:
    """Days of the month for the regular meeting (ngày sinh hoạt chi bộ định kỳ), e.g. 1–5 or 3."""

    first_day: int
    last_day: int

    def __post_init__(self) -> None:
        if not 1 <= self.first_day <= self.last_day <= 28:
            raise InvalidMeetingWindow(
                "Khung ngày sinh hoạt phải nằm trong ngày 1–28, ngày đầu không sau ngày cuối",
                "meeting window must be days 1–28 with first_day ≤ last_day",
                first_day=self.first_day,
                last_day=self.last_day,
            )

    def contains(self, day: date) -> bool:
        return self.first_day <= day.day <= self.last_day


_UNIT_CODE_NAMESPACE = UUID("a4f1e0c2-51b7-4d8e-8f36-0d2b7c9e6a13")


def unit_id_for_code(code: str) -> UUID:
    """The id of a unit an import founds: the same code in the same province, the same unit."""
    return uuid5(_UNIT_CODE_NAMESPACE, code.strip().upper())


def check_parent_fits(level: Level, parent_level: Level | None) -> None:
    allowed = ALLOWED_PARENTS[level]
    if parent_level is None and not allowed:
        return
    if parent_level is None or parent_level not in allowed:
        raise LevelDoesNotFitParent(
            f"Cấp «{LEVEL_LABELS[level]}» không thể trực thuộc "
            + (
                f"cấp «{LEVEL_LABELS[parent_level]}»" if parent_level else "gốc (không có cấp trên)"
            ),
            f"a {level.value} cannot sit under "
            f"{parent_level.value if parent_level else 'the root'}; allowed parents: "
            + ", ".join(sorted(p.value for p in allowed)),
            level=level.value,
        )


class OrgUnit(ChiboAggregate):
    """A party organisation (tổ chức đảng): a committee or a cell."""

    class Founded(ChiboAggregate.Created):
        name: str
        level: Level
        parent_id: UUID | None
        founded_on: date

    class Renamed(ChiboAggregate.Event):
        name: str

        def apply(self, unit: OrgUnit) -> None:
            unit.name = self.name

    class Moved(ChiboAggregate.Event):
        parent_id: UUID
        moved_on: date

        def apply(self, unit: OrgUnit) -> None:
            unit.parent_id = self.parent_id

    class Dissolved(ChiboAggregate.Event):
        dissolved_on: date
        reason: str

        def apply(self, unit: OrgUnit) -> None:
            unit.dissolved_on = self.dissolved_on

    class ChildAttached(ChiboAggregate.Event):
        child_id: UUID

        def apply(self, unit: OrgUnit) -> None:
            unit.child_ids.add(self.child_id)

    class ChildDetached(ChiboAggregate.Event):
        child_id: UUID

        def apply(self, unit: OrgUnit) -> None:
            unit.child_ids.discard(self.child_id)

    class MeetingWindowSet(ChiboAggregate.Event):
        first_day: int | None
        last_day: int | None

        def apply(self, unit: OrgUnit) -> None:
            if self.first_day is None or self.last_day is None:
                unit.meeting_window = None
            else:
                unit.meeting_window = MeetingWindow(self.first_day, self.last_day)

    def __init__(self, name: str, level: Level, parent_id: UUID | None, founded_on: date) -> None:
        self.name = name
        self.level = level
        self.parent_id = parent_id
        self.founded_on = founded_on
        self.dissolved_on: date | None = None
        self.child_ids: set[UUID] = set()
        self.meeting_window: MeetingWindow | None = None
        """``None``: the province's default window applies."""

    # -- commands -------------------------------------------------------------------------

    @classmethod
    def found(
        cls,
        id: UUID,
        name: str,
        level: Level,
        parent: OrgUnit | None,
        founded_on: date,
        by: Actor,
    ) -> OrgUnit:
        if parent is not None:
            parent.check_active()
        check_parent_fits(level, parent.level if parent else None)
        unit = cls._found(
            cls.Founded,
            by,
            id,
            name=require_text(name, "name", "Tên tổ chức"),
            level=level,
            parent_id=parent.id if parent else None,
            founded_on=founded_on,
        )
        if parent is not None:
            parent._record(cls.ChildAttached, by, child_id=unit.id)
        return unit

    def rename(self, name: str, by: Actor) -> None:
        self.check_active()
        self._record(self.Renamed, by, name=require_text(name, "name", "Tên tổ chức"))

    def move(
        self,
        old_parent: OrgUnit,
        new_parent: OrgUnit,
        new_parent_ancestors: set[UUID],
        on: date,
        by: Actor,
    ) -> None:
        """Move under ``new_parent``; ``new_parent_ancestors`` are its ancestors' ids."""
        self.check_active()
        new_parent.check_active()
        if new_parent.id == self.id or self.id in new_parent_ancestors:
            raise MoveWouldCreateCycle(
                "Không thể chuyển tổ chức vào dưới chính nó hoặc tổ chức cấp dưới của nó",
                "a unit cannot be moved under itself or one of its descendants",
            )
        check_parent_fits(self.level, new_parent.level)
        self._record(self.Moved, by, parent_id=new_parent.id, moved_on=on)
        old_parent._record(self.ChildDetached, by, child_id=self.id)
        new_parent._record(self.ChildAttached, by, child_id=self.id)

    def dissolve(
        self, parent: OrgUnit | None, active_members: int, on: date, reason: str, by: Actor
    ) -> None:
        self.check_active()
        if self.child_ids:
            raise UnitStillHasChildren(
                f"Tổ chức còn {len(self.child_ids)} tổ chức trực thuộc; hãy chuyển hoặc giải thể trước",
                f"the unit still has {len(self.child_ids)} child units; move or dissolve them first",
            )
        if active_members:
            raise UnitStillHasMembers(
                f"Chi bộ còn {active_members} đảng viên đang sinh hoạt; hãy chuyển sinh hoạt trước",
                f"the cell still has {active_members} active members; transfer them first",
            )
        self._record(
            self.Dissolved, by, dissolved_on=on, reason=require_text(reason, "reason", "Lý do")
        )
        if parent is not None:
            parent._record(self.ChildDetached, by, child_id=self.id)

    def set_meeting_window(self, window: MeetingWindow | None, by: Actor) -> None:
        self.check_active()
        self.check_is_cell()
        self._record(
            self.MeetingWindowSet,
            by,
            first_day=window.first_day if window else None,
            last_day=window.last_day if window else None,
        )

    # -- unit code (issue 18): appended, never renamed ----------------------------------

    class CodeAssigned(ChiboAggregate.Event):
        """Mã tổ chức: the code the province's own files use for this unit."""

        code: str

        def apply(self, unit: OrgUnit) -> None:
            unit.__dict__["code"] = self.code

    def assign_code(self, code: str, by: Actor) -> None:
        value = require_text(code, "code", "Mã tổ chức", 50)
        if value != self.code:
            self._record(self.CodeAssigned, by, code=value)

    @property
    def code(self) -> str | None:
        value: str | None = self.__dict__.get("code")
        return value

    # -- queries --------------------------------------------------------------------------

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def check_active(self) -> None:
        if not self.is_active:
            raise UnitIsDissolved(
                f"Tổ chức «{self.name}» đã giải thể", f"unit '{self.name}' is dissolved"
            )

    def check_is_cell(self) -> None:
        if not self.level.holds_meetings:
            raise NotACell(
                f"«{self.name}» không phải chi bộ", f"'{self.name}' is not a cell (chi bộ)"
            )
