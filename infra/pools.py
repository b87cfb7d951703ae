"""The process's one psycopg pool per database, shared by every province (issue 14 §1).

Connections held by a process do not grow with the number of provinces: the write side of
every province (``infra.application``), the catalog, the projection workers and the CLI all
borrow from this pool, and a province's role and schema are set per transaction with
``SET LOCAL`` (``infra.db_roles``). The read side has its own small asyncpg pool.

Outages (issue 13 §3):

- a caller waits at most ``Database.pool_timeout`` seconds for a connection, then gets
  :class:`DatabaseUnavailable`, which the HTTP layer answers with 503 and ``Retry-After``;
- a pooled connection is checked before it is handed out (``check_connection``: one empty
  query), so a connection that the server closed while idle is replaced, never used;
- the pool belongs to the process that opened it: a child process (``spawn``) opens its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool, PoolTimeout
from psycopg_pool.base import AttemptWithBackoff

if TYPE_CHECKING:
    from infra.database import Database

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
"""What a 503 tells the client to wait; about the time a PostgreSQL restart takes."""


class DatabaseUnavailable(Exception):
    """No usable database connection within the bounded wait (HTTP 503, ``Retry-After``)."""

    vi = "Cơ sở dữ liệu tạm thời không truy cập được; xin thử lại sau ít giây"
    en = "the database is temporarily unavailable; retry in a few seconds"
    retry_after = RETRY_AFTER_SECONDS


CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    psycopg.OperationalError,  # includes PoolTimeout and a server that went away mid-query
    psycopg.InterfaceError,
)
"""Errors that mean "the database is not reachable right now", not "the request is wrong"."""


class PoolSlot:
    """Holds a :class:`Database`'s pool, opened on first use, per process."""

    def __init__(self) -> None:
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[type[PoolSlot], tuple[()]]:
        # A Database sent to another process (rebuild --jobs) arrives with an empty slot.
        return (PoolSlot, ())

    def pool(self, database: Database) -> ConnectionPool[psycopg.Connection[Any]]:
        pool = self._pool
        if pool is not None and self._pid == os.getpid():
            return pool
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = _open_pool(database)
                self._pid = os.getpid()
            return self._pool

    @property
    def opened(self) -> ConnectionPool[psycopg.Connection[Any]] | None:
        return self._pool if self._pid == os.getpid() else None

    @contextmanager
    def borrow(
        self, database: Database, *, autocommit: bool = True
    ) -> Iterator[psycopg.Connection[Any]]:
        pool = self.pool(database)
        try:
            conn = pool.getconn()
        except PoolTimeout as error:
            raise DatabaseUnavailable(str(error)) from error
        try:
            conn.autocommit = autocommit
            # Client-side attributes a previous borrower may have changed (they shape BEGIN).
            conn.read_only = conn.isolation_level = conn.deferrable = None
            conn.row_factory = tuple_row
            yield conn
            if conn.info.transaction_status == TransactionStatus.INTRANS:
                conn.commit()
        except BaseException:
            if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
                with contextlib.suppress(psycopg.Error):
                    conn.rollback()
            raise
        finally:
            pool.putconn(conn)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None and self._pid == os.getpid():
            pool.close()


# The pool retries a failed connection after 1 s, 2 s, 4 s …: after a 20-second outage the
# next try could come 16 s after the server is back. Shorter, flatter steps, and a
# reconnection that gives up after RECONNECT_SECONDS (the next request starts a fresh one,
# which tries at once), bring the process back within about a second.
AttemptWithBackoff.INITIAL_DELAY = 0.25
AttemptWithBackoff.DELAY_BACKOFF = 1.5
RECONNECT_SECONDS = 5.0


def _configure(conn: psycopg.Connection[Any]) -> None:
    # Statements are schema-qualified, so each province has its own: keep more prepared ones
    # than the default 100 (psycopg prepares a statement after its 5th use on a connection).
    conn.prepared_max = 4096


def _open_pool(database: Database) -> ConnectionPool[psycopg.Connection[Any]]:
    pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
        database.conninfo,
        kwargs={
            "connect_timeout": max(2, round(database.pool_timeout)),
            **database.connect_options(),
        },
        min_size=1,
        max_size=max(1, database.pool_size),
        timeout=database.pool_timeout,
        check=ConnectionPool.check_connection,
        configure=_configure,
        max_idle=300.0,
        reconnect_timeout=RECONNECT_SECONDS,
        name="chibo",
        open=False,
    )
    # Open without waiting: a server that is down now must not stop the process starting.
    pool.open(wait=False)
    return pool
