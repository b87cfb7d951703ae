"""Export in the import's shape (xuất dữ liệu): the tree and the members as of a day.

What the export writes, the import reads back: a province can round-trip its data or hand it
to another system. A unit without a code (founded through the API) is written with its id as
its code, which the import recognises. A member without a party card number is written with
an empty one, which an import refuses: give them a number first. Members are read from the
cells' dated rosters, so "as of" a past day lists who was in which cell, exempted or away;
the tree as of a day has the units alive that day with that day's names and parents.
Personal details come from ``member_details``; erased ones are simply absent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

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
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
SHAPING = (OrgUnit.Founded, OrgUnit.Moved, OrgUnit.Renamed)
"""The events that set a unit's name or parent."""


def unit_code(unit: OrgUnit) -> str:
    return unit.code or str(unit.id)


def tree_rows(app: TenantApplication, day: date) -> Iterator[list[str]]:
    """The units alive on ``day``, each with its name and parent of that day, parents first."""
    index = UnitIndex.load(app)
    alive = {u.id: u for u in index.units.values()
             if u.founded_on <= day and (u.dissolved_on is None or u.dissolved_on > day)}  # fmt: skip
    history = unit_history(app)
    then = {
        unit_id: history.get(unit_id, UnitPast()).on(day, unit) for unit_id, unit in alive.items()
    }
    depth = {unit_id: _depth(then, unit_id) for unit_id in alive}
    for unit in sorted(alive.values(), key=lambda u: (depth[u.id], unit_code(u))):
        name, parent_id = then[unit.id]
        parent = index.units.get(parent_id) if parent_id else None
        yield [unit_code(unit), name, LEVEL_HEADER[unit.level],
               unit_code(parent) if parent else "", f"{unit.founded_on:%d/%m/%Y}"]  # fmt: skip


@dataclass
class UnitPast:
    """A unit's names and parents with the day each took effect (cây tổ chức theo ngày)."""

    names: list[tuple[date, str]] = field(default_factory=list)
    parents: list[tuple[date, UUID | None]] = field(default_factory=list)

    def on(self, day: date, unit: OrgUnit) -> tuple[str, UUID | None]:
        name = next((n for on, n in reversed(self.names) if on <= day), unit.name)
        parent = next((p for on, p in reversed(self.parents) if on <= day), unit.parent_id)
        return name, parent


def unit_history(app: TenantApplication) -> dict[UUID, UnitPast]:
    """Every unit's founding, moves and renames, read from the log in one query.

    A move takes effect on its ``moved_on``; a rename carries no day of its own, so it takes
    effect on the day it was recorded (Vietnam time)."""
    from psycopg import sql

    from infra.application import EVENTS_TABLE

    query = sql.SQL(
        "SELECT originator_id, originator_version, topic, state FROM {}.{}"
        " WHERE topic = ANY(%s) ORDER BY originator_id, originator_version"
    ).format(sql.Identifier(app.schema), sql.Identifier(EVENTS_TABLE))
    with app.datastore.transaction(commit=False) as cursor:
        cursor.execute(query, ([get_topic(c) for c in SHAPING],))
        rows = cursor.fetchall()
    found: dict[UUID, UnitPast] = {}
    for row in rows:
        event = app.mapper.to_domain_event(StoredEvent(
            originator_id=row["originator_id"], originator_version=row["originator_version"],
            topic=row["topic"], state=bytes(row["state"])))  # fmt: skip
        past = found.setdefault(event.originator_id, UnitPast())
        if isinstance(event, OrgUnit.Founded):
            past.names.append((event.founded_on, event.name))
            past.parents.append((event.founded_on, event.parent_id))
        elif isinstance(event, OrgUnit.Moved):
            past.parents.append((event.moved_on, event.parent_id))
        elif isinstance(event, OrgUnit.Renamed):
            past.names.append((event.timestamp.astimezone(VIETNAM).date(), event.name))
    for past in found.values():  # a move may be recorded after a later-dated one: by day
        past.names.sort(key=lambda item: item[0])
        past.parents.sort(key=lambda item: item[0])
    return found


def _depth(then: dict[UUID, tuple[str, UUID | None]], unit_id: UUID) -> int:
    depth, parent_id = 0, then[unit_id][1]
    while parent_id is not None and parent_id in then and depth < 32:
        depth += 1
        parent_id = then[parent_id][1]
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
