"""Rollups (số liệu tổng hợp theo cấp): any org node's figures for a month, quarter or year.

Nothing is pre-summed per node: the tree changes (moves, the 2025 reform), and each month must
roll up along the tree as it stood then. A view is assembled at query time from per-cell,
per-month tables ("figure sources"), joined to the dated closure table:

1. ``cm``: every (node, cell, month) of the period where the cell sits under the node on the
   month's last day and existed on its first day: each row is one regular meeting due;
2. for each figure source, ``cm LEFT JOIN <its table> ON (cell_id, year, month)``, grouped by
   node, gives that source's figures; sources are independent queries merged by node.

Other features (superior attendance, rotation, petitions, admissions) register their own
source in :func:`projections.registry.figure_sources`: a relation with ``cell_id, year, month``
and aggregate expressions over ``f`` (their row) and ``cm`` (the cell-month).
Months that have not started (after ``as_of``) are not due; only ended months count missing.

Every query also carries the period's first day (``$6``, ``cm.period_first``) and the day the
period is judged at (``$7``, ``cm.period_end``: its last day, or ``as_of`` if sooner). Figures
of a state rather than a flow (petitions open, cases at each admission step) put their rows in
the month of ``$7``, so they join the last cell-month once, along the tree of that day.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

Fetch = Callable[..., Awaitable[Sequence[Any]]]
"""``await fetch(sql, *args)`` returning records (an asyncpg pool or connection's fetch)."""

CELL_LEVELS = ("cell", "grassroots_cell")


@dataclass(frozen=True, slots=True)
class FigureSource:
    name: str
    relation: str | None
    """A table or subquery with ``cell_id, year, month``; ``{s}`` is the tenant schema."""
    figures: tuple[tuple[str, str], ...]
    """(figure name, aggregate SQL over ``f`` and ``cm``)."""
    projections: tuple[str, ...]
    """Projections whose checkpoints a read-your-writes query waits for."""
    ratios: tuple[tuple[str, str, str], ...] = ()
    """(figure name, numerator, denominator): shares worked out after the sums, None over 0."""
    matched_only: bool = False
    """Every figure is a count over the relation's rows, so a cell-month without one adds
    nothing: an inner join lets the plan aggregate only the matches (nodes without any read 0)."""


BASE_FIGURES = FigureSource(
    name="cells",
    relation=None,
    projections=("org_tree",),
    figures=(
        # One row per (node, cell, month): counting the last month's rows counts each cell once.
        ("cells", "count(*) FILTER (WHERE cm.is_last)"),
        ("due", "count(*)"),
    ),
)

PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{1,2})))?$")


@dataclass(frozen=True, slots=True)
class Period:
    """A month (``2025-03``), a quarter (``2025-Q1``) or a year (``2025``)."""

    year: int
    quarter: int | None = None
    month: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD_PATTERN.fullmatch(text.strip())
        if not match or not 2000 <= int(match[1]) <= 2100:
            raise ValueError(text)
        if match[3] is not None and not 1 <= int(match[3]) <= 12:
            raise ValueError(text)
        return cls(
            int(match[1]),
            int(match[2]) if match[2] else None,
            int(match[3]) if match[3] else None,
        )

    @property
    def months(self) -> list[tuple[int, int]]:
        if self.month is not None:
            return [(self.year, self.month)]
        if self.quarter is not None:
            first = 3 * self.quarter - 2
            return [(self.year, m) for m in range(first, first + 3)]
        return [(self.year, m) for m in range(1, 13)]

    @property
    def first_day(self) -> date:
        year, month = self.months[0]
        return date(year, month, 1)

    @property
    def last_day(self) -> date:
        year, month = self.months[-1]
        return date(year, month, calendar.monthrange(year, month)[1])

    def __str__(self) -> str:
        if self.month is not None:
            return f"{self.year}-{self.month:02d}"
        if self.quarter is not None:
            return f"{self.year}-Q{self.quarter}"
        return str(self.year)


def qualify(schema: str, text: str) -> str:
    return text.replace("{s}", '"' + schema.replace('"', '""') + '"')


CELL_MONTHS = """
WITH months AS (
  SELECT y AS year, m AS month, make_date(y, m, 1) AS first_day,
         (make_date(y, m, 1) + interval '1 month' - interval '1 day')::date AS last_day
  FROM unnest($2::int[], $3::int[]) AS p(y, m)
), cm AS (
  SELECT h.ancestor_id AS node, u.id AS cell_id, mo.year, mo.month,
         mo.last_day < $4::date AS ended, mo.year * 12 + mo.month = $5::int AS is_last,
         $6::date AS period_first, $7::date AS period_end
  FROM months AS mo
  JOIN {s}.org_closure_history AS h ON h.ancestor_id = ANY($1::uuid[])
   AND h.valid_from <= mo.last_day AND (h.valid_to IS NULL OR h.valid_to > mo.last_day)
  JOIN {s}.org_units AS u ON u.id = h.descendant_id AND u.level IN ('cell', 'grassroots_cell')
   AND u.founded_on <= mo.first_day AND (u.dissolved_on IS NULL OR u.dissolved_on > mo.first_day)
)
"""


def figure_query(schema: str, sources: Sequence[FigureSource]) -> str:
    """One statement for every source: ``cm`` is worked out once and shared by all of them.

    Each source is its own ``GROUP BY node`` over ``cm`` joined to its relation, so one
    source's rows never multiply another's; the results meet on ``node``. The first source
    must be one over ``cm`` alone (:data:`BASE_FIGURES`), which has a row for every node.
    """
    parts, columns = [], []
    for index, source in enumerate(sources):
        alias = f"s{index}"
        exprs = ", ".join(f"{expression} AS {name}" for name, expression in source.figures)
        kind = "JOIN" if source.matched_only else "LEFT JOIN"
        join = (
            f" {kind} {source.relation} AS f ON f.cell_id = cm.cell_id"
            " AND f.year = cm.year AND f.month = cm.month"
            if source.relation
            else ""
        )
        parts.append(f", {alias} AS (SELECT cm.node, {exprs} FROM cm{join} GROUP BY cm.node)")
        columns += [f"{alias}.{name}" for name, _ in source.figures]
    # s0 is a source over cm alone (the base figures), so it has every node with cells.
    joins = " ".join(f"LEFT JOIN s{i} USING (node)" for i in range(1, len(sources)))
    return qualify(
        schema, f"{CELL_MONTHS}{''.join(parts)} SELECT node, {', '.join(columns)} FROM s0 {joins}"
    )


def started_months(period: Period, as_of: date) -> list[tuple[int, int]]:
    return [(y, m) for y, m in period.months if date(y, m, 1) <= as_of]


async def figures(
    fetch: Fetch,
    schema: str,
    nodes: Sequence[UUID],
    period: Period,
    as_of: date,
    sources: Sequence[FigureSource],
) -> dict[UUID, dict[str, Any]]:
    """Every source's figures for each node (zeros for nodes without cells)."""
    months = started_months(period, as_of)
    empty: dict[str, Any] = {name: 0 for s in sources for name, _ in s.figures}
    empty.update({name: None for s in sources for name, _, _ in s.ratios})
    result: dict[UUID, dict[str, Any]] = {node: dict(empty) for node in nodes}
    if not months or not nodes:
        return result
    last = months[-1][0] * 12 + months[-1][1]
    end = min(period.last_day, as_of)
    years, numbers = [y for y, _ in months], [m for _, m in months]
    args = (list(nodes), years, numbers, as_of, last, period.first_day, end)
    for record in await fetch(figure_query(schema, sources), *args):
        values = dict(record)
        node = values.pop("node")
        result[node].update({k: v if v is not None else 0 for k, v in values.items()})
    for values in result.values():
        expected = values.get("expected") or 0
        values["attendance_rate"] = round(values["present"] / expected, 4) if expected else None
        for source in sources:
            for name, numerator, denominator in source.ratios:
                whole = values.get(denominator) or 0
                values[name] = round(values[numerator] / whole, 4) if whole else None
    return result


NODE_SQL = (
    "SELECT id, name, level, parent_id, founded_on, dissolved_on FROM {s}.org_units WHERE id = $1"
)
ROOT_SQL = "SELECT id FROM {s}.org_units WHERE parent_id IS NULL ORDER BY founded_on, id LIMIT 1"
CHILDREN_SQL = (
    "SELECT u.id, u.name, u.level FROM {s}.org_links AS l JOIN {s}.org_units AS u"
    " ON u.id = l.unit_id WHERE l.parent_id = $1 AND l.valid_from <= $2"
    " AND (l.valid_to IS NULL OR l.valid_to > $2) AND u.founded_on <= $2"
    " AND (u.dissolved_on IS NULL OR u.dissolved_on > $2) ORDER BY u.name, u.id"
)


async def level_view(
    fetch: Fetch,
    schema: str,
    node_id: UUID | None,
    period: Period,
    as_of: date,
    sources: Sequence[FigureSource],
) -> dict[str, Any] | None:
    """The node's figures and each child's (drill-down), along the tree of the period's end."""
    if node_id is None:
        roots = await fetch(qualify(schema, ROOT_SQL))
        if not roots:
            return None
        node_id = roots[0]["id"]
    found = await fetch(qualify(schema, NODE_SQL), node_id)
    if not found:
        return None
    tree_day = min(period.last_day, as_of)
    children = await fetch(qualify(schema, CHILDREN_SQL), node_id, tree_day)
    nodes = [node_id, *(c["id"] for c in children)]
    values = await figures(fetch, schema, nodes, period, as_of, [BASE_FIGURES, *sources])
    node = dict(found[0])
    return {
        "node": {**node, "figures": values[node_id]},
        "children": [{**dict(c), "figures": values[c["id"]]} for c in children],
        "period": str(period),
        "as_of": as_of,
        "tree_as_of": tree_day,
    }
