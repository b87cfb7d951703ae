"""Demo contacts (địa chỉ e-mail thử): so the demo's invitations reach the local mail capture.

Every demo member, every committee above a cell and the plans' assignees get an e-mail address
under the reserved ``.example`` domain (RFC 2606: no real mailbox can be reached), kept in the
erasable ``contacts`` table like any real address — never in the event log.

The year of activity the demo writes at its seeding is history: its meetings were never
announced, so their notice causes are marked expanded at once (:func:`history_announced`);
otherwise the first start would mail a year of invitations to the capture. Only what is done
after the seeding — a secretary scheduling a meeting in the demo — sends invitations.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from psycopg import errors, sql

from domain.member import Member
from domain.org_unit import Level, OrgUnit
from domain.roster import CellRoster, roster_id
from infra import contacts
from infra.application import TenantApplication
from infra.outbox import OUTBOX
from services.documents.files import ascii_name

DOMAIN = "minh-son.chibo.example"


def address(name: str, member_id: UUID) -> str:
    """ "Nguyễn Thị Lan" → "nguyen.thi.lan.3f2a9c@…": readable, unique by the id's start."""
    return f"{ascii_name(name).replace('-', '.')}.{member_id.hex[:6]}@{DOMAIN}"


def give_all(
    app: TenantApplication,
    units: Iterable[OrgUnit],
    rosters: Iterable[CellRoster],
    assignees: Iterable[tuple[str, str]],
    on: date,
) -> int:
    """Addresses for the members on the rolls ``on``, the committees above cells and the
    assignees (id, name); the number of addresses given."""
    given = 0
    for roster in rosters:
        current: CellRoster = app.repository.get(roster.id)
        for member_id in current.members_on(on):
            member: Member = app.repository.get(member_id)
            email = address(member.full_name, member.id)
            contacts.save(app, contacts.Contact("member", str(member.id), email, None))
            given += 1
    for unit in units:
        if unit.level is not Level.CELL:
            email = f"van-phong.{ascii_name(unit.name).replace('-', '.')}@{DOMAIN}"
            contacts.save(app, contacts.Contact("unit", str(unit.id), email, None))
            given += 1
    for assignee_id, name in assignees:
        email = f"{ascii_name(name).replace('-', '.')}.cap-tren@{DOMAIN}"
        contacts.save(app, contacts.Contact("assignee", assignee_id, email, None))
        given += 1
    return given


def backfill(app: TenantApplication, assignees: Iterable[tuple[str, str]], on: date) -> int:
    """A demo seeded before it had addresses gets them, once (none kept yet); the number given.

    The units come from the org tree's read model (built by that demo's first run) and are
    loaded from the log; history is not touched: its notices were expanded long ago.
    """
    with app.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            sql.SQL("SELECT 1 FROM {} WHERE kind = 'member' LIMIT 1").format(
                sql.Identifier(app.schema, "contacts")
            )
        )
        if cursor.fetchone() is not None:
            return 0
        try:
            cursor.execute(
                sql.SQL("SELECT id FROM {} ORDER BY id").format(
                    sql.Identifier(app.schema, "org_units")
                )
            )
        except errors.UndefinedTable:
            return 0
        ids = [row["id"] for row in cursor.fetchall()]
    units: list[OrgUnit] = [app.repository.get(unit_id) for unit_id in ids]
    rosters: list[CellRoster] = []
    for unit in units:
        if unit.level is Level.CELL:
            with contextlib.suppress(AggregateNotFoundError):
                rosters.append(app.repository.get(roster_id(unit.id)))
    return give_all(app, units, rosters, assignees, on)


def history_announced(app: TenantApplication) -> int:
    """Mark the seeded history's notice causes expanded; the number marked."""
    with app.datastore.transaction(commit=True) as cursor:
        cursor.execute(
            sql.SQL("UPDATE {} SET expanded_at = now() WHERE expanded_at IS NULL").format(
                sql.Identifier(app.schema, OUTBOX)
            )
        )
        return int(cursor.rowcount)
