"""Cell spans (khoảng thời gian chi bộ trực thuộc): each cell's runs of months under each node.

``rollup_cell_spans`` has one row per dated closure row of a cell (a cell under a node over a
span of days) turned into the run of months it counts in: month indexes ``year * 12 + month``
from ``first_month`` to ``last_month`` (inclusive; ``OPEN`` while it lasts). A month counts
when the closure row is valid on its last day and the cell exists on its first day — the rule
of :mod:`projections.rollups` — so::

    first_month = max(month of valid_from, month of (founded_on - 1 day) + 1)
    last_month  = min(month of valid_to - 1, month of (dissolved_on - 1 day))

Runs that cover no month are left out. ``prev_last`` is the end of the same pair's previous
run, so a view can count a cell once in a quarter it left and came back to.

The per-level view's tree figures (cells, meetings due, cell-quarters) are then sums over
about one row per cell under each node, with no join and no sort. Kept by the ``rollup``
projection (:mod:`projections.rollup`): all at once in ``settle``, and for the cells under a
unit founded, moved or dissolved in its batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from projections.sets import run_sql

OPEN = 2**31 - 1
"""``last_month`` of a run that has not ended."""
DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.rollup_cell_spans (node_id uuid NOT NULL,"
    " cell_id uuid NOT NULL, first_month int NOT NULL, last_month int NOT NULL,"
    " prev_last int, PRIMARY KEY (node_id, cell_id, first_month))",
    "CREATE INDEX IF NOT EXISTS rollup_cell_spans_cell ON {s}.rollup_cell_spans (cell_id)",
)
MONTH = "(date_part('year', {d})::int * 12 + date_part('month', {d})::int)"
RUNS = f"""
INSERT INTO {{s}}.rollup_cell_spans
SELECT node_id, cell_id, first_month, last_month,
       lag(last_month) OVER (PARTITION BY node_id, cell_id ORDER BY first_month)
FROM (
  SELECT h.ancestor_id AS node_id, h.descendant_id AS cell_id,
         greatest({MONTH.format(d="h.valid_from")},
                  {MONTH.format(d="u.founded_on - 1")} + 1) AS first_month,
         least(coalesce({MONTH.format(d="h.valid_to")} - 1, {OPEN}),
               coalesce({MONTH.format(d="u.dissolved_on - 1")}, {OPEN})) AS last_month
  FROM {{s}}.org_closure_history AS h
  JOIN {{s}}.org_units AS u ON u.id = h.descendant_id AND u.level IN ('cell', 'grassroots_cell')
  {{only}}
) AS runs
WHERE first_month <= last_month
"""
ALL = RUNS.replace("{only}", "")
OF_CELLS = RUNS.replace("{only}", "WHERE h.descendant_id = ANY(%(cells)s::uuid[])")
CELLS_UNDER = "SELECT descendant_id FROM {s}.org_closure WHERE ancestor_id = ANY(%(units)s::uuid[])"


def rebuild(conn: psycopg.Connection[Any], schema: str) -> None:
    run_sql(conn, schema, "TRUNCATE {s}.rollup_cell_spans")
    run_sql(conn, schema, ALL)
    run_sql(conn, schema, "ANALYZE {s}.rollup_cell_spans")


def refresh(conn: psycopg.Connection[Any], schema: str, units: Sequence[Any]) -> None:
    """Rework the runs of every cell under ``units`` (founded, moved or dissolved)."""
    cells = [row[0] for row in run_sql(conn, schema, CELLS_UNDER, units=list(units))]
    if cells:
        run_sql(
            conn, schema, "DELETE FROM {s}.rollup_cell_spans WHERE cell_id = ANY(%(cells)s)",
            cells=cells,
        )  # fmt: skip
        run_sql(conn, schema, OF_CELLS, cells=cells)
