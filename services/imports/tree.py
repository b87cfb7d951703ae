"""Importing the organisation tree (cây tổ chức): check every row, then found, rename or move.

A unit's id derives from its code (``unit_id_for_code``), so re-importing the same file finds
every unit already there and writes nothing; a changed name is a rename, a changed parent code
a move (from the day of the import). Units missing from the file are left alone: a file may
hold part of the tree. Rows are applied parents first, whatever their order in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.base import Actor, DomainError
from domain.org_unit import Level, OrgUnit, check_parent_fits, unit_id_for_code
from infra.application import TenantApplication
from services.imports.columns import cells_of
from services.imports.reading import Row
from services.imports.report import Report
from services.imports.template import LEVEL_WORDS, TREE_COLUMNS
from services.imports.units import UnitIndex

BATCH = 500


@dataclass(slots=True)
class TreeRow:
    row: int
    code: str
    """As the file writes it: the case is kept (an export gives back the same code)."""
    name: str
    level: Level
    parent_code: str
    """Upper case: codes are matched without regard to case."""
    founded_on: date

    @property
    def key(self) -> str:
        return self.code.upper()


def check_tree(rows: Iterator[Row], index: UnitIndex, report: Report) -> list[TreeRow]:
    """Every row's problems in ``report``; the valid rows, parents before children."""
    parsed: dict[str, TreeRow] = {}
    words = {k: v.value for k, v in LEVEL_WORDS.items()}
    for cells in cells_of(rows, TREE_COLUMNS, report):
        written = cells.text("code", True)
        code = written.upper()  # matched without case, kept as written
        name = cells.text("name", True)
        level = cells.word("level", words)
        founded = cells.day("founded_on", True)
        parent = cells.text("parent_code").upper()
        if code and code in parsed:
            cells.error(
                "code",
                f"mã tổ chức {written} trùng với dòng {parsed[code].row}",
                f"unit code {written} already on row {parsed[code].row}",
            )
            continue
        if code and name and level and founded:
            parsed[code] = TreeRow(cells.number, written, name, Level(level), parent, founded)
    ordered = _parents_first(parsed, index, report)
    for row in ordered:
        parent_level = _level(row.parent_code, parsed, index)
        try:
            check_parent_fits(row.level, parent_level)
        except DomainError as error:
            report.add(row.row, "Cấp", error.vi, error.en)
        if row.level is Level.PROVINCE:
            same = {unit_id_for_code(row.code), getattr(index.find(row.code), "id", None)}
            existing = [u for u in index.roots() if u.id not in same]
            if existing:
                report.add(
                    row.row, "Mã tổ chức",
                    f"tỉnh đã có tổ chức gốc «{existing[0].name}»; chỉ có một Đảng bộ tỉnh",
                    f"the province already has a root unit '{existing[0].name}'",
                )  # fmt: skip
    return ordered


def _level(code: str, parsed: dict[str, TreeRow], index: UnitIndex) -> Level | None:
    if not code:
        return None
    return parsed[code].level if code in parsed else index.level_of(code)


def _parents_first(parsed: dict[str, TreeRow], index: UnitIndex, report: Report) -> list[TreeRow]:
    ordered: list[TreeRow] = []
    placed: set[str] = set()
    waiting = dict(parsed)
    for code, row in list(waiting.items()):
        if (
            row.parent_code
            and row.parent_code not in parsed
            and index.find(row.parent_code) is None
        ):
            report.add(
                row.row, "Mã tổ chức cấp trên",
                f"mã cấp trên {row.parent_code} không có trong tệp, cũng không có trong tỉnh",
                f"parent code {row.parent_code} is neither in the file nor in the province",
            )  # fmt: skip
            del waiting[code]
    while waiting:
        ready = [r for r in waiting.values()
                 if not r.parent_code or r.parent_code not in waiting]  # fmt: skip
        if not ready:
            for row in waiting.values():
                report.add(
                    row.row, "Mã tổ chức cấp trên",
                    "cấp trên tạo thành vòng lặp (một tổ chức nằm dưới chính nó)",
                    "the parent codes form a cycle",
                )  # fmt: skip
            break
        for row in sorted(ready, key=lambda r: r.row):
            ordered.append(row)
            placed.add(row.key)
            del waiting[row.key]
    return ordered


def apply_tree(
    app: TenantApplication,
    rows: list[TreeRow],
    index: UnitIndex,
    by: Actor,
    today: date,
    report: Report,
    save: Callable[[list[Any], int], None],
) -> None:
    """Found, rename or move each unit; ``save`` takes each batch (a dry run only counts)."""
    pending: dict[Any, OrgUnit] = {}
    done = 0
    for row in rows:
        try:
            kind, changed = _apply_row(row, index, by, today)
        except DomainError as error:
            report.add(row.row, "", error.vi, error.en)
            continue
        report.count(kind)
        for unit in changed:
            pending[unit.id] = unit
        done += 1
        if len(pending) >= BATCH:
            save(list(pending.values()), done)
            pending.clear()
    if pending:
        save(list(pending.values()), done)


def _apply_row(row: TreeRow, index: UnitIndex, by: Actor, today: date) -> tuple[str, list[OrgUnit]]:
    unit = index.units.get(unit_id_for_code(row.code)) or index.find(row.code)
    parent = index.find(row.parent_code) if row.parent_code else None
    if unit is None:
        unit = OrgUnit.found(unit_id_for_code(row.code), row.name, row.level, parent,
                             row.founded_on, by)  # fmt: skip
        unit.assign_code(row.code, by)
        index.units[unit.id] = unit
        index.by_code[row.key] = unit
        return "new", [unit, *([parent] if parent else [])]
    changed = []
    if unit.code and unit.code != row.code:  # the same code in another case: the file's is kept
        unit.assign_code(row.code, by)
        index.by_code[row.key] = unit
        changed.append(unit)
    if unit.name != row.name:
        unit.rename(row.name, by)
        changed.append(unit)
    if parent is not None and unit.parent_id != parent.id and unit.parent_id is not None:
        old = index.units[unit.parent_id]
        unit.move(old, parent, _ancestors(index, parent), today, by)
        changed += [unit, old, parent]
    return ("changed" if changed else "unchanged"), list({u.id: u for u in changed}.values())


def _ancestors(index: UnitIndex, unit: OrgUnit) -> set[Any]:
    seen: set[Any] = set()
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = index.units.get(parent_id)
        parent_id = parent.parent_id if parent else None
    return seen
