"""The meeting register (sổ sinh hoạt chi bộ) per cell per month, and the facts rollups sum.

Tables:

- ``meetings``: one row per meeting: cell, kind, period (year, month), when it was held, late
  or on time, closed, quality rating, and its attendance counts;
- ``meeting_attendance``: one row per member on the roster frozen at opening, with the mark
  (present / excused / unexcused; NULL while unmarked) and ``streak``: how many regular
  meetings in a row, up to this one, the member has been absent from (excused or not);
- ``meeting_cell_month``: one row per (cell, year, month) with a meeting: whether a regular
  meeting was held, on time or late, thematic meetings held, attendance sums over regular
  meetings, the regular meeting's rating, and members at ≥ 3 consecutive absences;
- ``meeting_absence_state``: each member's latest regular meeting and streak there, so new
  meetings continue the streak without rereading history (see :mod:`projections.meetings_sql`).

A meeting is "held" once it is opened. Attendance counts follow ``Meeting.quality_evidence``:
an exempted member who stays away is not expected. Each batch writes rows set-based, then
recomputes the counts, streaks and cell-month facts only for what the batch touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import psycopg
from eventsourcing.utils import get_topic

from domain.meeting import Meeting
from projections import meetings_sql as sql
from projections.base import StoredEventRow, decode
from projections.meetings_sql import DDL, TABLES
from projections.rollups import FigureSource
from projections.sets import Patches, copy_rows, drop_tables, plain, run_ddl, update_rows

SCHEDULED = get_topic(Meeting.Scheduled)
RESCHEDULED = get_topic(Meeting.Rescheduled)
OPENED = get_topic(Meeting.Opened)
MARKED = get_topic(Meeting.AttendanceMarked)
CORRECTED = get_topic(Meeting.AttendanceCorrected)
ASSESSED = get_topic(Meeting.QualityAssessed)
CLOSED = get_topic(Meeting.Closed)

TYPES = {
    "scheduled_at": "timestamptz",
    "started_at": "timestamptz",
    "held_on": "date",
    "ended_at": "timestamptz",
    "is_late": "boolean",
    "closed": "boolean",
    "rating": "text",
    "score_total": "int",
}
MEETING_COLUMNS = (
    "id", "cell_id", "kind", "year", "month", "scheduled_at", "topic", "started_at",
    "held_on", "ended_at", "is_late", "closed", "rating", "score_total",
)  # fmt: skip
FLAGS = frozenset({"is_late", "closed"})
_encode = msgspec.json.Encoder().encode
_JSON_TO_ARRAY = bytes.maketrans(b"[]", b"{}")


def array_literal(values: list[Any]) -> str:
    """A PostgreSQL array literal of UUIDs, booleans or plain words, via msgspec's C encoder.

    ``["6f1…", "0a2…"]`` becomes ``{6f1…,0a2…}`` and ``null`` stays a NULL element; valid only
    for values without commas, quotes, braces or spaces, which is all that is passed here.
    """
    return _encode(values).translate(_JSON_TO_ARRAY, b'"').decode()


class Seats:
    """The seats of one meeting opened in this batch, marked in memory before they are written."""

    __slots__ = ("exempted", "held_on", "index", "marks", "members")

    def __init__(self, held_on: Any, roster: Sequence[Any]) -> None:
        self.held_on = held_on
        self.members = [r.member_id for r in roster]
        self.exempted = [r.exempted for r in roster]
        self.marks: list[Any] = [None] * len(roster)
        # Keyed by the UUID's int: hashing a UUID object runs Python code, an int's does not.
        self.index = {member.int: i for i, member in enumerate(self.members)}

    def mark(self, member: Any, value: Any) -> None:
        i = self.index.get(member.int)
        if i is not None:
            self.marks[i] = value

    def arrays(self) -> tuple[str, str, str]:
        return (
            array_literal(self.members),
            array_literal(self.exempted),
            array_literal(self.marks),
        )


def _run(conn: psycopg.Connection[Any], schema: str, statement: str, **params: Any) -> Any:
    quoted = psycopg.sql.Identifier(schema).as_string(conn)
    return conn.execute(statement.replace("{s}", quoted).encode(), params)


class MeetingsProjection:
    name = "meetings"
    topics: tuple[str, ...] = (SCHEDULED, RESCHEDULED, OPENED, MARKED, CORRECTED, ASSESSED, CLOSED)

    def install(self, conn: psycopg.Connection[Any], schema: str) -> None:
        run_ddl(conn, schema, DDL)

    def drop(self, conn: psycopg.Connection[Any], schema: str) -> None:
        drop_tables(conn, schema, TABLES)

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        # Meetings scheduled and seats opened in this batch are folded in memory and written
        # once; only changes to rows of earlier batches become UPDATEs.
        new: dict[Any, dict[str, Any]] = {}
        opened: dict[Any, Seats] = {}
        marks: dict[tuple[Any, Any], Any] = {}
        patches = Patches(("id", "uuid"), TYPES)

        def patch(meeting: Any, **fields: Any) -> None:
            if meeting in new:
                new[meeting].update(fields)
            else:
                patches.set(meeting, **fields)

        def mark(meeting: Any, member: Any, value: Any) -> None:
            if meeting in opened:
                opened[meeting].mark(member, value)
            else:
                marks[meeting, member] = value

        for row in events:
            e: Any = decode(row)
            meeting = row.originator_id
            if row.topic == SCHEDULED:
                new[meeting] = {
                    "id": meeting, "cell_id": e.cell_id, "kind": plain(e.kind),
                    "year": e.year, "month": e.month, "scheduled_at": e.scheduled_at,
                    "topic": e.topic,
                }  # fmt: skip
            elif row.topic == RESCHEDULED:
                patch(meeting, scheduled_at=e.scheduled_at)
            elif row.topic == OPENED:
                held_on = e.started_at.date()
                patch(meeting, started_at=e.started_at, held_on=held_on, is_late=e.is_late)
                opened[meeting] = Seats(held_on, e.roster)
                mark(meeting, e.chair_id, "present")
                mark(meeting, e.secretary_id, "present")
            elif row.topic in (MARKED, CORRECTED):
                # The hot loop of a rebuild: inlined, and enums left for msgspec to encode.
                seats = opened.get(meeting)
                if seats is None:
                    for entry in e.entries:
                        marks[meeting, entry.member_id] = entry.mark.value
                else:
                    index, values = seats.index, seats.marks
                    for entry in e.entries:
                        if (i := index.get(entry.member_id.int)) is not None:
                            values[i] = entry.mark
            elif row.topic == ASSESSED:
                patch(meeting, rating=plain(e.rating), score_total=e.scores.total)
            elif row.topic == CLOSED:
                patch(meeting, ended_at=e.ended_at, closed=True)
        conn.execute(sql.STAGING)
        copy_rows(
            conn, schema, "meetings", MEETING_COLUMNS,
            ([m.get(c, False) if c in FLAGS else m.get(c) for c in MEETING_COLUMNS]
             for m in new.values()),
        )  # fmt: skip
        patches.flush(conn, schema, "meetings")
        copy_rows(
            conn, "pg_temp", "chibo_opened_seats",
            ("meeting_id", "held_on", "members", "exempted", "marks"),
            ((m, seats.held_on, *seats.arrays()) for m, seats in opened.items()),
        )  # fmt: skip
        slow = {member for _, member in marks}
        if opened:
            slow |= {r[0] for r in _run(conn, schema, sql.OUT_OF_ORDER_SQL).fetchall()}
            _run(conn, schema, sql.SEATS_SQL, slow=list(slow))
        update_rows(
            conn, schema, "meeting_attendance",
            (("meeting_id", "uuid"), ("member_id", "uuid"), ("mark", "text")),
            ["meeting_id", "member_id"], [(m, p, value) for (m, p), value in marks.items()],
        )  # fmt: skip
        touched = list({row.originator_id for row in events})
        self._derive(conn, schema, touched, slow)

    def _derive(
        self,
        conn: psycopg.Connection[Any],
        schema: str,
        meetings: list[Any],
        slow: set[Any],
    ) -> None:
        """Recompute counts, slow streaks and cell-month facts for what the batch touched."""
        _run(conn, schema, sql.COUNTS_SQL, meetings=meetings)
        keys = set(_run(conn, schema, sql.TOUCHED_SQL, meetings=meetings).fetchall())
        if slow:
            keys |= set(_run(conn, schema, sql.RECOMPUTE_SQL, slow=list(slow)).fetchall())
        keys = {k for k in keys if k[0] is not None}
        if keys:
            cells, years, months = (list(column) for column in zip(*keys, strict=True))
            _run(conn, schema, sql.FACTS_SQL, cells=cells, years=years, months=months)


MEETINGS = MeetingsProjection()

MEETING_FIGURES = FigureSource(
    name="meetings",
    relation="{s}.meeting_cell_month",
    projections=("org_tree", "meetings"),
    figures=(
        ("held", "count(*) FILTER (WHERE f.regular_held)"),
        ("on_time", "count(*) FILTER (WHERE f.on_time)"),
        ("late", "count(*) FILTER (WHERE f.late)"),
        ("missing", "count(*) FILTER (WHERE cm.ended AND NOT coalesce(f.regular_held, false))"),
        ("thematic_held", "coalesce(sum(f.thematic_held), 0)"),
        ("cell_quarters", "count(DISTINCT (cm.cell_id, (cm.month - 1) / 3))"),
        (
            "cell_quarters_with_thematic",
            "count(DISTINCT (cm.cell_id, (cm.month - 1) / 3)) FILTER (WHERE f.thematic_held > 0)",
        ),
        ("expected", "coalesce(sum(f.expected), 0)"),
        ("present", "coalesce(sum(f.present), 0)"),
        ("excused", "coalesce(sum(f.excused), 0)"),
        ("unexcused", "coalesce(sum(f.unexcused), 0)"),
        ("rated_tot", "count(*) FILTER (WHERE f.rating = 'tot')"),
        ("rated_kha", "count(*) FILTER (WHERE f.rating = 'kha')"),
        ("rated_trung_binh", "count(*) FILTER (WHERE f.rating = 'trung_binh')"),
        ("rated_kem", "count(*) FILTER (WHERE f.rating = 'kem')"),
        ("unrated", "count(*) FILTER (WHERE f.regular_held AND f.rating IS NULL)"),
    ),
)

ABSENCE_FIGURES = FigureSource(
    name="absences",
    relation="(SELECT cell_id, year, month, member_id FROM {s}.meeting_attendance"
    " WHERE streak >= 3)",
    projections=("org_tree", "meetings"),
    figures=(("members_absent_3_in_a_row", "count(DISTINCT f.member_id)"),),
)
