"""Lists for inspection commissions (danh sách cho ủy ban kiểm tra) and the register/roster.

Each list is a :class:`ListSpec`: a base query over the read models taking four parameters
($1 the org node, $2 and $3 the period's first and last day, $4 the as-of day), a unique
key column, a searchable name column and the columns it may be sorted by. :func:`page`
wraps any spec with the text filter, the sort and keyset (cursor) pagination, so every list
(and every list other features register in :func:`projections.registry.list_specs`) gets
the same filters, sorting, paging and export.

A page of a list sorted by a column it has a :class:`Walk` for is read window by window of that
column's values (:func:`page`): the wrapper's ORDER BY and LIMIT cannot reach into the spec's
query, which otherwise builds the whole list (72,000 cell-months over a year at the root of a
6,000-cell province) for every page of 50.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any

from projections.meetings_sql import over_3
from projections.rollups import Fetch, qualify


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    vi: str
    en: str
    sql_type: str = "text"
    """How a cursor value of this column is cast back (it travels as text)."""


@dataclass(frozen=True, slots=True)
class Walk:
    """The values a sort column can take in a list, so that a page is read window by window.

    ``sql`` takes the spec's parameters and returns a column ``value``, distinct; it may return
    more values than the rows have (a window is a range of values, and the last is unbounded,
    so every row is still read once). The column must be NOT NULL and filter into the spec's
    query (a plain column or a grouping key), or the windows save nothing. ``first``: how many
    values the first window takes.
    """

    column: str
    sql: str
    first: int


@dataclass(frozen=True, slots=True)
class ListSpec:
    name: str
    title_vi: str
    title_en: str
    columns: tuple[Column, ...]
    sql: str
    search: str
    sorts: tuple[str, ...]
    projections: tuple[str, ...]
    walks: tuple[Walk, ...] = ()
    key: str = "key"
    """The column that names a row; every list's is :data:`KEY`, first of its columns."""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def walk(self, sort: str) -> Walk | None:
        return next((w for w in self.walks if w.column == sort), None)


# Cells under $1 on the last day of each month of the period, existing on its first day.
CELL_MONTHS = """
WITH months AS (
  SELECT d::date AS first_day, (d + interval '1 month' - interval '1 day')::date AS last_day
  FROM generate_series($2::date::timestamp, $3::date::timestamp, interval '1 month') AS d
  WHERE d::date <= $4::date
), cells AS (
  SELECT u.id AS cell_id, u.name AS cell_name, mo.first_day, mo.last_day,
         extract(year FROM mo.first_day)::int AS year, extract(month FROM mo.first_day)::int AS month,
         (SELECT p.name FROM {s}.org_links AS l JOIN {s}.org_units AS p ON p.id = l.parent_id
          WHERE l.unit_id = u.id AND l.valid_from <= mo.last_day
          AND (l.valid_to IS NULL OR l.valid_to > mo.last_day)) AS parent_name
  FROM months AS mo
  JOIN {s}.org_closure_history AS h ON h.ancestor_id = $1::uuid
   AND h.valid_from <= mo.last_day AND (h.valid_to IS NULL OR h.valid_to > mo.last_day)
  JOIN {s}.org_units AS u ON u.id = h.descendant_id AND u.level IN ('cell', 'grassroots_cell')
   AND u.founded_on <= mo.first_day AND (u.dissolved_on IS NULL OR u.dissolved_on > mo.first_day)
)
"""

# The names of the cells under $1 at some time in the period (a superset of CELL_MONTHS' cells).
CELL_NAMES = Walk(
    "cell_name",
    """
SELECT DISTINCT u.name AS value
FROM {s}.org_closure_history AS h
JOIN {s}.org_units AS u ON u.id = h.descendant_id AND u.level IN ('cell', 'grassroots_cell')
WHERE h.ancestor_id = $1::uuid AND h.valid_from <= $3::date
  AND (h.valid_to IS NULL OR h.valid_to > $2::date) AND $2::date <= $4::date""",
    first=64,
)

# The months of the period (yyyy-mm) up to the as-of day: a month list's ``period`` column. The
# register's first page at the root is then one month's meetings, not the year's 150,000.
# ($1 is named though unused: the walk is sent with the spec's parameters, each typed.)
MONTHS = Walk(
    "period",
    """
SELECT to_char(d, 'YYYY-MM') AS value
FROM generate_series($2::date::timestamp, $3::date::timestamp, interval '1 month') AS d
WHERE d::date <= $4::date AND $1::uuid IS NOT NULL""",
    first=1,
)

KEY = Column("key", "Mã", "Key")
# Columns that read the same in every list and collection.
CELL = Column("cell_name", "Chi bộ", "Cell")
PARENT = Column("parent_name", "Trực thuộc", "Under")
PERIOD = Column("period", "Kỳ", "Period")
STATUS = Column("status", "Tình trạng", "Status")
FULL_NAME = Column("full_name", "Họ và tên", "Full name")
STATE = Column("state", "Tình trạng", "State")
KIND = Column("kind", "Loại", "Kind")
HELD_ON = Column("held_on", "Ngày họp", "Held on")
RATING = Column("rating", "Xếp loại", "Rating")
CATEGORY = Column("category", "Lĩnh vực", "Category")
ROLE = Column("role", "Vai trò", "Role")
ASSIGNEE = Column("assignee_name", "Người được phân công", "Assignee")
DAYS_OVERDUE = Column("days_overdue", "Số ngày quá hạn", "Days overdue", "int")
TREE_AND_MEETINGS = ("org_tree", "meetings")


def cells_missing(
    name: str, title_vi: str, title_en: str, select: str, walks: tuple[Walk, ...] = ()
) -> ListSpec:
    """A list of the cells that miss a kind of meeting in a period (``missing``, or ``pending``
    while the period is not over); ``select`` reads CELL_MONTHS' ``cells``."""
    return ListSpec(
        name=name,
        title_vi=title_vi,
        title_en=title_en,
        columns=(KEY, CELL, PARENT, PERIOD, STATUS),
        sql=CELL_MONTHS + select,
        search="cell_name",
        sorts=("cell_name", "period", "parent_name", "status"),
        projections=TREE_AND_MEETINGS,
        walks=(CELL_NAMES, *walks),
    )


MISSING_REGULAR = cells_missing(
    "cells_without_regular_meeting",
    "Chi bộ không sinh hoạt thường kỳ trong tháng",
    "Cells without a regular meeting in a month",
    """
SELECT c.cell_id::text || ':' || to_char(c.first_day, 'YYYY-MM') AS key, c.cell_name,
       coalesce(c.parent_name, '') AS parent_name, to_char(c.first_day, 'YYYY-MM') AS period,
       CASE WHEN c.last_day < $4::date THEN 'missing' ELSE 'pending' END AS status
FROM cells AS c LEFT JOIN {s}.meeting_cell_month AS f
  ON (f.cell_id, f.year, f.month) = (c.cell_id, c.year, c.month)
WHERE NOT coalesce(f.regular_held, false)""",
    walks=(MONTHS,),
)

MISSING_THEMATIC = cells_missing(
    "cells_without_thematic_meeting",
    "Chi bộ không sinh hoạt chuyên đề trong quý",
    "Cells without a thematic meeting in a quarter",
    """
, quarters AS (
  SELECT c.cell_id, c.year, (c.month - 1) / 3 + 1 AS quarter,
         c.cell_name, max(c.parent_name) AS parent_name,
         bool_or(coalesce(f.thematic_held, 0) > 0) AS held, max(c.last_day) AS last_day,
         count(*) AS months
  FROM cells AS c LEFT JOIN {s}.meeting_cell_month AS f
    ON (f.cell_id, f.year, f.month) = (c.cell_id, c.year, c.month)
  GROUP BY c.cell_id, c.cell_name, c.year, (c.month - 1) / 3 + 1
)
SELECT q.cell_id::text || ':' || q.year || '-Q' || q.quarter AS key, q.cell_name,
       coalesce(q.parent_name, '') AS parent_name, q.year || '-Q' || q.quarter AS period,
       CASE WHEN q.months = 3 AND q.last_day < $4::date THEN 'missing' ELSE 'pending' END AS status
FROM quarters AS q WHERE NOT q.held""",
)

KEM_TWICE = ListSpec(
    name="cells_rated_kem_twice",
    title_vi="Chi bộ bị xếp loại Kém hai kỳ liên tiếp",
    title_en="Cells rated Kém at two meetings in a row",
    columns=(
        KEY,
        CELL,
        PARENT,
        Column("first_period", "Kỳ Kém thứ nhất", "First Kém month"),
        Column("period", "Kỳ Kém thứ hai", "Second Kém month"),
    ),
    # The cell's previous held regular meeting is one backward step on the primary key: a
    # window over every cell's history, joined back, took minutes at the province root.
    sql=CELL_MONTHS
    + """
SELECT c.cell_id::text || ':' || to_char(c.first_day, 'YYYY-MM') AS key, c.cell_name,
       coalesce(c.parent_name, '') AS parent_name,
       to_char(previous.first_day, 'YYYY-MM') AS first_period,
       to_char(c.first_day, 'YYYY-MM') AS period
FROM cells AS c
JOIN {s}.meeting_cell_month AS f ON f.cell_id = c.cell_id AND f.year = c.year
 AND f.month = c.month AND f.regular_held AND f.rating = 'kem'
JOIN LATERAL (
  SELECT p.rating, make_date(p.year, p.month, 1) AS first_day
  FROM {s}.meeting_cell_month AS p
  WHERE p.cell_id = c.cell_id AND p.regular_held AND (p.year, p.month) < (c.year, c.month)
  ORDER BY p.year DESC, p.month DESC LIMIT 1
) AS previous ON previous.rating = 'kem'""",
    search="cell_name",
    sorts=("cell_name", "period", "parent_name"),
    projections=TREE_AND_MEETINGS,
    # Not MONTHS: two Kém months in a row are rare, so month windows find too few rows each
    # (54 ms at the root over a year, against 19 ms for the whole list at once).
    walks=(CELL_NAMES,),
)

ABSENT_OVER_3 = ListSpec(
    name="members_absent_over_3_in_a_row",
    title_vi="Đảng viên vắng sinh hoạt có lý do quá 3 lần liên tiếp trong năm",
    title_en="Members absent with a reason more than 3 times in a row within the year",
    columns=(
        KEY,
        FULL_NAME,
        CELL,
        PARENT,
        Column("streak", "Số kỳ vắng có lý do liên tiếp", "Excused absences in a row", "int"),
        PERIOD,
    ),
    # HD 12-HD/BTCTW criterion 1 (issue 12 §3): the 4th excused absence in a row within the
    # year or later, exempted members left out (projections.meetings_sql.over_3).
    sql=CELL_MONTHS
    + """
SELECT a.member_id::text AS key, m.full_name, max(c.cell_name) AS cell_name,
       max(c.parent_name) AS parent_name, max(a.streak) AS streak, max(to_char(c.first_day, 'YYYY-MM')) AS period
FROM cells AS c JOIN {s}.meeting_attendance AS a
  ON (a.cell_id, a.year, a.month) = (c.cell_id, c.year, c.month) AND OVER_3
JOIN {s}.members AS m ON m.id = a.member_id
GROUP BY a.member_id, m.full_name""".replace("OVER_3", over_3("a")),
    search="full_name",
    sorts=("full_name", "streak", "cell_name", "period"),
    projections=(*TREE_AND_MEETINGS, "roster"),
)
RENAMED = {"members_absent_3_in_a_row": ABSENT_OVER_3.name}
"""Old list names that still answer, by the list that replaced them."""

REGISTER = ListSpec(
    name="meetings",
    title_vi="Sổ sinh hoạt chi bộ",
    title_en="Meeting register",
    columns=(
        KEY,
        CELL,
        PARENT,
        PERIOD,
        KIND,
        HELD_ON,
        Column("timing", "Đúng hạn", "Timing"),
        RATING,
        Column("present", "Có mặt", "Present", "int"),
        Column("expected", "Phải dự", "Expected", "int"),
    ),
    sql=CELL_MONTHS
    + """
SELECT g.id::text AS key, c.cell_name, c.parent_name, to_char(c.first_day, 'YYYY-MM') AS period,
       g.kind,
       coalesce(to_char(g.held_on, 'YYYY-MM-DD'), '') AS held_on,
       CASE WHEN g.held_on IS NULL THEN 'not_held' WHEN g.is_late THEN 'late'
            ELSE 'on_time' END AS timing,
       coalesce(g.rating, '') AS rating, g.present, g.expected
FROM cells AS c JOIN {s}.meetings AS g
  ON (g.cell_id, g.year, g.month) = (c.cell_id, c.year, c.month)""",
    search="cell_name",
    sorts=("period", "cell_name", "held_on", "kind", "rating"),
    projections=TREE_AND_MEETINGS,
    walks=(MONTHS, CELL_NAMES),
)


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[str | None]:
    values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    if not (isinstance(values, list) and len(values) == 2):
        raise ValueError(cursor)
    return [None if v is None else str(v) for v in values]


async def page(
    fetch: Fetch,
    schema: str,
    spec: ListSpec,
    params: tuple[Any, ...],
    *,
    q: str | None = None,
    sort: str | None = None,
    descending: bool = False,
    limit: int | None = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a list and the cursor of the next (``limit=None``: everything, for export).

    ``params`` fill the spec's own placeholders ($1 … $n; four for an inspection list); the
    filter, cursor, limit and window take the next ones.
    """
    sort = sort or spec.sorts[0]
    if sort not in spec.sorts:
        raise ValueError(sort)
    after = decode_cursor(cursor) if cursor else None
    read = Read(fetch, schema, spec, params, q, sort, descending, after)
    walk = spec.walk(sort)
    if limit is None:
        records = await read.rows(None, None, None)
    elif walk is None:
        records = await read.rows(None, None, limit + 1)
    else:
        records = await read.walking(walk, limit + 1)
    if limit is None or len(records) <= limit:
        return records, None
    records = records[:limit]
    last = records[-1]
    return records, _cursor([last[sort], last[spec.key]])


@dataclass(frozen=True, slots=True)
class Read:
    """The wrapper of one page's query: the spec's rows filtered, after the cursor, sorted."""

    fetch: Fetch
    schema: str
    spec: ListSpec
    params: tuple[Any, ...]
    q: str | None
    sort: str
    descending: bool
    after: list[str | None] | None

    async def rows(self, low: Any, high: Any, limit: int | None) -> list[dict[str, Any]]:
        """The rows whose sort value is past ``low`` and up to ``high`` (None: no bound)."""
        spec, sort, args = self.spec, self.sort, list(self.params)

        def arg(value: Any) -> str:
            args.append(value)
            return f"${len(args)}"

        cast = spec.column(sort).sql_type
        op, direction = ("<", "DESC") if self.descending else (">", "ASC")
        where = ["true"]
        if self.q:
            where.append(f"x.{spec.search} ILIKE '%' || {arg(self.q)}::text || '%'")
        if self.after is not None and self.after[0] is not None:
            value, key = self.after
            where.append(
                f"(x.{sort}, x.{spec.key}) {op} ({arg(value)}::text::{cast}, {arg(key)}::text)"
            )
        if low is not None:
            where.append(f"x.{sort} {op} {arg(low)}::text::{cast}")
        if high is not None:
            where.append(f"x.{sort} {'>' if self.descending else '<'}= {arg(high)}::text::{cast}")
        query = (
            f"SELECT * FROM ({spec.sql}) AS x WHERE {' AND '.join(where)}"
            f" ORDER BY x.{sort} {direction}, x.{spec.key} {direction}"
        )
        if limit is not None:
            query += f" LIMIT {arg(limit)}::int"
        return [dict(r) for r in await self.fetch(qualify(self.schema, query), *args)]

    async def walking(self, walk: Walk, wanted: int) -> list[dict[str, Any]]:
        """The first ``wanted`` rows, read window by window of the sort column's values (those
        from the cursor's on, in the page's order) until they are found or the values run out.

        A window takes whole values (rows of the same value never straddle two), and the last
        one is unbounded: the rows, their order and the cursor are those of the whole query.
        Each window after the first is sized from the rows per value seen so far.
        """
        cast = self.spec.column(walk.column).sql_type
        op, direction = ("<", "DESC") if self.descending else (">", "ASC")
        query = f"SELECT v.value FROM ({walk.sql}) AS v"
        args = list(self.params)
        if self.after is not None and self.after[0] is not None:
            args.append(self.after[0])
            query += f" WHERE v.value {op}= ${len(args)}::text::{cast}"
        query += f" ORDER BY v.value {direction}"
        values = [r["value"] for r in await self.fetch(qualify(self.schema, query), *args)]
        found: list[dict[str, Any]] = []
        done, size, low = 0, walk.first, None
        while True:
            high = values[done + size - 1] if done + size < len(values) else None
            found += await self.rows(low, high, wanted - len(found))
            done += size
            if len(found) >= wanted or high is None:
                return found
            per_value = len(found) / done
            need = (wanted - len(found)) / per_value if found else 4 * done
            size, low = max(size, math.ceil(1.5 * need)), high


BUILT_IN: tuple[ListSpec, ...] = (
    MISSING_REGULAR,
    MISSING_THEMATIC,
    KEM_TWICE,
    ABSENT_OVER_3,
    REGISTER,
)
