"""The read side's asyncpg pool: HTTP queries read projection tables through it.

Created lazily on first use (no I/O at import or wiring time) and closed with the container.
Queries always schema-qualify tables with :func:`qualified`; nothing sets ``search_path``.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from infra.database import Database


def qualified(schema: str, table: str) -> str:
    """``"schema"."table"`` with identifiers quoted (schema names come from a checked slug)."""
    return '"{}"."{}"'.format(schema.replace('"', '""'), table.replace('"', '""'))


READ_WORK_MEM = "64MB"
"""Per read connection and sort/hash step; the pool holds at most ``max_size`` of them."""


class ReadSide:
    def __init__(self, database: Database, min_size: int = 1, max_size: int = 4) -> None:
        self.database = database
        self.min_size = min_size
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None

    async def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                host=self.database.host,
                port=self.database.port,
                user=self.database.user,
                password=self.database.password or None,
                database=self.database.dbname,
                min_size=self.min_size,
                max_size=self.max_size,
                # The per-level view sorts and hashes ~10^5 cell-months at province scale: the
                # default 4 MB spills them to disk.
                server_settings={"work_mem": READ_WORK_MEM},
            )
        return self._pool

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        pool = await self.pool()
        async with pool.acquire() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(query, *args)
            return rows

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
