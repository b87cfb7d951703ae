"""Chaining each event in the transaction that writes it (mắt xích ghi cùng giao dịch).

The library inserts a province's events holding ``LOCK TABLE … IN EXCLUSIVE MODE``, so its
writers are serialised and the chain head they read cannot move under them. This recorder
adds, in that same transaction, one chain entry per event (``hashchain.link`` from the head),
so the log and its chain commit together or not at all. An event that reaches the table any
other way has no entry, and the verifier names it as inserted, wherever it lies.

A province provisioned before this release has no ``since`` row until its chain's catch-up
(``hashchain.extend_chain``) switches it over; until then its writes are chained afterwards,
as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from infra.audit.hashchain import CHAIN_TABLE, SINCE_TABLE, genesis, link, slug_of


class ChainingRecorder(PostgresApplicationRecorder):
    """The library's recorder, which also writes the chain entries of what it inserts."""

    _found: frozenset[str] = frozenset()
    """The tables seen in this schema; one that is missing is asked for again next time."""

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids and self._has_chain(curs):
            chain_written(curs, self.datastore.schema, ids, stored_events)
        return ids

    def _has_chain(self, curs: Cursor[DictRow]) -> bool:
        """Whether this schema has the audit tables (the library's own test suites do not)."""
        return self._has_table(curs, SINCE_TABLE)

    def _has_table(self, curs: Cursor[DictRow], table: str) -> bool:
        if table not in self._found:
            target = f'"{self.datastore.schema}"."{table}"'
            row = curs.execute("SELECT to_regclass(%s) AS t", (target,)).fetchone()
            if row and row["t"]:
                self._found = self._found | {table}
        return table in self._found


def chain_written(
    curs: Cursor[DictRow],
    schema: str,
    ids: Sequence[int],
    events: Sequence[StoredEvent],
    *,
    copy: bool = False,
) -> None:
    """Link ``events`` (just inserted with ``ids``, table lock held) after the chain head.

    ``copy`` sends the entries with binary ``COPY`` (a bulk import's thousands of rows: the
    arrays of ``unnest`` are built value by value in Python); the rows are the same.
    """
    chain = sql.Identifier(schema, CHAIN_TABLE)
    row = curs.execute(
        sql.SQL(
            "SELECT (SELECT since FROM {s} LIMIT 1) AS since,"
            " (SELECT hash FROM {c} ORDER BY notification_id DESC LIMIT 1) AS head"
        ).format(s=sql.Identifier(schema, SINCE_TABLE), c=chain)
    ).fetchone()
    if row is None or row["since"] is None:
        return  # not switched yet: extend_chain chains this province after the fact
    previous = bytes(row["head"]) if row["head"] is not None else genesis(slug_of(schema))
    columns: tuple[list[Any], list[Any], list[Any], list[bytes]] = ([], [], [], [])
    for nid, event in sorted(zip(ids, events, strict=True), key=lambda pair: pair[0]):
        originator = event.originator_id
        raw = originator.bytes if hasattr(originator, "bytes") else bytes.fromhex(str(originator))
        previous = link(
            previous, nid, raw, event.originator_version, event.topic.encode(), event.state
        )
        for column, value in zip(
            columns, (nid, originator, event.originator_version, previous), strict=True
        ):
            column.append(value)
    if copy:
        statement = sql.SQL(
            "COPY {} (notification_id, originator_id, originator_version, hash) FROM STDIN"
            " (FORMAT BINARY)"
        ).format(chain)
        with curs.copy(statement) as writer:
            writer.set_types(["int8", "uuid", "int8", "bytea"])
            for entry in zip(*columns, strict=True):
                writer.write_row(entry)
        return
    curs.execute(
        sql.SQL(
            "INSERT INTO {} (notification_id, originator_id, originator_version, hash)"
            " SELECT * FROM unnest(%s::int8[], %s::uuid[], %s::int8[], %s::bytea[])"
        ).format(chain),
        columns,
    )
