"""One batch of supervision events folded in memory before the projection writes it.

Creations in the batch become inserts that later events of the same batch amend; changes to
rows of earlier batches become grouped ``UPDATE … FROM unnest``; counters become increments.
So a batch costs a handful of statements whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from projections.base import table
from projections.sets import Column, update_rows, upsert_rows

SPAN_COLUMNS: Sequence[Column] = (
    ("petition_id", "uuid"),
    ("seq", "int"),
    ("opened_on", "date"),
    ("due_on", "date"),
    ("answered_on", "date"),
)


class Spans:
    """Open spans of petitions: new ones of this batch, and answers to spans of earlier ones."""

    def __init__(self) -> None:
        self.new: dict[tuple[UUID, int], list[Any]] = {}
        self.latest: dict[UUID, tuple[UUID, int]] = {}
        self.answered: dict[UUID, date] = {}

    def event(self, kind: str, e: Any, oid: UUID, version: int) -> None:
        if kind in ("Raised", "Reopened"):
            opened_on = e.raised_on if kind == "Raised" else e.reopened_on
            self.new[(oid, version)] = [oid, version, opened_on, e.due_on, None]
            self.latest[oid] = (oid, version)
        elif kind == "AnsweredBack":
            if oid in self.latest:
                self.new[self.latest[oid]][4] = e.answered_on
            else:
                # At most one span is open; a later answer in this batch goes to a newer span.
                self.answered.setdefault(oid, e.answered_on)

    def write(self, conn: psycopg.Connection[Any], schema: str) -> None:
        if self.answered:
            conn.execute(
                sql.SQL(
                    "UPDATE {} AS t SET answered_on = u.answered_on FROM unnest(%s::uuid[],"
                    " %s::date[]) AS u(petition_id, answered_on)"
                    " WHERE t.petition_id = u.petition_id AND t.answered_on IS NULL"
                ).format(table(schema, "sup_petition_spans")),
                [list(self.answered), list(self.answered.values())],
            )
        rows = list(self.new.values())
        upsert_rows(conn, schema, "sup_petition_spans", SPAN_COLUMNS, ["petition_id", "seq"], rows)


class Fold:
    """Rows created in this batch (full) and column changes to rows of earlier batches."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = columns
        self.types = dict(columns)
        self.new: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.changed: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.increments: dict[tuple[Any, ...], int] = {}
        self.revived: dict[tuple[Any, ...], dict[str, Any]] = {}
        """Rows that may exist from an earlier batch: inserted, or only ``revive`` columns set."""

    def create(self, key: tuple[Any, ...], **row: Any) -> None:
        self.new[key] = row
        self.changed.pop(key, None)

    def change(self, key: tuple[Any, ...], **values: Any) -> None:
        (self.new[key] if key in self.new else self.changed.setdefault(key, {})).update(values)

    def add(self, key: tuple[Any, ...], column: str, amount: int = 1) -> None:
        if key in self.new:
            self.new[key][column] += amount
        else:
            self.increments[key] = self.increments.get(key, 0) + amount

    def write(
        self,
        conn: psycopg.Connection[Any],
        schema: str,
        name: str,
        key: Sequence[str],
        counter: str,
        revive: Sequence[str] = (),
    ) -> None:
        names = [c for c, _ in self.columns]
        # Revived rows replace only the ``revive`` columns; new rows replace every non-key one.
        batches: tuple[tuple[dict[Any, dict[str, Any]], Sequence[str] | None], ...] = (
            (self.revived, revive),
            (self.new, None),
        )
        for written, update in batches:
            full = [[row[c] for c in names] for row in written.values()]
            upsert_rows(conn, schema, name, self.columns, key, full, update=update)
        groups: dict[tuple[str, ...], list[list[Any]]] = {}
        for k, values in self.changed.items():
            cols = tuple(sorted(values))
            groups.setdefault(cols, []).append([*k, *(values[c] for c in cols)])
        for cols, rows in groups.items():
            columns = [(c, self.types[c]) for c in (*key, *cols)]
            update_rows(conn, schema, name, columns, key, rows)
        if self.increments:
            statement = sql.SQL(
                "UPDATE {} AS t SET {c} = t.{c} + u.n FROM unnest({arrays}) AS u({keys}, n) WHERE {on}"
            ).format(
                table(schema, name),
                c=sql.Identifier(counter),
                arrays=sql.SQL(", ").join(
                    [sql.SQL("%s::" + self.types[k] + "[]") for k in key] + [sql.SQL("%s::int[]")]
                ),
                keys=sql.SQL(", ").join(sql.Identifier(k) for k in key),
                on=sql.SQL(" AND ").join(
                    sql.SQL("t.{0} = u.{0}").format(sql.Identifier(k)) for k in key
                ),
            )
            keys = list(self.increments)
            arrays = [[k[i] for k in keys] for i in range(len(key))]
            conn.execute(statement, [*arrays, [self.increments[k] for k in keys]])
