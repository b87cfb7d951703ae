"""The member roster (danh sách đảng viên): every member's current cell and standing.

Tables:

- ``members``: one row per member: name, birth date, gender, current cell, status
  (probationary/official), admission and official dates, exemption, suspension, departure;
- ``rosters``: which cell each roster aggregate belongs to;
- ``roster_changes``: every dated change of every cell's roster (the ``CellRoster`` log in
  table form), so the roster of a cell on any past day is one query.

Status changes come from the roster (recognition as official is a roster change dated on the
day it takes effect); personal data comes from the member's own events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.utils import get_topic

from domain.member import Member
from domain.roster import CellRoster, Change
from projections.base import StoredEventRow, decode, table
from projections.sets import OwnTables, Patches, copy_rows, plain

TABLES = ("roster_changes", "rosters", "members")
ENROLLED = get_topic(Member.Enrolled)
TRANSFERRED = get_topic(Member.TransferredBetweenCells)
EXEMPTED = get_topic(Member.Exempted)
EXEMPTION_ENDED = get_topic(Member.ExemptionEnded)
DEPARTED = get_topic(Member.Departed)
CHANGED = get_topic(CellRoster.Changed)
OPENED = get_topic(CellRoster.Opened)

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.members (id uuid PRIMARY KEY, full_name text NOT NULL,"
    " birth_date date NOT NULL, gender text NOT NULL, cell_id uuid NOT NULL,"
    " status text NOT NULL, admitted_on date NOT NULL, official_on date,"
    " joined_cell_on date NOT NULL, exempted_from date, exempted_until date,"
    " suspended boolean NOT NULL DEFAULT false, departed_on date, departure_reason text)",
    "CREATE INDEX IF NOT EXISTS members_cell ON {s}.members (cell_id)",
    # Counting a subtree's present members per cell reads this index alone (the units
    # collection's member counts). New in an existing province: ``chibo migrate`` (or the
    # server's start) creates it, IF NOT EXISTS, without rebuilding the table.
    "CREATE INDEX IF NOT EXISTS members_present_cell ON {s}.members (cell_id)"
    " WHERE departed_on IS NULL",
    "CREATE TABLE IF NOT EXISTS {s}.rosters (id uuid PRIMARY KEY, cell_id uuid NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.roster_changes (position bigint NOT NULL,"
    " cell_id uuid NOT NULL, member_id uuid NOT NULL, change text NOT NULL, on_day date NOT NULL)",
    "CREATE INDEX IF NOT EXISTS roster_changes_cell ON {s}.roster_changes (cell_id, on_day)",
    "CREATE INDEX IF NOT EXISTS roster_changes_member ON {s}.roster_changes (member_id)",
)

MEMBER_COLUMNS = (
    "id",
    "full_name",
    "birth_date",
    "gender",
    "cell_id",
    "status",
    "admitted_on",
    "official_on",
    "joined_cell_on",
)
TYPES = {
    "cell_id": "uuid",
    "status": "text",
    "official_on": "date",
    "joined_cell_on": "date",
    "exempted_from": "date",
    "exempted_until": "date",
    "suspended": "boolean",
    "departed_on": "date",
    "departure_reason": "text",
}


class RosterProjection(OwnTables):
    name = "roster"
    version = 1  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = TABLES
    deferred_indexes = (
        "members_cell",
        "members_present_cell",
        "roster_changes_cell",
        "roster_changes_member",
    )
    """Read by queries only; a rebuild builds them once at the end."""
    topics: tuple[str, ...] = (
        OPENED,
        ENROLLED,
        TRANSFERRED,
        EXEMPTED,
        EXEMPTION_ENDED,
        DEPARTED,
        CHANGED,
    )

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        enrolled: list[tuple[Any, ...]] = []
        changes: list[tuple[Any, ...]] = []
        opened: list[tuple[Any, ...]] = []
        patches = Patches(("id", "uuid"), TYPES)
        for row in events:
            e: Any = decode(row)
            if row.topic == ENROLLED:
                enrolled.append(
                    (
                        row.originator_id,
                        e.full_name,
                        e.birth_date,
                        e.gender,
                        e.cell_id,
                        plain(e.status),
                        e.admitted_on,
                        e.official_on,
                        e.joined_cell_on,
                    )
                )
            elif row.topic == TRANSFERRED:
                patches.set(row.originator_id, cell_id=e.to_cell_id, joined_cell_on=e.on)
            elif row.topic == EXEMPTED:
                patches.set(row.originator_id, exempted_from=e.start, exempted_until=e.end)
            elif row.topic == EXEMPTION_ENDED:
                patches.set(row.originator_id, exempted_until=e.on)
            elif row.topic == DEPARTED:
                patches.set(row.originator_id, departed_on=e.on, departure_reason=plain(e.reason))
            elif row.topic == OPENED:
                opened.append((row.originator_id, e.cell_id))
            elif row.topic == CHANGED:
                changes.append(
                    (row.notification_id, row.originator_id, e.member_id, plain(e.change), e.on)
                )
                if e.change is Change.RECOGNISED:
                    patches.set(e.member_id, status="official", official_on=e.on)
                elif e.change in (Change.SUSPENDED, Change.SUSPENSION_ENDED):
                    patches.set(e.member_id, suspended=e.change is Change.SUSPENDED)
        copy_rows(conn, schema, "members", MEMBER_COLUMNS, enrolled)
        copy_rows(conn, schema, "rosters", ("id", "cell_id"), opened)
        # The roster's id stands for its cell; resolve it while adding the changes.
        if changes:
            conn.execute(
                psycopg.sql.SQL(
                    "INSERT INTO {c} (position, cell_id, member_id, change, on_day)"
                    " SELECT u.position, r.cell_id, u.member_id, u.change, u.on_day"
                    " FROM unnest(%s::bigint[], %s::uuid[], %s::uuid[], %s::text[], %s::date[])"
                    " AS u(position, roster_id, member_id, change, on_day)"
                    " JOIN {r} AS r ON r.id = u.roster_id"
                ).format(c=table(schema, "roster_changes"), r=table(schema, "rosters")),
                [list(column) for column in zip(*changes, strict=True)],
            )
        patches.flush(conn, schema, "members")


ROSTER = RosterProjection()
