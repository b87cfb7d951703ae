"""The read side's asyncpg pool: HTTP queries read projection tables through it.

Created lazily on first use (no I/O at import or wiring time) and closed with the container.
Queries always schema-qualify tables with :func:`qualified`; nothing sets ``search_path``.

Every read is one transaction (:meth:`ReadSide.transaction`) that sets what it needs with
``SET LOCAL`` (``work_mem``, the tenant's role), so it works behind PgBouncer in transaction
mode. Outages (issue 13 §3): the wait for a connection is bounded (``Database.pool_timeout``),
and a connection the server closed while it sat idle in the pool is noticed at ``BEGIN``,
before any query ran, and replaced once; otherwise the caller gets
:class:`~infra.pools.DatabaseUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from infra.database import Database
from infra.notifications import Listener
from infra.pools import DatabaseUnavailable


def qualified(schema: str, table: str) -> str:
    """``"schema"."table"`` with identifiers quoted (schema names come from a checked slug)."""
    return '"{}"."{}"'.format(schema.replace('"', '""'), table.replace('"', '""'))


READ_WORK_MEM = "64MB"
"""Per read connection and sort/hash step; the pool holds at most ``max_size`` of them."""

READ_PLANS = "plan_cache_mode = force_custom_plan"
"""Plan each read for its own parameters. From a statement's sixth run PostgreSQL may switch
to a generic plan, blind to which subtree and which period are asked: the year-long list at
the province root then took 3× as long from its sixth request on (docs/performance.md)."""

LOST_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, or the embedded server's socket file gone
    asyncio.TimeoutError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.exceptions.OperatorInterventionError,  # admin or crash shutdown
)
"""What asyncpg raises when the server is not there (as opposed to a wrong query)."""


class PoolFloorWarnings(logging.Filter):
    """asyncpg's "Failed to restore the pool connection floor" as one line, not a traceback.

    While the server is down each pool retries its floor (1 s doubling to 60 s) and logged a
    30-line traceback each time; the cause fits on the line (issue 13 §3: an outage is said
    briefly, not once per retry in full).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Failed to restore the pool"):
            error = record.exc_info[1]
            text = str(error).strip().splitlines()[0] if error and str(error).strip() else ""
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {text})"
            record.args = None
            record.exc_info = record.exc_text = None
        return True


logging.getLogger("asyncpg.pool").addFilter(PoolFloorWarnings())


class ReadSide:
    def __init__(
        self,
        database: Database,
        min_size: int = 1,
        max_size: int = 4,
        listen_conninfo: str | None = None,
    ) -> None:
        self.database = database
        self.min_size = min_size
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None
        # LISTEN needs a session of its own: behind a transaction pooler only a direct URL.
        self.listen_conninfo = listen_conninfo or (
            None if database.transaction_pooler else database.conninfo
        )
        self._listener: Listener | None = None
        self.placement: Callable[[str], Database] | None = None
        """Schema → the database of its province's cluster (set by the wiring; issue 14 §3)."""
        self._others: dict[tuple[str, int, str], ReadSide] = {}

    def for_schema(self, schema: str) -> ReadSide:
        """The read side of the cluster ``schema`` lives on: this one, or a pool of its own
        per other cluster, made on first use."""
        database = self.placement(schema) if self.placement is not None else self.database
        key = (database.host, database.port, database.dbname)
        if database is self.database or key == (
            self.database.host,
            self.database.port,
            self.database.dbname,
        ):
            return self
        other = self._others.get(key)
        if other is None:
            other = self._others.setdefault(key, ReadSide(database, self.min_size, self.max_size))
        return other

    def listener(self) -> Listener | None:
        """The process's progress listener, started on first use (None: none configured)."""
        if self._listener is None and self.listen_conninfo is not None:
            self._listener = Listener(self.listen_conninfo).start()
        return self._listener

    async def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            self._pool = await self._create_pool()
        return self._pool

    async def _create_pool(self) -> asyncpg.Pool:
        try:
            pool: asyncpg.Pool = await asyncio.wait_for(
                asyncpg.create_pool(
                    host=self.database.host,
                    port=self.database.port,
                    user=self.database.user,
                    password=self.database.password or None,
                    database=self.database.dbname,
                    min_size=self.min_size,
                    max_size=self.max_size,
                    # Behind PgBouncer (transaction mode) named prepared statements would land
                    # on other server sessions: no statement cache there.
                    # Every province's statements differ (schema-qualified): a cache of the
                    # default 100 would thrash once a few dozen provinces are read in turn.
                    statement_cache_size=0 if self.database.transaction_pooler else 4096,
                ),
                self.database.pool_timeout,
            )
        except LOST_CONNECTION_ERRORS as error:
            raise DatabaseUnavailable(f"{type(error).__name__}: {error}") from error
        return pool

    @asynccontextmanager
    async def transaction(self, *settings: str) -> AsyncIterator[asyncpg.Connection]:
        """A read-only transaction with ``SET LOCAL`` of ``settings`` (e.g. ``ROLE "x"``)."""
        pool = await self.pool()
        statement = "; ".join(
            f"SET LOCAL {s}" for s in (f"work_mem = '{READ_WORK_MEM}'", READ_PLANS, *settings)
        )
        for attempt in (1, 2):
            try:
                conn = await pool.acquire(timeout=self.database.pool_timeout)
            except LOST_CONNECTION_ERRORS as error:
                raise DatabaseUnavailable(f"{type(error).__name__}: {error}") from error
            try:
                transaction = conn.transaction(readonly=True)
                try:
                    await transaction.start()
                    await conn.execute(statement)
                except LOST_CONNECTION_ERRORS as error:
                    # Closed by the server while idle in the pool: nothing ran yet, so a
                    # fresh connection may be tried once.
                    if attempt == 2:
                        raise DatabaseUnavailable(f"{type(error).__name__}: {error}") from error
                    conn.terminate()
                    continue
                try:
                    yield conn
                except BaseException:
                    if not conn.is_closed():
                        await transaction.rollback()
                    raise
                else:
                    await transaction.commit()
                return
            finally:
                await pool.release(conn)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async with self.transaction() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(query, *args)
            return rows

    def stop_listener(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        for other in list(self._others.values()):
            other.stop_listener()

    async def close(self) -> None:
        self.stop_listener()
        for other in list(self._others.values()):
            await other.close()
        self._others.clear()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
