"""Export in the import's shape (xuất dữ liệu): the tree and the members as of a day.

What the export writes, the import reads back: a province can round-trip its data or hand it
to another system. A unit without a code (founded through the API) is written with its id as
its code, which the import recognises. A member without a party card number is written with
an empty one, which an import refuses: give them a number first. Members are read from the
cells' dated rosters, so "as of" a past day lists who was in which cell, exempted or away.
Personal details come from ``member_details``; erased ones are simply absent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

from domain.member import Member
from domain.org_unit import OrgUnit
from domain.roster import CellRoster, Change, roster_id
from infra.application import TenantApplication
from services.imports.bulk import load_many
from services.imports.store import DETAILS
from services.imports.template import (
    ACTIVE,
    EXEMPTED,
    GENDER_HEADER,
    LEVEL_HEADER,
    MEMBER_COLUMNS,
    STATUS_HEADER,
    TEMPORARY,
    TREE_COLUMNS,
    Column,
)  # fmt: skip
from services.imports.units import UnitIndex
from services.security.store import execute, table

LOAD = 2_000


def unit_code(unit: OrgUnit) -> str:
    return unit.code or str(unit.id)


def tree_rows(app: TenantApplication, day: date) -> Iterator[list[str]]:
    index = UnitIndex.load(app)
    alive = [u for u in index.units.values()
             if u.founded_on <= day and (u.dissolved_on is None or u.dissolved_on > day)]  # fmt: skip
    depth = {u.id: _depth(index, u) for u in alive}
    for unit in sorted(alive, key=lambda u: (depth[u.id], unit_code(u))):
        parent = index.units.get(unit.parent_id) if unit.parent_id else None
        yield [unit_code(unit), unit.name, LEVEL_HEADER[unit.level],
               unit_code(parent) if parent else "", f"{unit.founded_on:%d/%m/%Y}"]  # fmt: skip


def _depth(index: UnitIndex, unit: OrgUnit) -> int:
    depth, parent_id = 0, unit.parent_id
    while parent_id is not None and depth < 32:
        depth += 1
        parent = index.units.get(parent_id)
        parent_id = parent.parent_id if parent else None
    return depth


def member_rows(app: TenantApplication, day: date) -> Iterator[list[str]]:
    index = UnitIndex.load(app)
    cells = sorted((u for u in index.units.values() if u.level.holds_meetings), key=unit_code)
    rosters = {r.cell_id: r for r in load_many(app, (roster_id(c.id) for c in cells)).values()
               if isinstance(r, CellRoster)}  # fmt: skip
    hosts: dict[UUID, UUID] = {}
    for each in rosters.values():
        for member_id, on_roll in each.members_on(day, with_temporary=True).items():
            if on_roll.temporary:
                hosts[member_id] = each.cell_id
    details = _details(app)
    for cell in cells:
        roster = rosters.get(cell.id)
        if roster is None:
            continue
        own = sorted(m for m, s in roster.members_on(day).items() if not s.temporary)
        for start in range(0, len(own), LOAD):
            members = load_many(app, own[start : start + LOAD])
            for member_id in own[start : start + LOAD]:
                member = members[member_id]
                assert isinstance(member, Member)
                standing = roster.standing(member_id, day)
                yield _member_row(member, cell, roster, standing, hosts, index, details, day)


def _member_row(
    member: Member, cell: OrgUnit, roster: CellRoster, standing: Any, hosts: dict[UUID, UUID],
    index: UnitIndex, details: dict[UUID, tuple[Any, ...]], day: date,
) -> list[str]:  # fmt: skip
    status, since, host = ACTIVE, None, ""
    timeline = roster.changes.get(member.id, [])
    if standing is not None and standing.exempted:
        status = EXEMPTED
        since = _last(timeline, Change.EXEMPTED, day)
    elif standing is not None and standing.transferred_out:
        status = TEMPORARY
        since = _last(timeline, Change.TRANSFERRED_TEMPORARILY, day)
        host = index.code_of(hosts.get(member.id)) or str(hosts.get(member.id, ""))
    joined = next((on for on, change in timeline if change in (
        Change.ENROLLED_OFFICIAL, Change.ENROLLED_PROBATIONARY) and on <= day), None)  # fmt: skip
    official = member.official_on if member.official_on and member.official_on <= day else None
    extra = details.get(member.id, (None,) * 6)
    return [
        member.party_card_number or "", member.full_name, f"{member.birth_date:%d/%m/%Y}",
        GENDER_HEADER.get(member.gender, member.gender), f"{member.admitted_on:%d/%m/%Y}",
        f"{official:%d/%m/%Y}" if official else "", unit_code(cell), STATUS_HEADER[status],
        f"{since:%d/%m/%Y}" if since else "", host, f"{joined:%d/%m/%Y}" if joined else "",
        *(value or "" for value in extra),
    ]  # fmt: skip


def _last(timeline: list[tuple[date, Change]], change: Change, day: date) -> date | None:
    found = [on for on, c in timeline if c is change and on <= day]
    return found[-1] if found else None


def _details(app: TenantApplication) -> dict[UUID, tuple[Any, ...]]:
    from psycopg import sql

    rows = execute(
        app,
        sql.SQL(
            "SELECT member_id, ethnicity, education, theory, residence, phone, email FROM {}"
        ).format(table(app, DETAILS)),
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def headers(kind: str) -> list[str]:
    columns: tuple[Column, ...] = TREE_COLUMNS if kind == "tree" else MEMBER_COLUMNS
    return [c.header for c in columns]


def rows_of(app: TenantApplication, kind: str, day: date) -> Iterator[list[str]]:
    return tree_rows(app, day) if kind == "tree" else member_rows(app, day)


def to_csv(header: list[str], rows: Iterator[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark: spreadsheets then open the Vietnamese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode()


def to_xlsx(header: list[str], rows: Iterator[list[str]], sheet: str) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    page = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    page.write_row(0, 0, header, bold)
    for number, row in enumerate(rows, start=1):
        page.write_row(number, 0, row)
    book.close()
    return out.getvalue()


def export(app: TenantApplication, kind: str, day: date, fmt: str = "csv") -> bytes:
    rows = rows_of(app, kind, day)
    if fmt == "xlsx":
        return to_xlsx(headers(kind), rows, "Cây tổ chức" if kind == "tree" else "Đảng viên")
    return to_csv(headers(kind), rows)
