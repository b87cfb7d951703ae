"""Deadlines (thời hạn) as a read model: what is due, since when, by when, and who must act.

The due dates were computed in working days when each step was recorded (the rule set and the
province calendar of that day) and travel in the events, so this projection only files them:

- ``deadline_items``: one open item per (source, kind): admission decision, ceremony,
  recognition vote, recognition decision, transfer letter; removed when the step is done;
- ``deadline_subjects``: the cell and name of each case and member, to place items in the tree;
- ``deadline_noted``: months of unexcused absence / unpaid dues, from which the query flags
  members for removal (3 months in a year);
- ``deadline_steps``: every step of every admission case, kept when done (opened on, due on,
  done on), so the pipeline and overdue deadlines can be counted as of any past day.

Queries join ``org_closure`` so any committee sees its subtree in one indexed lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.utils import get_topic

from domain.admission import AdmissionCase
from domain.member import Member
from domain.org_unit import Level
from domain.rules import RULES, NoRuleSetInForce
from projections.base import StoredEventRow, decode, table
from projections.sets import OwnTables, upsert_rows

NAME = "deadlines"
TABLES = ("deadline_items", "deadline_subjects", "deadline_noted", "deadline_steps")

WHO = {
    "admission_decision": "Cấp ủy có thẩm quyền / the competent committee",
    "ceremony": "Chi bộ / the cell",
    "recognition_vote": "Chi bộ / the cell",
    "recognition_decision": "Cấp ủy có thẩm quyền (cấp trên sau 3 lần không đủ 2/3) / the committee",
    "transfer_letter": "Đảng viên và cấp ủy nơi đến / the member and the receiving committee",
    "removal_flag": "Chi bộ xem xét, đề nghị xóa tên / the cell considers removal",
}
WHAT = {
    "admission_decision": "Quyết định kết nạp / admission decision",
    "ceremony": "Lễ kết nạp / admission ceremony",
    "recognition_vote": "Chi bộ xét công nhận chính thức / recognition vote",
    "recognition_decision": "Quyết định công nhận chính thức / recognition decision",
    "transfer_letter": "Xuất trình giấy giới thiệu sinh hoạt đảng / present the transfer letter",
    "removal_flag": "Bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng trong năm / 3 missed months",
}

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.deadline_items (source_id uuid NOT NULL, kind text NOT NULL,"
    " cell_id uuid NOT NULL, subject_id uuid NOT NULL, subject_name text NOT NULL,"
    " since date NOT NULL, due_on date NOT NULL, rule_set text NOT NULL,"
    " PRIMARY KEY (source_id, kind))",
    "CREATE INDEX IF NOT EXISTS deadline_items_cell ON {s}.deadline_items (cell_id, due_on)",
    "CREATE INDEX IF NOT EXISTS deadline_items_due ON {s}.deadline_items (due_on)",
    "CREATE TABLE IF NOT EXISTS {s}.deadline_subjects (id uuid PRIMARY KEY, cell_id uuid NOT NULL,"
    " name text NOT NULL, active boolean NOT NULL)",
    # a subtree's removal flags (items_query); added to earlier provinces by ``chibo migrate``
    "CREATE INDEX IF NOT EXISTS deadline_subjects_cell ON {s}.deadline_subjects (cell_id)",
    "CREATE TABLE IF NOT EXISTS {s}.deadline_noted (member_id uuid NOT NULL, kind text NOT NULL,"
    " month date NOT NULL, PRIMARY KEY (member_id, kind, month))",
    "CREATE TABLE IF NOT EXISTS {s}.deadline_steps (source_id uuid NOT NULL, kind text NOT NULL,"
    " cell_id uuid NOT NULL, subject_id uuid NOT NULL, subject_name text NOT NULL,"
    " opened_on date NOT NULL, since date NOT NULL, due_on date, done_on date,"
    " PRIMARY KEY (source_id, kind))",
    "CREATE INDEX IF NOT EXISTS deadline_steps_cell ON {s}.deadline_steps (cell_id, opened_on)",
)
STEP_KINDS = (
    "application",
    "admission_decision",
    "ceremony",
    "recognition_vote",
    "recognition_decision",
)
"""Steps of an admission case (bước của hồ sơ kết nạp): "application" is the case before the
cell's vote (no deadline); the others are the deadline items' kinds."""


ITEM_COLUMNS = (
    ("source_id", "uuid"),
    ("kind", "text"),
    ("cell_id", "uuid"),
    ("subject_id", "uuid"),
    ("subject_name", "text"),
    ("since", "date"),
    ("due_on", "date"),
    ("rule_set", "text"),
)
STEP_COLUMNS = (
    *ITEM_COLUMNS[:5],
    ("opened_on", "date"),
    ("since", "date"),
    ("due_on", "date"),
    ("done_on", "date"),
)
SUBJECT_COLUMNS = (("id", "uuid"), ("cell_id", "uuid"), ("name", "text"), ("active", "boolean"))

A, M = AdmissionCase, Member
TOPICS = tuple(
    get_topic(cls)
    for cls in (
        A.Opened,
        A.CellVoted,
        A.AdmissionDecided,
        A.CeremonyHeld,
        A.RecognitionVoted,
        A.RecognitionDecided,
        A.Closed,
        M.Enrolled,
        M.TransferredBetweenCells,
        M.Departed,
        M.TransferredOut,
        M.MonthNoted,
        A.DeadlineExtended,
    )
)


class _Batch:
    """Folds a batch in log order; flushes one statement per table."""

    def __init__(self, subjects: dict[UUID, list[Any]]) -> None:
        self.subjects = subjects
        self.changed_subjects: set[UUID] = set()
        self.items: dict[tuple[UUID, str], tuple[Any, ...] | None] = {}
        self.noted: dict[tuple[UUID, str, Any], bool] = {}
        self.case_items: dict[UUID, set[str]] = {}
        self.steps: dict[tuple[UUID, str], list[Any]] = {}
        self.steps_done: dict[tuple[UUID, str], Any] = {}
        """Steps opened in an earlier batch, done in this one (the first done date wins)."""
        self.extended: list[tuple[UUID, Any, Any]] = []
        """(case, previous due, new due) of extensions whose item was filed in an earlier batch."""

    def subject(self, id: UUID, cell_id: UUID, name: str, active: bool = True) -> None:
        self.subjects[id] = [cell_id, name, active]
        self.changed_subjects.add(id)

    def open_item(
        self, source: UUID, kind: str, subject: UUID, since: Any, due: Any, rule: str
    ) -> None:
        cell_id, name, _ = self.subjects.get(source) or self.subjects[subject]
        self.items[(source, kind)] = (source, kind, cell_id, subject, name, since, due, rule)

    def close_item(self, source: UUID, *kinds: str) -> None:
        for kind in kinds:
            self.items[(source, kind)] = None

    def apply(self, row: StoredEventRow) -> None:
        e: Any = decode(row)
        topic, id = row.topic, row.originator_id
        if topic == TOPICS[0]:
            self.subject(id, e.cell_id, e.full_name)
        elif topic == TOPICS[1]:
            self.open_item(id, "admission_decision", id, e.held_on, e.decision_due_on, e.rule_set)
        elif topic == TOPICS[2]:
            self.close_item(id, "admission_decision")
            self.open_item(id, "ceremony", id, e.received_on, e.ceremony_due_on, e.rule_set)
        elif topic == TOPICS[3]:
            self.close_item(id, "ceremony")
            self.open_item(
                id,
                "recognition_vote",
                e.member_id,
                e.probation_ends_on,
                e.recognition_vote_due_on,
                e.rule_set,
            )
        elif topic == TOPICS[4] and e.decision_due_on is not None:
            self.close_item(id, "recognition_vote")
            self.open_item(id, "recognition_decision", id, e.held_on, e.decision_due_on, e.rule_set)
        elif topic in (TOPICS[5], TOPICS[6]):
            self.close_item(id, *WHO)
        elif topic == TOPICS[7]:
            self.subject(id, e.cell_id, e.full_name)
        elif topic == TOPICS[8] and id in self.subjects:
            self.subject(id, e.to_cell_id, self.subjects[id][1])
        elif topic == TOPICS[9] and id in self.subjects:
            self.subject(id, self.subjects[id][0], self.subjects[id][1], active=False)
        elif topic == TOPICS[10]:
            self.open_item(id, "transfer_letter", id, e.letter_on, e.letter_due_on, "")
        elif topic == TOPICS[11]:
            self.noted[(id, e.kind, e.month)] = not e.excused
        elif topic == TOPICS[12]:
            self.extend(id, e.previous_due_on, e.due_on)
        self.record_step(topic, id, e)

    def extend(self, source: UUID, previous: Any, due: Any) -> None:
        """A decision moved the running deadline (gia hạn): the open item and step follow it."""
        found = False
        for (item_source, _), item in self.items.items():
            if item_source == source and item is not None and item[6] == previous:
                self.items[(item_source, item[1])] = (*item[:6], due, item[7])
                found = True
        for (step_source, _), step in self.steps.items():
            if step_source == source and step[8] is None and step[7] == previous:
                step[7] = due
        if not found:
            self.extended.append((source, previous, due))

    def open_step(
        self, source: UUID, kind: str, subject: UUID, opened: Any, since: Any, due: Any
    ) -> None:
        cell_id, name, _ = self.subjects.get(source) or self.subjects[subject]
        self.steps[(source, kind)] = [
            source,
            kind,
            cell_id,
            subject,
            name,
            opened,
            since,
            due,
            None,
        ]
        self.steps_done.pop((source, kind), None)

    def close_step(self, source: UUID, on: Any, *kinds: str) -> None:
        for kind in kinds:
            row = self.steps.get((source, kind))
            if row is None:
                self.steps_done.setdefault((source, kind), on)
            elif row[8] is None:
                row[8] = on

    def record_step(self, topic: str, id: UUID, e: Any) -> None:
        """The step history of admission cases, beside (not instead of) the open items."""
        if topic == TOPICS[0]:
            self.open_step(id, "application", id, e.opened_on, e.opened_on, None)
        elif topic == TOPICS[1]:
            self.close_step(id, e.held_on, "application")
            self.open_step(id, "admission_decision", id, e.held_on, e.held_on, e.decision_due_on)
        elif topic == TOPICS[2]:
            self.close_step(id, e.decided_on, "admission_decision")
            self.open_step(id, "ceremony", id, e.received_on, e.received_on, e.ceremony_due_on)
        elif topic == TOPICS[3]:
            self.close_step(id, e.on, "ceremony")
            due = e.recognition_vote_due_on
            self.open_step(id, "recognition_vote", e.member_id, e.on, e.probation_ends_on, due)
        elif topic == TOPICS[4] and e.decision_due_on is not None:
            self.close_step(id, e.held_on, "recognition_vote")
            due = e.decision_due_on
            self.open_step(id, "recognition_decision", id, e.held_on, e.held_on, due)
        elif topic == TOPICS[5]:
            self.close_step(id, e.decided_on, *STEP_KINDS)
        elif topic == TOPICS[6]:
            self.close_step(id, e.on, *STEP_KINDS)

    def flush(self, conn: psycopg.Connection[Any], schema: str) -> None:
        rows = [[id, *self.subjects[id]] for id in self.changed_subjects]
        upsert_rows(conn, schema, "deadline_subjects", SUBJECT_COLUMNS, ["id"], rows)
        gone = [k for k, v in self.items.items() if v is None]
        if gone:
            conn.execute(
                psycopg.sql.SQL(
                    "DELETE FROM {} WHERE (source_id, kind) IN"
                    " (SELECT * FROM unnest(%s::uuid[], %s::text[]))"
                ).format(table(schema, "deadline_items")),
                ([k[0] for k in gone], [k[1] for k in gone]),
            )
        live = [v for v in self.items.values() if v is not None]
        upsert_rows(conn, schema, "deadline_items", ITEM_COLUMNS, ["source_id", "kind"], live)
        self.flush_steps(conn, schema)
        for source, previous, due in self.extended:
            for name, open_only in (
                ("deadline_items", ""),
                ("deadline_steps", " AND done_on IS NULL"),
            ):
                conn.execute(
                    psycopg.sql.SQL(
                        "UPDATE {} SET due_on = %s WHERE source_id = %s AND due_on = %s" + open_only
                    ).format(table(schema, name)),
                    (due, source, previous),
                )
        add = [k for k, v in self.noted.items() if v]
        drop = [k for k, v in self.noted.items() if not v]
        noted = table(schema, "deadline_noted")
        if add:
            conn.execute(
                psycopg.sql.SQL(
                    "INSERT INTO {} SELECT * FROM unnest(%s::uuid[], %s::text[], %s::date[])"
                    " ON CONFLICT DO NOTHING"
                ).format(noted),
                ([k[0] for k in add], [k[1] for k in add], [k[2] for k in add]),
            )
        if drop:
            conn.execute(
                psycopg.sql.SQL(
                    "DELETE FROM {} WHERE (member_id, kind, month) IN"
                    " (SELECT * FROM unnest(%s::uuid[], %s::text[], %s::date[]))"
                ).format(noted),
                ([k[0] for k in drop], [k[1] for k in drop], [k[2] for k in drop]),
            )

    def flush_steps(self, conn: psycopg.Connection[Any], schema: str) -> None:
        if self.steps_done:
            keys = list(self.steps_done)
            conn.execute(
                psycopg.sql.SQL(
                    "UPDATE {} AS t SET done_on = u.done_on"
                    " FROM unnest(%s::uuid[], %s::text[], %s::date[]) AS u(source_id, kind, done_on)"
                    " WHERE (t.source_id, t.kind) = (u.source_id, u.kind) AND t.done_on IS NULL"
                ).format(table(schema, "deadline_steps")),
                ([k[0] for k in keys], [k[1] for k in keys], list(self.steps_done.values())),
            )
        rows = list(self.steps.values())
        upsert_rows(conn, schema, "deadline_steps", STEP_COLUMNS, ["source_id", "kind"], rows)


class DeadlinesProjection(OwnTables):
    name = NAME
    version = 1  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = TABLES
    topics = TOPICS

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        ids = list({e.originator_id for e in events})
        known = conn.execute(
            psycopg.sql.SQL("SELECT id, cell_id, name, active FROM {} WHERE id = ANY(%s)").format(
                table(schema, "deadline_subjects")
            ),
            (ids,),
        ).fetchall()
        batch = _Batch({r[0]: [r[1], r[2], r[3]] for r in known})
        for event in events:
            batch.apply(event)
        batch.flush(conn, schema)


DEADLINES = DeadlinesProjection()

# {within} keeps to the subtree of $1, or, for the whole province, says "$1 IS NULL": a filter
# written "$1 IS NULL OR cell_id IN (subtree)" is not turned into a join by the planner, so a
# cell's home read every subject of the province (7–150 ms at 6,000 cells with removal flags
# noted; through the subtree and deadline_subjects_cell, 0.1 ms).
ITEMS_SQL = """
SELECT i.kind, i.source_id, i.subject_id, i.subject_name, i.cell_id, i.since, i.due_on, i.rule_set,
       coalesce(u.level, '')
FROM {items} i LEFT JOIN {units} u ON u.id = i.cell_id
WHERE {within_items}
  AND i.due_on <= $2::date
UNION ALL
SELECT 'removal_flag', n.member_id, n.member_id, s.name, s.cell_id,
       min(n.month), max(n.month), '', ''
FROM {noted} n JOIN {subjects} s ON s.id = n.member_id AND s.active
WHERE {within_subjects}
GROUP BY n.member_id, n.kind, s.name, s.cell_id, date_part('year', n.month)
HAVING count(*) >= $3::int
ORDER BY 7, 1
"""
SUBTREE = "{cell} IN (SELECT descendant_id FROM {closure} WHERE ancestor_id = $1::uuid)"
WHOLE_PROVINCE = "$1::uuid IS NULL"


def items_query(qualify: Any, schema: str, subtree: bool = True) -> str:
    """The due/overdue query for a tenant; ``qualify(schema, table)`` quotes table names.

    ``subtree``: $1 is a unit and the items are those of its subtree; otherwise $1 is NULL and
    they are the whole province's."""
    closure = qualify(schema, "org_closure")
    within = SUBTREE if subtree else WHOLE_PROVINCE
    return ITEMS_SQL.format(
        items=qualify(schema, "deadline_items"),
        noted=qualify(schema, "deadline_noted"),
        subjects=qualify(schema, "deadline_subjects"),
        units=qualify(schema, "org_units"),
        within_items=within.format(cell="i.cell_id", closure=closure),
        within_subjects=within.format(cell="s.cell_id", closure=closure),
    )


def who_for(kind: str, rule_set: str, cell_level: str) -> str:
    """Who must act on an item. For decisions, the competent body named by the rule set of
    the step: since 1 July 2025 (QĐ 294) the commune/ward or bloc standing committee, or an
    authorised grassroots committee; a grassroots cell (e.g. a village cell directly under a
    commune committee) has no grassroots committee in between."""
    if kind in ("admission_decision", "recognition_decision") and rule_set:
        try:
            body = RULES.by_code(rule_set).competent_for(cell_level == Level.GRASSROOTS_CELL.value)
        except NoRuleSetInForce:
            body = ""
        if body:
            suffix = " (cấp trên sau 3 lần không đủ 2/3)" if kind == "recognition_decision" else ""
            return f"{body}{suffix} / the competent committee"
    return WHO[kind]
