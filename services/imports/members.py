"""Importing members (đảng viên): check every row, then enrol, transfer or change status.

A member is matched by party card number (its record's id derives from the number), so the
same file imported twice writes nothing the second time, and a changed file writes exactly the
events that describe the changes: a transfer between cells (``Member.TransferredBetweenCells``
with both rosters), an exemption begun or ended, a temporary transfer begun. What the file says
differently about a name, a birth date or a recognition is reported, not applied: those are
corrections and admissions with their own procedures.

Rows go in batches: one query reads the batch's card records, one its members, one the
rosters not yet read; the batch's aggregates are then saved in one transaction. A failure
part-way leaves whole batches written, and re-running the file skips them as unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain import temporary_transfer
from domain.base import Actor, DomainError
from domain.member import Member, MemberStatus
from domain.party_card import PartyCard, card_id, give_card, normalise_card_number
from domain.roster import CellRoster, Change, roster_id
from infra.application import TenantApplication
from services.imports.bulk import load_many
from services.imports.columns import Cells, cells_of
from services.imports.reading import Row
from services.imports.report import WARNING, Report
from services.imports.template import (
    ACTIVE,
    DETAIL_KEYS,
    EXEMPTED,
    GENDER_WORDS,
    MEMBER_COLUMNS,
    STATUS_WORDS,
    TEMPORARY,
)  # fmt: skip
from services.imports.units import UnitIndex

BATCH = 1_000
IMPORT_REASON = "theo tệp nhập dữ liệu"


@dataclass(slots=True)
class MemberRow:
    row: int
    card: str
    full_name: str
    birth_date: date
    gender: str
    admitted_on: date
    official_on: date | None
    cell_id: UUID
    status: str
    since: date | None
    host_id: UUID | None
    joined_cell_on: date | None
    details: tuple[str | None, ...]


def check_members(
    rows: Iterator[Row], units: UnitIndex, today: date, report: Report
) -> Iterator[MemberRow]:
    """Every row's own problems into ``report``; the rows without an error, in file order."""
    seen: dict[str, int] = {}
    for cells in cells_of(rows, MEMBER_COLUMNS, report):
        errors = report.errors
        parsed = _parse(cells, units, today)
        if parsed is None or report.errors > errors:
            continue
        first = seen.setdefault(parsed.card, parsed.row)
        if first != parsed.row:
            cells.error(
                "card",
                f"số thẻ {parsed.card} trùng với dòng {first}",
                f"card number {parsed.card} is also on row {first}",
            )
            continue
        yield parsed


def _parse(cells: Cells, units: UnitIndex, today: date) -> MemberRow | None:
    card = cells.text("card", True)
    if card:
        try:
            card = normalise_card_number(card)
        except DomainError as error:
            cells.error("card", error.vi, error.en)
    name = cells.text("full_name", True)
    birth = cells.day("birth_date", True)
    gender = cells.word("gender", GENDER_WORDS)
    admitted = cells.day("admitted_on", True)
    official = cells.day("official_on")
    status = cells.word("status", STATUS_WORDS)
    since = cells.day("status_since")
    joined = cells.day("joined_cell_on")
    cell_code = cells.text("cell_code", True)
    cell = units.cell(cell_code) if cell_code else None
    if cell_code and cell is None:
        unknown = units.find(cell_code) is None
        cells.error(
            "cell_code",
            f"mã chi bộ {cell_code} " + ("không có trong tỉnh" if unknown else "không phải chi bộ"),
            f"cell code {cell_code} " + ("is unknown" if unknown else "is not a cell"),
        )
    host_code = cells.text("host_cell_code", status == TEMPORARY)
    host = units.cell(host_code) if host_code else None
    if host_code and host is None:
        cells.error("host_cell_code", f"mã chi bộ {host_code} không có trong tỉnh",
                    f"cell code {host_code} is unknown")  # fmt: skip
    if status == EXEMPTED and since is None:
        cells.error("status_since", "miễn sinh hoạt cần ngày bắt đầu",
                    "an exemption needs its start date")  # fmt: skip
    if birth and admitted and birth >= admitted:
        cells.error("birth_date", "ngày sinh phải trước ngày vào Đảng",
                    "the birth date must be before the admission")  # fmt: skip
    if admitted and official and official < admitted:
        cells.error("official_on", "ngày chính thức trước ngày vào Đảng",
                    "the official date is before the admission date")  # fmt: skip
    if admitted and official is None and _months_between(admitted, today) > 12:
        cells.warn(
            "official_on",
            f"đảng viên dự bị từ {admitted:%d/%m/%Y}, đã quá 12 tháng mà chưa được công nhận"
            " chính thức",
            f"probationary since {admitted:%d/%m/%Y}: over 12 months without recognition",
        )
    details = tuple(cells.text(k) or None for k in DETAIL_KEYS)
    if not (card and name and birth and gender and admitted and status and cell):
        return None
    return MemberRow(cells.number, card, name, birth, gender, admitted, official, cell.id,
                     status, since, host.id if host else None, joined, details)  # fmt: skip


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


class Planner:
    """Turns batches of rows into changed aggregates; keeps the rosters it has read."""

    def __init__(self, app: TenantApplication, by: Actor, today: date, report: Report) -> None:
        self.app, self.by, self.today, self.report = app, by, today, report
        self.rosters: dict[UUID, CellRoster] = {}

    def plan(self, batch: list[MemberRow]) -> tuple[list[Any], list[tuple[Any, ...]]]:
        """The aggregates to save for ``batch`` and its ``member_details`` rows."""
        cards: dict[UUID, Any] = load_many(self.app, (card_id(r.card) for r in batch))
        holders = [c.holder for c in cards.values() if isinstance(c, PartyCard) and c.holder]
        members: dict[UUID, Any] = load_many(self.app, holders)
        cells = {r.cell_id for r in batch} | {r.host_id for r in batch if r.host_id}
        cells |= {m.cell_id for m in members.values() if isinstance(m, Member)}
        self._read_rosters(cells)
        changed: dict[UUID, Any] = {}
        details = []
        for row in batch:
            card = cards.get(card_id(row.card))
            member = (
                members.get(card.holder) if isinstance(card, PartyCard) and card.holder else None
            )
            try:
                touched = self._new(row, card) if member is None else self._update(row, member)
            except DomainError as error:
                self.report.add(row.row, "", error.vi, error.en)
                continue
            for aggregate in touched:
                changed[aggregate.id] = aggregate
            member_id = touched[0].id if member is None else member.id
            if any(row.details):
                details.append((member_id, *row.details))
        return list(changed.values()), details

    def _read_rosters(self, cells: set[UUID]) -> None:
        missing = [c for c in cells if c not in self.rosters]
        found = load_many(self.app, (roster_id(c) for c in missing))
        for cell in missing:
            roster = found.get(roster_id(cell))
            self.rosters[cell] = roster if isinstance(roster, CellRoster) else (
                CellRoster.open(cell, self.by))  # fmt: skip

    def _new(self, row: MemberRow, card: Any) -> list[Any]:
        by = self.by
        status = MemberStatus.OFFICIAL if row.official_on else MemberStatus.PROBATIONARY
        joined = row.joined_cell_on or row.admitted_on
        member = Member.enrol(uuid4(), row.full_name, row.birth_date, row.gender, row.cell_id,
                              status, row.admitted_on, row.official_on, joined, by)  # fmt: skip
        existing = card if isinstance(card, PartyCard) else None
        cards = give_card(member, row.card, existing, None, "", by)
        home = self.rosters[row.cell_id]
        home.enrol(member.id, status, joined, by)
        touched: list[Any] = [member, *cards, home]
        touched += self._status(row, member, home, max(joined, row.since or joined))
        self.report.count("new")
        return touched

    def _update(self, row: MemberRow, member: Member) -> list[Any]:
        if not member.is_active:
            self.report.add(row.row, "", f"đảng viên {member.full_name} đã ra khỏi danh sách;"
                            " dòng này không được áp dụng", "the member has left the roster",
                            WARNING)  # fmt: skip
            self.report.count("not_applied")
            return [member]
        self._differences(row, member)
        touched: list[Any] = []
        if member.cell_id != row.cell_id:
            on = row.joined_cell_on or self.today
            old, new = self.rosters[member.cell_id], self.rosters[row.cell_id]
            standing = old.standing(member.id, on)
            member.transfer(row.cell_id, on, self.by)
            old.record(member.id, Change.LEFT, on, self.by)
            new.enrol(member.id, standing.status if standing else member.status, on, self.by)
            touched += [member, old, new]
        touched += self._status(row, member, self.rosters[member.cell_id], row.since or self.today)
        self.report.count("changed" if touched else "unchanged")
        return [member, *touched]

    def _status(self, row: MemberRow, member: Member, home: CellRoster, on: date) -> list[Any]:
        """Bring the member's status (active / exempted / temporary) to the file's."""
        by, today = self.by, max(on, self.today)  # the status now, as the file states it
        standing = home.standing(member.id, today)
        away = standing is not None and standing.transferred_out
        if row.status == EXEMPTED and not member.exempted_on(today):
            member.exempt(on, None, IMPORT_REASON, by)
            home.record(member.id, Change.EXEMPTED, on, by)
            return [member, home]
        if row.status != EXEMPTED and member.exempted_on(today):
            member.end_exemption(on, by)
            home.record(member.id, Change.EXEMPTION_ENDED, on, by)
            return [member, home]
        if row.status == TEMPORARY and not away and row.host_id is not None:
            host = self.rosters[row.host_id]
            temporary_transfer.transfer_temporarily(member, home, host, on, by)
            return [home, host]
        if row.status == ACTIVE and away:
            self.report.add(row.row, "Tình trạng", "kết thúc sinh hoạt tạm thời không nhập từ tệp;"
                            " hãy ghi nhận qua chức năng chuyển sinh hoạt",
                            "ending a temporary transfer is not imported", WARNING)  # fmt: skip
        return []

    def _differences(self, row: MemberRow, member: Member) -> None:
        for header, ours, theirs in (
            ("Họ và tên", member.full_name, row.full_name),
            ("Ngày sinh", member.birth_date, row.birth_date),
            ("Giới tính", member.gender, row.gender),
            ("Ngày chính thức", member.official_on, row.official_on),
        ):
            if ours != theirs:
                self.report.add(
                    row.row, header,
                    f"khác với hồ sơ ({_shown(ours)} → {_shown(theirs)}): không áp dụng; đính"
                    " chính hoặc công nhận chính thức theo thủ tục riêng",
                    f"differs from the record ({ours} → {theirs}): not applied", WARNING,
                )  # fmt: skip


def _shown(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else str(value or "trống")


def apply_members(
    planner: Planner,
    rows: Iterator[MemberRow],
    save: Callable[[list[Any], list[tuple[Any, ...]], int], None],
) -> None:
    """Plan and hand each batch to ``save`` (which writes it, or on a dry run only counts)."""
    batch: list[MemberRow] = []
    done = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            done += len(batch)
            save(*planner.plan(batch), done)
            batch = []
    if batch:
        done += len(batch)
        save(*planner.plan(batch), done)
