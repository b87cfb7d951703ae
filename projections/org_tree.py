"""The organisation tree (cây tổ chức đảng) as tables, current and as of any date.

Tables (in the tenant's schema):

- ``org_units``: one row per unit with its current name, level, parent and dates;
- ``org_links``: every parent link with ``valid_from``/``valid_to`` (to exclusive), so the
  tree as it stood on any day is known after moves (the 2025 reform moved whole subtrees);
- ``org_closure(ancestor_id, descendant_id, depth)``: the current tree, every ancestor/
  descendant pair including (u, u, 0), so "everything under this committee" is one indexed
  lookup at any level;
- ``org_closure_history``: the same pairs with validity dates. Rollups attribute a cell's
  month to the ancestors it had on the month's last day. A move closes only the pairs whose
  ancestor changes; pairs with ancestors common to the old and new place stay open (their
  ``depth`` is the one at ``valid_from``; drill-down uses ``org_links``).

A dissolved unit keeps its links: its past months still roll up to where it stood.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.utils import get_topic

from domain.org_unit import OrgUnit
from projections.base import StoredEventRow, decode, table
from projections.sets import OwnTables, copy_rows, plain, update_rows

TABLES = ("org_closure_history", "org_closure", "org_links", "org_units")
FOUNDED = get_topic(OrgUnit.Founded)
MOVED = get_topic(OrgUnit.Moved)
DISSOLVED = get_topic(OrgUnit.Dissolved)
RENAMED = get_topic(OrgUnit.Renamed)
WINDOW = get_topic(OrgUnit.MeetingWindowSet)

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.org_units (id uuid PRIMARY KEY, name text NOT NULL,"
    " level text NOT NULL, parent_id uuid, founded_on date NOT NULL, dissolved_on date,"
    " window_first_day int, window_last_day int)",
    "CREATE INDEX IF NOT EXISTS org_units_parent ON {s}.org_units (parent_id)",
    "CREATE TABLE IF NOT EXISTS {s}.org_links (unit_id uuid NOT NULL, parent_id uuid NOT NULL,"
    " valid_from date NOT NULL, valid_to date)",
    "CREATE INDEX IF NOT EXISTS org_links_parent ON {s}.org_links (parent_id, valid_from)",
    "CREATE INDEX IF NOT EXISTS org_links_unit ON {s}.org_links (unit_id)",
    "CREATE TABLE IF NOT EXISTS {s}.org_closure (ancestor_id uuid NOT NULL,"
    " descendant_id uuid NOT NULL, depth int NOT NULL, PRIMARY KEY (ancestor_id, descendant_id))",
    "CREATE INDEX IF NOT EXISTS org_closure_descendant ON {s}.org_closure (descendant_id)",
    "CREATE TABLE IF NOT EXISTS {s}.org_closure_history (ancestor_id uuid NOT NULL,"
    " descendant_id uuid NOT NULL, depth int NOT NULL, valid_from date NOT NULL, valid_to date)",
    "CREATE INDEX IF NOT EXISTS org_closure_history_ancestor"
    " ON {s}.org_closure_history (ancestor_id, descendant_id, valid_from)",
    "CREATE INDEX IF NOT EXISTS org_closure_history_descendant"
    " ON {s}.org_closure_history (descendant_id)",
)

UNIT_COLUMNS = ("id", "name", "level", "parent_id", "founded_on")

MOVE_SQL = (
    "UPDATE {s}.org_units SET parent_id = %(q)s WHERE id = %(u)s",
    "UPDATE {s}.org_links SET valid_to = %(d)s WHERE unit_id = %(u)s AND valid_to IS NULL",
    "INSERT INTO {s}.org_links VALUES (%(u)s, %(q)s, %(d)s, NULL)",
    # History first: it reads the current closure before that is changed.
    "UPDATE {s}.org_closure_history SET valid_to = %(d)s WHERE valid_to IS NULL"
    " AND descendant_id IN (SELECT descendant_id FROM {s}.org_closure WHERE ancestor_id = %(u)s)"
    " AND ancestor_id IN (SELECT ancestor_id FROM {s}.org_closure"
    "  WHERE descendant_id = %(u)s AND ancestor_id <> %(u)s)"
    " AND ancestor_id NOT IN (SELECT ancestor_id FROM {s}.org_closure WHERE descendant_id = %(q)s)",
    "INSERT INTO {s}.org_closure_history"
    " SELECT na.ancestor_id, sub.descendant_id, na.depth + 1 + sub.depth, %(d)s, NULL"
    " FROM {s}.org_closure na CROSS JOIN {s}.org_closure sub"
    " WHERE na.descendant_id = %(q)s AND sub.ancestor_id = %(u)s AND na.ancestor_id NOT IN"
    " (SELECT ancestor_id FROM {s}.org_closure WHERE descendant_id = %(u)s)",
    "DELETE FROM {s}.org_closure WHERE descendant_id IN"
    " (SELECT descendant_id FROM {s}.org_closure WHERE ancestor_id = %(u)s)"
    " AND ancestor_id IN (SELECT ancestor_id FROM {s}.org_closure"
    "  WHERE descendant_id = %(u)s AND ancestor_id <> %(u)s)",
    "INSERT INTO {s}.org_closure"
    " SELECT na.ancestor_id, sub.descendant_id, na.depth + 1 + sub.depth"
    " FROM {s}.org_closure na CROSS JOIN {s}.org_closure sub"
    " WHERE na.descendant_id = %(q)s AND sub.ancestor_id = %(u)s",
)


class OrgTreeProjection(OwnTables):
    name = "org_tree"
    version = 1  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = TABLES
    topics: tuple[str, ...] = (FOUNDED, MOVED, DISSOLVED, RENAMED, WINDOW)

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        founded: list[tuple[UUID, Any]] = []
        for row in events:
            if row.topic == FOUNDED:
                founded.append((row.originator_id, decode(row)))
                continue
            # A run of foundings is written at once; anything else keeps log order.
            self._found(conn, schema, founded)
            founded = []
            self._change(conn, schema, row)
        self._found(conn, schema, founded)

    def _found(
        self, conn: psycopg.Connection[Any], schema: str, units: list[tuple[UUID, Any]]
    ) -> None:
        if not units:
            return
        new = {unit_id for unit_id, _ in units}
        outside = list({e.parent_id for _, e in units if e.parent_id and e.parent_id not in new})
        ancestors: dict[UUID, list[tuple[UUID, int]]] = {}
        if outside:
            rows = conn.execute(
                psycopg.sql.SQL(
                    "SELECT descendant_id, ancestor_id, depth FROM {} WHERE descendant_id = ANY(%s)"
                ).format(table(schema, "org_closure")),
                (outside,),
            ).fetchall()
            for descendant, ancestor, depth in rows:
                ancestors.setdefault(descendant, []).append((ancestor, depth))
        closure: list[tuple[UUID, UUID, int]] = []
        history: list[tuple[UUID, UUID, int, Any, None]] = []
        links = []
        for unit_id, e in units:
            chain = [(unit_id, 0)] + [(a, d + 1) for a, d in ancestors.get(e.parent_id, [])]
            ancestors[unit_id] = chain
            closure += [(a, unit_id, d) for a, d in chain]
            history += [(a, unit_id, d, e.founded_on, None) for a, d in chain]
            if e.parent_id:
                links.append((unit_id, e.parent_id, e.founded_on, None))
        copy_rows(
            conn,
            schema,
            "org_units",
            UNIT_COLUMNS,
            [(u, e.name, plain(e.level), e.parent_id, e.founded_on) for u, e in units],
        )
        copy_rows(
            conn, schema, "org_links", ("unit_id", "parent_id", "valid_from", "valid_to"), links
        )
        copy_rows(conn, schema, "org_closure", ("ancestor_id", "descendant_id", "depth"), closure)
        copy_rows(
            conn,
            schema,
            "org_closure_history",
            ("ancestor_id", "descendant_id", "depth", "valid_from", "valid_to"),
            history,
        )

    def _change(self, conn: psycopg.Connection[Any], schema: str, row: StoredEventRow) -> None:
        e: Any = decode(row)
        unit = row.originator_id
        if row.topic == MOVED:
            quoted = psycopg.sql.Identifier(schema).as_string(conn)
            params = {"u": unit, "q": e.parent_id, "d": e.moved_on}
            for statement in MOVE_SQL:
                conn.execute(statement.replace("{s}", quoted).encode(), params)
        elif row.topic == DISSOLVED:
            _set_unit(conn, schema, unit, dissolved_on=("date", e.dissolved_on))
        elif row.topic == RENAMED:
            _set_unit(conn, schema, unit, name=("text", e.name))
        elif row.topic == WINDOW:
            _set_unit(
                conn,
                schema,
                unit,
                window_first_day=("int", e.first_day),
                window_last_day=("int", e.last_day),
            )


def _set_unit(
    conn: psycopg.Connection[Any], schema: str, unit: UUID, **fields: tuple[str, Any]
) -> None:
    """Set some columns of one unit's row, each given as (PostgreSQL type, value)."""
    columns = [("id", "uuid"), *((name, kind) for name, (kind, _) in fields.items())]
    values = (unit, *(value for _, value in fields.values()))
    update_rows(conn, schema, "org_units", columns, ["id"], [values])


ORG_TREE = OrgTreeProjection()
