"""Meeting papers on the read side (tài liệu sinh hoạt): the one-day rule for superior levels.

Tables:

- ``paper_sets``: which meeting (and cell) each papers aggregate belongs to;
- ``meeting_papers``: one row per paper: kind, title, when its first version was posted, how
  many versions it has.

Whether a paper was posted one day before is judged at query time against the meeting's
*current* scheduled start (``meetings.scheduled_at``), so a rescheduled meeting is judged by
its new time, not by the time in force when the paper was posted.

The figure ``papers_not_posted_one_day_before`` (per-level view) counts the meetings of the
period with at least one paper posted less than 24 hours before the start; the list of the same
name names them. Meetings without any paper are not counted here: papers only exist since this
release, and counting every older meeting as "not posted" would bury the late ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.utils import get_topic

from domain.meeting_papers import MeetingPapers
from projections.base import StoredEventRow, decode, table
from projections.lists import CELL, CELL_MONTHS, KEY, PARENT, PERIOD, Column, ListSpec
from projections.rollups import FigureSource
from projections.sets import OwnTables, plain

STARTED = get_topic(MeetingPapers.Started)
ATTACHED = get_topic(MeetingPapers.Attached)
REPLACED = get_topic(MeetingPapers.Replaced)

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.paper_sets (id uuid PRIMARY KEY, meeting_id uuid NOT NULL,"
    " cell_id uuid NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.meeting_papers (paper_id uuid PRIMARY KEY,"
    " meeting_id uuid NOT NULL, cell_id uuid NOT NULL, kind text NOT NULL, title text NOT NULL,"
    " first_posted_at timestamptz NOT NULL, last_posted_at timestamptz NOT NULL,"
    " versions int NOT NULL DEFAULT 1)",
    "CREATE INDEX IF NOT EXISTS meeting_papers_meeting ON {s}.meeting_papers (meeting_id)",
)


class PapersProjection(OwnTables):
    name = "papers"
    version = 1  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = ("meeting_papers", "paper_sets")
    topics: tuple[str, ...] = (STARTED, ATTACHED, REPLACED)

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        sets, papers = table(schema, "paper_sets"), table(schema, "meeting_papers")
        with conn.cursor() as cur:
            for row in events:
                e: Any = decode(row)
                if row.topic == STARTED:
                    cur.execute(
                        psycopg.sql.SQL(
                            "INSERT INTO {} (id, meeting_id, cell_id) VALUES (%s, %s, %s)"
                            " ON CONFLICT (id) DO NOTHING"
                        ).format(sets),
                        (row.originator_id, e.meeting_id, e.cell_id),
                    )
                elif row.topic == ATTACHED:
                    cur.execute(
                        psycopg.sql.SQL(
                            "INSERT INTO {p} (paper_id, meeting_id, cell_id, kind, title,"
                            " first_posted_at, last_posted_at)"
                            " SELECT %s, s.meeting_id, s.cell_id, %s, %s, %s, %s FROM {s} AS s"
                            " WHERE s.id = %s ON CONFLICT (paper_id) DO NOTHING"
                        ).format(p=papers, s=sets),
                        (
                            e.paper_id,
                            plain(e.kind),
                            e.title,
                            e.posted_at,
                            e.posted_at,
                            row.originator_id,
                        ),
                    )
                elif row.topic == REPLACED:
                    cur.execute(
                        psycopg.sql.SQL(
                            "UPDATE {} SET versions = versions + 1, last_posted_at = %s"
                            " WHERE paper_id = %s"
                        ).format(papers),
                        (e.posted_at, e.paper_id),
                    )


PAPERS = PapersProjection()

LATE = "p.first_posted_at > g.scheduled_at - interval '24 hours'"
TREE_MEETINGS_PAPERS = ("org_tree", "meetings", "papers")

PAPER_FIGURES = FigureSource(
    name="papers",
    relation="(SELECT g.cell_id, g.year, g.month, g.id,"
    f" bool_or({LATE}) AS late"
    " FROM {s}.meetings AS g JOIN {s}.meeting_papers AS p ON p.meeting_id = g.id"
    " GROUP BY g.id)",
    projections=TREE_MEETINGS_PAPERS,
    figures=(
        ("meetings_with_papers", "count(f.id)"),
        ("papers_not_posted_one_day_before", "count(*) FILTER (WHERE f.late)"),
    ),
)

NOT_POSTED_ONE_DAY_BEFORE = ListSpec(
    name="papers_not_posted_one_day_before",
    title_vi="Chi bộ gửi tài liệu sinh hoạt không đủ một ngày trước cuộc họp",
    title_en="Meetings whose papers were not posted one day before",
    columns=(
        KEY,
        CELL,
        PARENT,
        PERIOD,
        Column("scheduled_at", "Thời gian họp", "Meeting time"),
        Column("late_papers", "Số tài liệu gửi muộn", "Papers posted late", "int"),
        Column("first_late_title", "Tài liệu gửi muộn", "A late paper"),
        Column("hours_before", "Gửi trước (giờ)", "Posted hours before", "int"),
    ),
    sql=CELL_MONTHS
    + f"""
SELECT g.id::text AS key, c.cell_name, coalesce(c.parent_name, '') AS parent_name,
       to_char(c.first_day, 'YYYY-MM') AS period,
       to_char(g.scheduled_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY HH24:MI') AS scheduled_at,
       count(*)::int AS late_papers, min(p.title) AS first_late_title,
       floor(min(extract(epoch FROM g.scheduled_at - p.first_posted_at)) / 3600)::int
         AS hours_before
FROM cells AS c
JOIN {{s}}.meetings AS g ON (g.cell_id, g.year, g.month) = (c.cell_id, c.year, c.month)
JOIN {{s}}.meeting_papers AS p ON p.meeting_id = g.id AND {LATE}
GROUP BY g.id, c.cell_name, c.parent_name, c.first_day, g.scheduled_at""",
    search="cell_name",
    sorts=("period", "cell_name", "parent_name", "late_papers"),
    projections=TREE_MEETINGS_PAPERS,
)
