"""Meeting figures pre-summed per org node and month (số liệu sinh hoạt tổng hợp sẵn theo cấp).

``rollup_node_month`` has one row per (node, year, month) with a meeting fact under the node:
the sums of ``meeting_cell_month`` over the cells that sat under the node on the month's last
day and existed on its first day — the same cell-months the per-level view counts (see
:mod:`projections.rollups`), along the tree as it stood that month. A province-root view then
reads about a dozen rows per node instead of joining every cell-month of the period.

Figures that count distinct things over a period are kept as first occurrences, so that summing
the months of a period gives the distinct count: ``thematic_new`` counts the cells whose first
thematic meeting of the quarter (under this node) falls in the month, ``absent3_new_q`` and
``absent3_new_y`` the members first seen absent with a reason more than 3 times in a row (the
4th excused absence within the year; exempted members not counted: HD 12 criterion 1,
:func:`projections.meetings_sql.over_3`) in the quarter or the year. The started months of a period are always its first ones, so this holds for any ``as_of``.

It reads the tables of ``org_tree`` and ``meetings`` (``depends_on``): the engine stops its
batches at their checkpoints, so whatever it handles is already in those tables. A batch works
out which (cell, year) pairs changed — cell-months ``meetings`` rewrote after this projection's
checkpoint (``meeting_cell_month.position``), and the cells under a unit that was founded, moved
or dissolved — and recomputes every (ancestor, year) of those cells from the tables. Recomputing
from current state, never from the event, keeps it exact when the tables are already further on.

It also keeps ``rollup_cell_spans`` (:mod:`projections.rollup_spans`), the runs of months each
cell counts in under each node, from which the view takes cells and meetings due.

A new install or a rebuild sets ``full_pending``: batches then only advance the checkpoint, and
``settle`` (run by the engine once the projection has caught up) computes everything in one pass.
An interrupted replay leaves the flag set, so the next catch-up completes it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.utils import get_topic

from domain.org_unit import OrgUnit
from projections import rollup_spans
from projections.base import StoredEventRow
from projections.meetings import MEETINGS
from projections.meetings_sql import over_3
from projections.rollups import NodeMonthSource
from projections.sets import OwnTables, run_sql

TREE_TOPICS = frozenset(get_topic(e) for e in (OrgUnit.Founded, OrgUnit.Moved, OrgUnit.Dissolved))
TABLES = ("rollup_node_month", "rollup_cell_spans", "rollup_state")
DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.rollup_node_month (node_id uuid NOT NULL, year int NOT NULL,"
    " month int NOT NULL, held int NOT NULL, on_time int NOT NULL, late int NOT NULL,"
    " thematic_held int NOT NULL, thematic_cells int NOT NULL, thematic_new int NOT NULL,"
    " expected int NOT NULL, present int NOT NULL, excused int NOT NULL, unexcused int NOT NULL,"
    " rated_tot int NOT NULL, rated_kha int NOT NULL, rated_trung_binh int NOT NULL,"
    " rated_kem int NOT NULL, unrated int NOT NULL, absent3 int NOT NULL,"
    " absent3_new_q int NOT NULL, absent3_new_y int NOT NULL,"
    " PRIMARY KEY (node_id, year, month))",
    *rollup_spans.DDL,
    "CREATE TABLE IF NOT EXISTS {s}.rollup_state (id int PRIMARY KEY CHECK (id = 1),"
    " full_pending boolean NOT NULL)",
    # A fresh table is empty whatever the checkpoint: the first catch-up computes it all.
    "INSERT INTO {s}.rollup_state VALUES (1, true) ON CONFLICT (id) DO NOTHING",
)

FIRST_DAY = "make_date(f.year, f.month, 1)"
LAST_DAY = "(make_date(f.year, f.month, 1) + interval '1 month - 1 day')::date"
# ``scope``: the closure rows (a cell under a node over a span of days) to sum over: all of
# them, or those of the target nodes overlapping the target year. From there each node's
# cell-months are index lookups by (cell, year).
SCOPE_ALL = (
    "scope AS (SELECT ancestor_id AS node, descendant_id AS cell_id, valid_from, valid_to,"
    " 1 AS from_month, 1 AS q_start FROM {{s}}.org_closure_history)"
)
# Targets are (node, year, first month to recompute). Months before it keep their rows; the
# facts are read from the first month of its quarter (a cell's first thematic month of the
# quarter), the streak sightings over the whole year (a member's first month of the year).
SCOPE_TARGETS = (
    "scope AS (SELECT h.ancestor_id AS node, h.descendant_id AS cell_id, h.valid_from,"
    " h.valid_to, t.year, t.from_month, (t.from_month - 1) / 3 * 3 + 1 AS q_start"
    " FROM (SELECT node, year, min(from_month) AS from_month FROM unnest(%(nodes)s::uuid[],"
    "  %(years)s::int[], %(months)s::int[]) AS t(node, year, from_month) GROUP BY node, year) AS t"
    " JOIN {{s}}.org_closure_history AS h ON h.ancestor_id = t.node"
    " AND h.valid_from <= make_date(t.year, 12, 31)"
    " AND (h.valid_to IS NULL OR h.valid_to > make_date(t.year, 1, 31)))"
)
# A cell-month counts under a node if the cell sat under it on the month's last day and
# existed on its first day: the rule of projections.rollups' cell-months.
UNDER = (
    f" AND h.valid_from <= {LAST_DAY} AND (h.valid_to IS NULL OR h.valid_to > {LAST_DAY})"
    " JOIN {{s}}.org_units AS u ON u.id = f.cell_id AND u.level IN ('cell', 'grassroots_cell')"
    f" AND u.founded_on <= {FIRST_DAY} AND (u.dissolved_on IS NULL OR u.dissolved_on > {FIRST_DAY})"
)
COMPUTE = """
WITH {scope}, facts AS (
  SELECT h.node, h.from_month, f.* FROM scope AS h
  JOIN {{s}}.meeting_cell_month AS f ON f.cell_id = h.cell_id{year} AND f.month >= h.q_start{under}
), firsts AS (
  SELECT node, cell_id, year, (month - 1) / 3 AS quarter, min(month) AS month
  FROM facts WHERE thematic_held > 0 GROUP BY node, cell_id, year, (month - 1) / 3
), thematic AS (
  SELECT node, year, month, count(*) AS thematic_new FROM firsts GROUP BY node, year, month
), seen AS (
  SELECT DISTINCT h.node, f.year, f.month, f.member_id FROM scope AS h
  JOIN {{s}}.meeting_attendance AS f ON f.cell_id = h.cell_id{year} AND OVER_3{under}
), marked AS (
  SELECT seen.*, min(month) OVER (PARTITION BY node, year, member_id, (month - 1) / 3) AS first_q,
         min(month) OVER (PARTITION BY node, year, member_id) AS first_y
  FROM seen
), absences AS (
  SELECT node, year, month, count(*) AS absent3,
         count(*) FILTER (WHERE month = first_q) AS absent3_new_q,
         count(*) FILTER (WHERE month = first_y) AS absent3_new_y
  FROM marked GROUP BY node, year, month
), sums AS (
  SELECT node, year, month, from_month,
         count(*) FILTER (WHERE regular_held) AS held,
         count(*) FILTER (WHERE on_time) AS on_time,
         count(*) FILTER (WHERE late) AS late,
         sum(thematic_held) AS thematic_held,
         count(*) FILTER (WHERE thematic_held > 0) AS thematic_cells,
         sum(expected) AS expected, sum(present) AS present, sum(excused) AS excused,
         sum(unexcused) AS unexcused,
         count(*) FILTER (WHERE rating = 'tot') AS rated_tot,
         count(*) FILTER (WHERE rating = 'kha') AS rated_kha,
         count(*) FILTER (WHERE rating = 'trung_binh') AS rated_trung_binh,
         count(*) FILTER (WHERE rating = 'kem') AS rated_kem,
         count(*) FILTER (WHERE regular_held AND rating IS NULL) AS unrated
  FROM facts GROUP BY node, year, month, from_month
)
INSERT INTO {{s}}.rollup_node_month
SELECT s.node, s.year, s.month, s.held, s.on_time, s.late, s.thematic_held, s.thematic_cells,
       coalesce(t.thematic_new, 0), s.expected, s.present, s.excused, s.unexcused, s.rated_tot,
       s.rated_kha, s.rated_trung_binh, s.rated_kem, s.unrated, coalesce(a.absent3, 0),
       coalesce(a.absent3_new_q, 0), coalesce(a.absent3_new_y, 0)
FROM sums AS s
LEFT JOIN thematic AS t USING (node, year, month)
LEFT JOIN absences AS a USING (node, year, month)
WHERE s.month >= s.from_month
""".replace("OVER_3", over_3("f"))
# Every seat of an absence streak is in a cell-month with a meeting fact: the left joins above
# lose nothing.
COMPUTE_ALL = COMPUTE.format(scope=SCOPE_ALL.format(), year="", under=UNDER.format())
COMPUTE_TARGETS = COMPUTE.format(
    scope=SCOPE_TARGETS.format(), year=" AND f.year = h.year", under=UNDER.format()
)
CLEAR_TARGETS = (
    "DELETE FROM {s}.rollup_node_month AS r USING unnest(%(nodes)s::uuid[], %(years)s::int[],"
    " %(months)s::int[]) AS t(node, year, from_month)"
    " WHERE r.node_id = t.node AND r.year = t.year AND r.month >= t.from_month"
)
# The cell-months ``meetings`` rewrote since this projection's checkpoint: per (cell, year),
# the earliest (its rows are upserted, never deleted, so every change leaves a position).
CHANGED_CELLS = (
    "SELECT cell_id, year, min(month) FROM {s}.meeting_cell_month WHERE position > %(after)s"
    " GROUP BY cell_id, year"
)
# A unit founded, moved or dissolved: its cells' whole years (rare; the dates could narrow it).
CELLS_UNDER = (
    "SELECT DISTINCT f.cell_id, f.year, 1 FROM {s}.org_closure AS c"
    " JOIN {s}.meeting_cell_month AS f ON f.cell_id = c.descendant_id"
    " WHERE c.ancestor_id = ANY(%(units)s::uuid[])"
)
# Every ancestor a cell had in any month of the year, old places included (a move takes the
# cell's months out of them).
ANCESTORS = (
    "SELECT h.ancestor_id, k.year, min(k.month) FROM unnest(%(cells)s::uuid[], %(years)s::int[],"
    " %(months)s::int[]) AS k(cell_id, year, month) JOIN {s}.org_closure_history AS h"
    " ON h.descendant_id = k.cell_id AND h.valid_from <= make_date(k.year, 12, 31)"
    " AND (h.valid_to IS NULL OR h.valid_to > make_date(k.year, 1, 31))"
    " GROUP BY h.ancestor_id, k.year"
)

# ``CHANGED_CELLS`` then ``ANCESTORS``, for a batch of meeting events only.
CHANGED_ANCESTORS = (
    "WITH k AS (SELECT cell_id, year, min(month) AS month FROM {s}.meeting_cell_month"
    " WHERE position > %(after)s GROUP BY cell_id, year)"
    " SELECT h.ancestor_id, k.year, min(k.month) FROM k JOIN {s}.org_closure_history AS h"
    " ON h.descendant_id = k.cell_id AND h.valid_from <= make_date(k.year, 12, 31)"
    " AND (h.valid_to IS NULL OR h.valid_to > make_date(k.year, 1, 31))"
    " GROUP BY h.ancestor_id, k.year"
)
# Whether a full computation is pending, and the checkpoint, in one statement.
STATE = (
    "SELECT (SELECT full_pending FROM {s}.rollup_state),"
    " (SELECT position FROM {s}.projection_tracking WHERE projection = %(name)s)"
)


def ancestors(
    conn: psycopg.Connection[Any], schema: str, keys: dict[tuple[Any, int], int]
) -> list[tuple[Any, int, int]]:
    """The (node, year, first month) rows that (cell, year) → first month ``keys`` feed."""
    cells, years = (list(column) for column in zip(*keys, strict=True))
    rows: list[tuple[Any, int, int]] = run_sql(
        conn, schema, ANCESTORS, cells=cells, years=years, months=list(keys.values())
    ).fetchall()
    return rows


class RollupProjection(OwnTables):
    name = "rollup"
    # 2: absences counted as HD 12 criterion 1 does (issue 12 §3, projections.meetings_sql.over_3)
    version = 2  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = TABLES
    depends_on = ("org_tree", "meetings")
    topics: tuple[str, ...] = (*MEETINGS.topics, *sorted(TREE_TOPICS))

    def __init__(self) -> None:
        # Per thread: what the last ``apply`` of this thread found (``settled_by_apply``).
        self._local = threading.local()

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        row = run_sql(conn, schema, STATE, name=self.name).fetchone()
        pending = bool(row is None or row[0] is None or row[0])
        self._local.pending = (schema, pending)
        if pending:
            return  # settle computes everything once the replay has caught up
        after = int(row[1] or 0) if row is not None else 0
        units = [row.originator_id for row in events if row.topic in TREE_TOPICS]
        if not units:
            # Meetings only (nearly every batch): the changed cells and their ancestors in
            # one statement, as the steps below would find them.
            self.recompute(
                conn, schema, run_sql(conn, schema, CHANGED_ANCESTORS, after=after).fetchall()
            )
            return
        # (cell, year) → the first month that changed: only it and the later months of the
        # year are recomputed (issue 14 §2), not the whole year of every ancestor.
        keys: dict[tuple[Any, int], int] = {}
        found: list[tuple[Any, int, int]] = []
        if any(row.topic not in TREE_TOPICS for row in events):
            found += run_sql(conn, schema, CHANGED_CELLS, after=after).fetchall()
        rollup_spans.refresh(conn, schema, units)
        found += run_sql(conn, schema, CELLS_UNDER, units=units).fetchall()
        for cell, year, month in found:
            keys[cell, year] = min(month, keys.get((cell, year), month))
        if keys:
            self.recompute(conn, schema, ancestors(conn, schema, keys))

    def settled_by_apply(self, schema: str) -> bool:
        """Asked by the engine right after ``apply``, in its transaction and thread: ``apply``
        found no full computation pending (it read the flag under the pair's lock), so
        ``settle`` has nothing to do."""
        return getattr(self._local, "pending", None) == (schema, False)

    def settle(self, conn: psycopg.Connection[Any], schema: str) -> None:
        """Compute every row in one pass if a rebuild or a new install left that pending."""
        if not self._full_pending(conn, schema):
            return
        rollup_spans.rebuild(conn, schema)
        run_sql(conn, schema, "TRUNCATE {s}.rollup_node_month")
        run_sql(conn, schema, COMPUTE_ALL)
        run_sql(conn, schema, "UPDATE {s}.rollup_state SET full_pending = false")
        # Freshly filled: without statistics the views' plans would scan it whole.
        run_sql(conn, schema, "ANALYZE {s}.rollup_node_month")

    def recompute(
        self,
        conn: psycopg.Connection[Any],
        schema: str,
        targets: Sequence[tuple[Any, int, int]],
    ) -> None:
        """Replace the rows of each (node, year, from month on) of ``targets`` from the tables."""
        if not targets:
            return  # e.g. a meeting dated before its cell was in the tree: no node to recompute
        nodes, years, months = (list(column) for column in zip(*targets, strict=True))
        # Sent together (one round trip, not four): none of their results is needed here.
        with conn.pipeline():
            run_sql(conn, schema, CLEAR_TARGETS, nodes=nodes, years=years, months=months)
            # The planner cannot know how many cells lie under the targets (a cell, or the
            # whole province): nested loops it picks for "a few" take minutes for thousands.
            # Hash joins over the year's rows cost the same whatever the targets.
            conn.execute("SET LOCAL enable_nestloop = off")
            run_sql(conn, schema, COMPUTE_TARGETS, nodes=nodes, years=years, months=months)
            conn.execute("RESET enable_nestloop")

    def _full_pending(self, conn: psycopg.Connection[Any], schema: str) -> bool:
        row = run_sql(conn, schema, "SELECT full_pending FROM {s}.rollup_state").fetchone()
        return bool(row is None or row[0])


ROLLUP = RollupProjection()

GRAIN = "sum(CASE $8::text WHEN 'month' THEN {} WHEN 'quarter' THEN {} ELSE {} END)"
"""A figure read from the column of the period's grain ($8)."""
THEMATIC_CELL_QUARTERS = GRAIN.format("r.thematic_cells", "r.thematic_new", "r.thematic_new")
ABSENT_OVER_3 = GRAIN.format("r.absent3", "r.absent3_new_q", "r.absent3_new_y")
ENDED = "r.year * 12 + r.month <= $9::int"
SHOWN = (
    "held", "on_time", "late", "missing", "thematic_held", "cell_quarters",
    "cell_quarters_with_thematic", "expected", "present", "excused", "unexcused", "rated_tot",
    "rated_kha", "rated_trung_binh", "rated_kem", "unrated", "members_absent_over_3_in_a_row",
)  # fmt: skip

MEETING_FIGURES = NodeMonthSource(
    name="meetings",
    relation="{s}.rollup_node_month",
    projections=("org_tree", "meetings", "rollup"),
    names=SHOWN,
    figures=(
        ("held", "sum(r.held)"),
        ("held_ended", f"sum(r.held) FILTER (WHERE {ENDED})"),
        ("on_time", "sum(r.on_time)"),
        ("late", "sum(r.late)"),
        ("thematic_held", "sum(r.thematic_held)"),
        # Distinct (cell, quarter) pairs: a month counts its own, a longer period the first
        # thematic month of each cell in each quarter.
        ("cell_quarters_with_thematic", THEMATIC_CELL_QUARTERS),
        ("expected", "sum(r.expected)"),
        ("present", "sum(r.present)"),
        ("excused", "sum(r.excused)"),
        ("unexcused", "sum(r.unexcused)"),
        ("rated_tot", "sum(r.rated_tot)"),
        ("rated_kha", "sum(r.rated_kha)"),
        ("rated_trung_binh", "sum(r.rated_trung_binh)"),
        ("rated_kem", "sum(r.rated_kem)"),
        ("unrated", "sum(r.unrated)"),
        ("members_absent_over_3_in_a_row", ABSENT_OVER_3),
    ),
    # Due cell-months of ended months without a regular meeting held.
    differences=(("missing", "due_ended", "held_ended"),),
)
