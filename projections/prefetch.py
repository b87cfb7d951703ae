"""Read-ahead for a rebuild: the next batch is read on a second connection while this one applies.

A rebuild alternates between PostgreSQL reading a batch (about a fifth of the time) and
Python applying it; on two cores the two can overlap. The reader runs ``read`` in one thread
on its own autocommit connection; psycopg releases the GIL while it waits for the server.

Reading ahead of the checkpoint is safe: the events table is append-only and an id the read
cannot see yet is larger than every id it can (see :mod:`projections.batches`), so the batch
after position *p* is the same whichever snapshot reads it. A batch read for another position
than the one the checkpoint holds (another runner moved it) is thrown away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg

from infra.database import Database

Read = Callable[[psycopg.Connection[Any], int], Any]


class Prefetcher:
    """One batch read ahead at a time."""

    def __init__(self, conn: psycopg.Connection[Any], read: Read) -> None:
        self._conn = conn
        self._read = read
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="chibo-prefetch")
        self._after: int | None = None
        self._future: Future[Any] | None = None

    def start(self, after: int) -> None:
        """Begin reading the batch after ``after``."""
        self._after = after
        self._future = self._pool.submit(self._read, self._conn, after)

    def take(self, after: int) -> Any | None:
        """The batch read ahead if it starts at ``after``, else None (read it yourself)."""
        future, self._future = self._future, None
        if future is None:
            return None
        result = future.result()
        return result if self._after == after else None

    def close(self) -> None:
        if self._future is not None:
            self._future.cancel()
        self._pool.shutdown(wait=True)


@contextmanager
def prefetching(database: Database, read: Read) -> Iterator[Prefetcher]:
    with database.connect(autocommit=True) as conn:
        prefetcher = Prefetcher(conn, read)
        try:
            yield prefetcher
        finally:
            prefetcher.close()
