"""Reading a whole log fast: server-side cursors prefetched by threads in one shared snapshot.

The verifier hashes in Python while PostgreSQL reads; done in turn, each waits for the other.
So each query runs on its own connection in a thread that keeps a few batches ahead, and all
connections import the snapshot exported by the caller's REPEATABLE READ transaction
(``pg_export_snapshot``), so the events and the chain are read as of one single instant.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from infra.database import Database

FETCH = 20_000
AHEAD = 3
_DONE = object()


def export_snapshot(conn: psycopg.Connection[Any]) -> str:
    """Start a repeatable-read, read-only transaction on ``conn`` and export its snapshot."""
    conn.autocommit = False
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    row = conn.execute("SELECT pg_export_snapshot()").fetchone()
    assert row is not None
    return str(row[0])


def batches(
    database: Database, snapshot: str, query: sql.Composed, size: int = FETCH
) -> Iterator[list[tuple[Any, ...]]]:
    """Batches of rows of ``query`` read in ``snapshot``, fetched ahead by a thread."""
    out: queue.Queue[Any] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with database.connect(autocommit=False) as conn:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
                with conn.cursor(name="chibo_audit_stream", binary=True) as cur:
                    cur.itersize = size
                    cur.execute(query)
                    while rows := cur.fetchmany(size):
                        if not put(rows):
                            return
                conn.rollback()
            put(_DONE)
        except BaseException as error:  # handed to the consumer, which re-raises it
            put(error)

    thread = threading.Thread(target=produce, name="audit-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
