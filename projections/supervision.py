"""Read models of supervision: superior visits, petitions and rotation coverage per cell.

Tables (in the tenant's schema):

- ``sup_plans``: one row per attendance plan (committee, year, quarter);
- ``sup_assignments``: one row per assignment (planned or unplanned visit) with its state;
- ``sup_petitions``: one row per petition with its level, state, due date and steps;
- ``sup_rotation``: one row per (rotation schedule, member): taken, dropped, carried-over count;
- ``sup_petition_spans``: one row per time a petition was open (raised or reopened → answered
  back), so figures "as of" a past day see a reopened petition as it stood then.

Figures per org node join ``org_closure`` (the org-tree projection), so "everything under this
committee" is one indexed query. A batch is folded in Python per key first (creations become
inserts, later events in the same batch amend them; changes to older rows become grouped
``UPDATE … FROM unnest``), so a batch costs a handful of statements whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.utils import get_topic

from domain.attendance_plan import AttendancePlan
from domain.petition import Petition
from domain.rotation import RotationSchedule
from infra.readside import ReadSide, qualified
from projections.base import StoredEventRow, decode
from projections.sets import Column, OwnTables, upsert_rows
from projections.supervision_batch import Fold, Spans

TABLES = (
    "sup_plans",
    "sup_assignments",
    "sup_petitions",
    "sup_schedules",
    "sup_rotation",
    "sup_petition_spans",
)

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.sup_plans (plan_id uuid PRIMARY KEY, committee_id uuid NOT NULL,"
    " year int NOT NULL, quarter int)",
    "CREATE TABLE IF NOT EXISTS {s}.sup_assignments (assignment_id uuid PRIMARY KEY,"
    " plan_id uuid NOT NULL, cell_id uuid NOT NULL, assignee_id text NOT NULL,"
    " assignee_name text NOT NULL, role text NOT NULL, month date, unplanned boolean NOT NULL,"
    " state text NOT NULL, contacted_on date, meeting_id uuid, attended_on date,"
    " petitions int NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS sup_assignments_cell ON {s}.sup_assignments (cell_id)",
    "CREATE TABLE IF NOT EXISTS {s}.sup_petitions (petition_id uuid PRIMARY KEY,"
    " cell_id uuid NOT NULL, source text NOT NULL, competent_level text NOT NULL,"
    " category text NOT NULL, raised_on date NOT NULL, due_on date NOT NULL, state text NOT NULL,"
    " forwarded_to uuid, answered_on date, reopen_count int NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS sup_petitions_cell ON {s}.sup_petitions (cell_id, raised_on)",
    "CREATE TABLE IF NOT EXISTS {s}.sup_schedules (schedule_id uuid PRIMARY KEY,"
    " cell_id uuid NOT NULL, cycle_start date NOT NULL, cycle_end date NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sup_schedules_cell ON {s}.sup_schedules (cell_id, cycle_start)",
    "CREATE TABLE IF NOT EXISTS {s}.sup_rotation (schedule_id uuid NOT NULL,"
    " member_id uuid NOT NULL, dropped boolean NOT NULL DEFAULT false, taken_on date,"
    " carried int NOT NULL DEFAULT 0, PRIMARY KEY (schedule_id, member_id))",
    # seq = the version of the event that opened the span (Raised or Reopened).
    "CREATE TABLE IF NOT EXISTS {s}.sup_petition_spans (petition_id uuid NOT NULL,"
    " seq int NOT NULL, opened_on date NOT NULL, due_on date NOT NULL, answered_on date,"
    " PRIMARY KEY (petition_id, seq))",
)

P, A, R = AttendancePlan, Petition, RotationSchedule
ASSIGNMENT_COLUMNS: Sequence[Column] = (
    ("assignment_id", "uuid"),
    ("plan_id", "uuid"),
    ("cell_id", "uuid"),
    ("assignee_id", "text"),
    ("assignee_name", "text"),
    ("role", "text"),
    ("month", "date"),
    ("unplanned", "boolean"),
    ("state", "text"),
    ("contacted_on", "date"),
    ("meeting_id", "uuid"),
    ("attended_on", "date"),
    ("petitions", "int"),
)
PETITION_COLUMNS: Sequence[Column] = (
    ("petition_id", "uuid"),
    ("cell_id", "uuid"),
    ("source", "text"),
    ("competent_level", "text"),
    ("category", "text"),
    ("raised_on", "date"),
    ("due_on", "date"),
    ("state", "text"),
    ("forwarded_to", "uuid"),
    ("answered_on", "date"),
    ("reopen_count", "int"),
)
ROTATION_COLUMNS: Sequence[Column] = (
    ("schedule_id", "uuid"),
    ("member_id", "uuid"),
    ("dropped", "boolean"),
    ("taken_on", "date"),
    ("carried", "int"),
)
SCHEDULE_COLUMNS: Sequence[Column] = (
    ("schedule_id", "uuid"),
    ("cell_id", "uuid"),
    ("cycle_start", "date"),
    ("cycle_end", "date"),
)


class SupervisionProjection(OwnTables):
    name = "supervision"
    version = 1  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = TABLES
    topics: tuple[str, ...] = tuple(
        get_topic(cls)
        for cls in (
            P.Made,
            P.Assigned,
            P.Reassigned,
            P.Contacted,
            P.Attended,
            P.AttendedUnplanned,
            P.Missed,
            P.ReportFiled,
            A.Raised,
            A.Reclassified,
            A.Forwarded,
            A.Accepted,
            A.Resolved,
            A.AnsweredBack,
            A.Reopened,
            R.Opened,
            R.MemberQueued,
            R.MemberDropped,
            R.TurnTaken,
            R.TurnCarried,
        )
    )

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        plans: list[list[Any]] = []
        assignments, petitions = Fold(ASSIGNMENT_COLUMNS), Fold(PETITION_COLUMNS)
        rotation = Fold(ROTATION_COLUMNS)
        schedules: list[list[Any]] = []
        spans = Spans()
        for row in events:
            kind = row.topic.rsplit(".", 1)[-1]
            e: Any = decode(row)
            oid = row.originator_id
            if row.topic.startswith(get_topic(AttendancePlan) + "."):
                self._plan_event(kind, e, oid, plans, assignments)
            elif row.topic.startswith(get_topic(Petition) + "."):
                self._petition_event(kind, e, oid, petitions)
                spans.event(kind, e, oid, row.originator_version)
            else:
                self._rotation_event(kind, e, oid, rotation, schedules)
        if plans:
            upsert_rows(
                conn,
                schema,
                "sup_plans",
                [
                    ("plan_id", "uuid"),
                    ("committee_id", "uuid"),
                    ("year", "int"),
                    ("quarter", "int"),
                ],
                ["plan_id"],
                plans,
            )
        assignments.write(conn, schema, "sup_assignments", ["assignment_id"], "petitions")
        petitions.write(conn, schema, "sup_petitions", ["petition_id"], "reopen_count")
        upsert_rows(conn, schema, "sup_schedules", SCHEDULE_COLUMNS, ["schedule_id"], schedules)
        rotation.write(
            conn, schema, "sup_rotation", ["schedule_id", "member_id"], "carried", ["dropped"]
        )
        spans.write(conn, schema)

    @staticmethod
    def _plan_event(kind: str, e: Any, oid: UUID, plans: list[list[Any]], f: Fold) -> None:
        if kind == "Made":
            plans.append([oid, e.committee_id, e.year, e.quarter])
        elif kind in ("Assigned", "AttendedUnplanned"):
            unplanned = kind == "AttendedUnplanned"
            f.create(
                (e.assignment_id,),
                assignment_id=e.assignment_id,
                plan_id=oid,
                cell_id=e.cell_id,
                assignee_id=e.assignee.assignee_id,
                assignee_name=e.assignee.name,
                role=e.assignee.role.value,
                month=None if unplanned else e.month,
                unplanned=unplanned,
                state="attended" if unplanned else "assigned",
                contacted_on=None,
                meeting_id=e.meeting_id if unplanned else None,
                attended_on=e.held_on if unplanned else None,
                petitions=0,
            )
        elif kind == "Reassigned":
            f.change(
                (e.assignment_id,),
                assignee_id=e.assignee.assignee_id,
                assignee_name=e.assignee.name,
                role=e.assignee.role.value,
                month=e.month,
                state="assigned",
                contacted_on=None,
            )
        elif kind == "Contacted":
            f.change((e.assignment_id,), state="contacted", contacted_on=e.contacted_on)
        elif kind == "Attended":
            f.change(
                (e.assignment_id,), state="attended", meeting_id=e.meeting_id, attended_on=e.held_on
            )
        elif kind == "Missed":
            f.change((e.assignment_id,), state="missed")
        elif kind == "ReportFiled":
            f.change((e.assignment_id,), state="reported", petitions=len(e.petition_ids))

    @staticmethod
    def _petition_event(kind: str, e: Any, oid: UUID, f: Fold) -> None:
        key = (oid,)
        if kind == "Raised":
            f.create(
                key,
                petition_id=oid,
                cell_id=e.cell_id,
                source=e.source.value,
                competent_level=e.competent_level.value,
                category=e.category,
                raised_on=e.raised_on,
                due_on=e.due_on,
                state="raised",
                forwarded_to=None,
                answered_on=None,
                reopen_count=0,
            )
        elif kind == "Reclassified":
            f.change(
                key, competent_level=e.competent_level.value, state="raised", forwarded_to=None
            )
        elif kind == "Forwarded":
            f.change(key, state="forwarded", forwarded_to=e.unit_id)
        elif kind == "Accepted":
            f.change(key, state="accepted")
        elif kind == "Resolved":
            f.change(key, state="resolved")
        elif kind == "AnsweredBack":
            f.change(key, state="answered", answered_on=e.answered_on)
        elif kind == "Reopened":
            f.change(key, state="reopened", due_on=e.due_on, answered_on=None)
            f.add(key, "reopen_count")

    @staticmethod
    def _rotation_event(kind: str, e: Any, oid: UUID, f: Fold, schedules: list[list[Any]]) -> None:
        if kind == "Opened":
            schedules.append([oid, e.cell_id, e.cycle_start, e.cycle_end])
            for member_id in e.order:
                f.create((oid, member_id), **_member_row(oid, member_id))
        elif kind == "MemberQueued":
            key = (oid, e.member_id)
            if key in f.new or key in f.changed or key in f.revived:
                f.change(key, dropped=False)
            else:
                # A returning member keeps their taken turn and carry count: only "dropped" resets.
                f.revived[key] = _member_row(oid, e.member_id)
        elif kind == "MemberDropped":
            f.change((oid, e.member_id), dropped=True)
        elif kind == "TurnTaken":
            f.change((oid, e.member_id), taken_on=e.held_on)
        elif kind == "TurnCarried":
            f.add((oid, e.member_id), "carried")


def _member_row(schedule_id: UUID, member_id: UUID) -> dict[str, Any]:
    return {
        "schedule_id": schedule_id,
        "member_id": member_id,
        "dropped": False,
        "taken_on": None,
        "carried": 0,
    }


SUPERVISION = SupervisionProjection()


# -- queries (the read side, asyncpg) ---------------------------------------------------------


async def petition_figures(
    readside: ReadSide, schema: str, unit_id: UUID, start: date, end: date, today: date
) -> dict[str, int]:
    rows = await readside.for_schema(schema).fetch(
        f"""SELECT count(*) AS raised,
          count(*) FILTER (WHERE competent_level IN ('commune_district', 'province'))
            AS district_or_above,
          count(*) FILTER (WHERE competent_level = 'grassroots') AS grassroots,
          count(*) FILTER (WHERE competent_level = 'cell') AS cell,
          count(*) FILTER (WHERE state <> 'answered') AS open,
          count(*) FILTER (WHERE state <> 'answered' AND due_on < $4) AS overdue,
          count(*) FILTER (WHERE state = 'answered') AS answered,
          count(*) FILTER (WHERE reopen_count > 0) AS reopened
        FROM {qualified(schema, "sup_petitions")} p
        JOIN {qualified(schema, "org_closure")} c ON c.descendant_id = p.cell_id
        WHERE c.ancestor_id = $1 AND p.raised_on BETWEEN $2 AND $3""",
        unit_id,
        start,
        end,
        today,
    )
    return dict(rows[0])


async def attendance_figures(
    readside: ReadSide, schema: str, unit_id: UUID, start: date, end: date
) -> dict[str, int]:
    rows = await readside.for_schema(schema).fetch(
        f"""SELECT count(*) FILTER (WHERE NOT unplanned) AS planned,
          count(*) FILTER (WHERE attended_on IS NOT NULL) AS attended,
          count(*) FILTER (WHERE unplanned) AS unplanned,
          count(*) FILTER (WHERE state = 'missed') AS missed,
          count(*) FILTER (WHERE state = 'reported') AS reported,
          count(DISTINCT date_trunc('month', attended_on)) AS rounds,
          count(DISTINCT cell_id) FILTER (WHERE attended_on IS NOT NULL) AS cells_visited
        FROM {qualified(schema, "sup_assignments")} a
        JOIN {qualified(schema, "org_closure")} c ON c.descendant_id = a.cell_id
        WHERE c.ancestor_id = $1 AND coalesce(a.attended_on, a.month) BETWEEN $2 AND $3""",
        unit_id,
        start,
        end,
    )
    return dict(rows[0])


async def rotation_figures(
    readside: ReadSide, schema: str, unit_id: UUID, cycle_start: date
) -> dict[str, int]:
    """Rotation coverage of the cells under a unit for the cycle starting on ``cycle_start``."""
    rows = await readside.fetch(
        f"""SELECT count(DISTINCT s.cell_id) AS cells,
          count(r.member_id) FILTER (WHERE NOT r.dropped) AS eligible,
          count(r.member_id) FILTER (WHERE NOT r.dropped AND r.taken_on IS NOT NULL) AS taken,
          coalesce(sum(r.carried), 0)::int AS carried_over
        FROM {qualified(schema, "sup_schedules")} s
        JOIN {qualified(schema, "org_closure")} c ON c.descendant_id = s.cell_id
        LEFT JOIN {qualified(schema, "sup_rotation")} r ON r.schedule_id = s.schedule_id
        WHERE c.ancestor_id = $1 AND s.cycle_start = $2""",
        unit_id,
        cycle_start,
    )
    return dict(rows[0])
