"""Rollups (số liệu tổng hợp theo cấp): any org node's figures for a month, quarter or year.

The tree changes (moves, the 2025 reform), and each month rolls up along the tree as it stood
then: a cell's month counts under the nodes it sat under on the month's last day, if the cell
existed on its first day. Each such (node, cell, month) of the period is one regular meeting
due. A view puts together three kinds of figures for the node and its children:

1. **Tree figures** (:data:`TREE_FIGURES`): cells, meetings due, cell-quarters. Sums over
   the runs of months each cell counts in under each node (:mod:`projections.rollup_spans`),
   clipped to the period: about one row per cell under the node, never one per month.
2. **Node-month sources** (:class:`NodeMonthSource`): figures a projection keeps pre-summed per
   (node, year, month) along the tree of each month (:mod:`projections.rollup` for meetings);
   a year at the province root reads about twelve rows per node.
3. **Cell-month sources** (:class:`FigureSource`): per-cell tables (superior attendance,
   rotation, petitions, admissions), few rows each, joined from their own rows to the nodes
   above each cell that month.

Other features register sources in :func:`projections.registry.figure_sources`.
Months that have not started (after ``as_of``) are not due; only ended months count missing.

Every query carries the period's first day (``$6``, ``cm.period_first``) and the day the period
is judged at (``$7``, ``cm.period_end``: its last day, or ``as_of`` if sooner). Figures of a
state rather than a flow (petitions open, cases at each admission step) put their rows in the
month of ``$7``, so they join the last cell-month once, along the tree of that day. ``$8`` is
the period's grain (``month``, ``quarter``, ``year``) and ``$9`` the last ended month as
``year * 12 + month`` (``$5`` is the last started one, ``$10`` the first).
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
    """Figures over a per-cell, per-month relation, rolled up to the nodes above each cell.

    Every figure counts or sums the relation's rows: a cell-month without one adds nothing, so
    the query starts from the rows and finds the nodes above each cell (``cm``) that month.
    """

    name: str
    relation: str | None
    """A table or subquery with ``cell_id, year, month``; ``{s}`` is the tenant schema."""
    figures: tuple[tuple[str, str], ...]
    """(figure name, aggregate SQL over ``f`` and ``cm``)."""
    projections: tuple[str, ...]
    """Projections whose checkpoints a read-your-writes query waits for."""
    ratios: tuple[tuple[str, str, str], ...] = ()
    """(figure name, numerator, denominator): shares worked out after the sums, None over 0."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.figures)


@dataclass(frozen=True, slots=True)
class NodeMonthSource:
    """Figures a projection keeps pre-summed per (``node_id``, ``year``, ``month``)."""

    name: str
    relation: str
    figures: tuple[tuple[str, str], ...]
    """(column, aggregate SQL over ``r``, the rows of the period's started months)."""
    projections: tuple[str, ...]
    names: tuple[str, ...]
    """The figures shown, in order: columns above, tree figures and ``differences``."""
    differences: tuple[tuple[str, str, str], ...] = ()
    """(figure, minuend, subtrahend) worked out after the sums, over any figure of the view."""
    ratios: tuple[tuple[str, str, str], ...] = ()


Source = FigureSource | NodeMonthSource

TREE_FIGURES = FigureSource(
    name="cells",
    relation=None,
    projections=("org_tree", "rollup"),
    figures=(("cells", ""), ("due", "")),
)
"""Cells at the period's last started month and regular meetings due (see :data:`TREE_SQL`);
also ``cell_quarters`` and ``due_ended`` for the sources that name them."""
BASE_FIGURES = TREE_FIGURES  # the name routes and tests know it by

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


# The cell runs of the nodes (projections.rollup_spans) clipped to the started months
# [$10, $5]: each covers the months a..b. A pair's earlier run that ends in the quarter this one
# starts in (``prev_last``) takes one off ``cell_quarters``: the cell counts once there.
TREE_SQL = """
spans AS (
  SELECT node_id AS node, greatest(first_month, $10::int) AS a,
         least(last_month, $5::int) AS b, prev_last
  FROM {s}.rollup_cell_spans
  WHERE node_id = ANY($1::uuid[]) AND first_month <= $5::int AND last_month >= $10::int
), s0 AS (
  SELECT node, count(*) FILTER (WHERE b = $5::int) AS cells, sum(b - a + 1) AS due,
         sum(greatest(least(b, $9::int) - a + 1, 0)) AS due_ended,
         sum((b - 1) / 3 - (a - 1) / 3 + 1) - count(*) FILTER (WHERE prev_last >= $10::int
           AND (prev_last - 1) / 3 = (a - 1) / 3) AS cell_quarters
  FROM spans GROUP BY node
)"""
TREE_COLUMNS = ("cells", "due", "due_ended", "cell_quarters")
MONTHS_SQL = """
WITH params AS (SELECT $4::date AS as_of, $6::date AS period_first, $7::date AS period_end,
                       $8::text AS grain),
months AS (
  SELECT y AS year, m AS month, make_date(y, m, 1) AS first_day,
         (make_date(y, m, 1) + interval '1 month' - interval '1 day')::date AS last_day
  FROM unnest($2::int[], $3::int[]) AS p(y, m)
),"""
CM_COLUMNS = (
    "h.ancestor_id AS node, u.id AS cell_id, mo.year, mo.month, mo.last_day < $4::date AS ended,"
    " mo.year * 12 + mo.month = $5::int AS is_last, $6::date AS period_first,"
    " $7::date AS period_end"
)
CELL_UNDER = (
    " JOIN {s}.org_units AS u ON u.id = {cell} AND u.level IN ('cell', 'grassroots_cell')"
    " AND u.founded_on <= mo.first_day AND (u.dissolved_on IS NULL OR u.dissolved_on > mo.first_day)"
    " JOIN {s}.org_closure_history AS h ON h.descendant_id = u.id AND h.ancestor_id = ANY($1::uuid[])"
    " AND h.valid_from <= mo.last_day AND (h.valid_to IS NULL OR h.valid_to > mo.last_day)"
)


def _source_sql(alias: str, source: Source) -> str:
    exprs = ", ".join(f"{expression} AS {name}" for name, expression in source.figures)
    if isinstance(source, NodeMonthSource):
        return (
            f", {alias} AS (SELECT r.node_id AS node, {exprs} FROM {source.relation} AS r"
            # A period lies within one year: (node, year, month range) is an index range.
            " WHERE r.node_id = ANY($1::uuid[]) AND r.year = ($5::int - 1) / 12"
            " AND r.month BETWEEN ($10::int - 1) % 12 + 1 AND ($5::int - 1) % 12 + 1"
            " GROUP BY r.node_id)"
        )
    # From each row of the relation to the nodes above its cell that month: the cost follows
    # the rows, not the cells of the period.
    under = CELL_UNDER.replace("{cell}", "f.cell_id")
    return (
        f", {alias} AS (SELECT cm.node, {exprs} FROM {source.relation} AS f"
        f" JOIN LATERAL (SELECT {CM_COLUMNS} FROM months AS mo{under}"
        " WHERE mo.year = f.year AND mo.month = f.month) AS cm ON true GROUP BY cm.node)"
    )


def figure_query(schema: str, sources: Sequence[Source]) -> str:
    """One statement for the tree figures and every source, each grouped by node on its own
    (so one source's rows never multiply another's), meeting on ``node``."""
    parts = [_source_sql(f"s{i}", source) for i, source in enumerate(sources, start=1)]
    columns = [f"s0.{name}" for name in TREE_COLUMNS]
    columns += [f"s{i}.{name}" for i, s in enumerate(sources, start=1) for name, _ in s.figures]
    joins = " ".join(f"LEFT JOIN s{i} USING (node)" for i in range(1, len(sources) + 1))
    text = (
        f"{MONTHS_SQL}{TREE_SQL}{''.join(parts)}"
        f" SELECT n.node, {', '.join(columns)} FROM unnest($1::uuid[]) AS n(node)"
        f" LEFT JOIN s0 USING (node) {joins}"
    )
    return qualify(schema, text)


def started_months(period: Period, as_of: date) -> list[tuple[int, int]]:
    return [(y, m) for y, m in period.months if date(y, m, 1) <= as_of]


def _grain(period: Period) -> str:
    return "month" if period.month else "quarter" if period.quarter else "year"


def _shown(sources: Sequence[Source]) -> list[str]:
    """The figure names of a view, in the order they are shown (and exported)."""
    names = ["cells", "due"]
    for source in sources:
        names += [n for n in source.names if n not in names]
    return names + [name for source in sources for name, _, _ in source.ratios]


async def figures(
    fetch: Fetch,
    schema: str,
    nodes: Sequence[UUID],
    period: Period,
    as_of: date,
    sources: Sequence[Source],
) -> dict[UUID, dict[str, Any]]:
    """Every source's figures for each node (zeros for nodes without cells)."""
    sources = [s for s in sources if s is not TREE_FIGURES]
    months = started_months(period, as_of)
    result = _empty_rows(nodes, sources)
    if not months or not nodes:
        return result
    args = _query_args(nodes, period, as_of, months)
    shown = _shown(sources)
    for record in await fetch(figure_query(schema, sources), *args):
        values = _with_differences(record, sources)
        result[record["node"]].update({name: values[name] for name in shown if name in values})
    for values in result.values():
        _add_ratios(values, sources)
    return result


def _empty_rows(nodes: Sequence[UUID], sources: Sequence[Source]) -> dict[UUID, dict[str, Any]]:
    """Each node's row before the query: counts at 0, shares unknown (None)."""
    ratios = {name for s in sources for name, _, _ in s.ratios}
    empty: dict[str, Any] = {name: None if name in ratios else 0 for name in _shown(sources)}
    return {node: dict(empty) for node in nodes}


def _query_args(
    nodes: Sequence[UUID], period: Period, as_of: date, months: list[tuple[int, int]]
) -> tuple[Any, ...]:
    """$1…$10 of :func:`figure_query`: the nodes, the started months, ``as_of``, the last
    started month, the period's bounds and grain, the last ended month, the first month."""
    first, last = (y * 12 + m for y, m in (months[0], months[-1]))
    ended = [y * 12 + m for y, m in months if _last_day(y, m) < as_of]
    end = min(period.last_day, as_of)
    years, numbers = [y for y, _ in months], [m for _, m in months]
    return (list(nodes), years, numbers, as_of, last, period.first_day, end, _grain(period),
            ended[-1] if ended else first - 1, first)  # fmt: skip


def _with_differences(record: Any, sources: Sequence[Source]) -> dict[str, Any]:
    """One node's sums (NULL as 0) and the differences the pre-summed sources define."""
    values = {k: v if v is not None else 0 for k, v in dict(record).items()}
    for source in sources:
        if isinstance(source, NodeMonthSource):
            for name, minuend, subtrahend in source.differences:
                values[name] = values[minuend] - values[subtrahend]
    return values


def _add_ratios(values: dict[str, Any], sources: Sequence[Source]) -> None:
    """Shares worked out after the sums: None where the denominator is 0."""
    expected = values.get("expected") or 0
    values["attendance_rate"] = round(values["present"] / expected, 4) if expected else None
    for source in sources:
        for name, numerator, denominator in source.ratios:
            whole = values.get(denominator) or 0
            values[name] = round(values[numerator] / whole, 4) if whole else None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


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
    sources: Sequence[Source],
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
    values = await figures(fetch, schema, nodes, period, as_of, sources)
    node = dict(found[0])
    return {
        "node": {**node, "figures": values[node_id]},
        "children": [{**dict(c), "figures": values[c["id"]]} for c in children],
        "period": str(period),
        "as_of": as_of,
        "tree_as_of": tree_day,
    }
