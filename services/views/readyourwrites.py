"""Read-your-writes (đọc được ngay điều vừa ghi): wait until the projections reach a position.

A write answers with its log position. A query that passes ``min_position`` waits, for at most
``wait_ms`` (≤ 5 s), until every projection it reads has a checkpoint at or past it; the workers
are nudged once in case the commit's notification was lost. If time runs out, or a projection
it needs is stopped on an error, the query is refused with 409 and says which projection is
behind, so the client can retry instead of showing stale figures as if they were current.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import anyio

from domain.base import StateConflict
from projections.rollups import Fetch, qualify
from projections.tracking import TRACKING_TABLE
from services.workers import notify_committed

MAX_WAIT_MS = 5_000


class ProjectionsBehind(StateConflict):
    """The read models have not yet reached the position the client asked for."""

    code = "projections_behind"


async def positions(fetch: Fetch, schema: str, names: Sequence[str]) -> dict[str, Any]:
    rows = await fetch(
        qualify(
            schema,
            f"SELECT projection, position, last_error FROM {{s}}.{TRACKING_TABLE}"
            " WHERE projection = ANY($1::text[])",
        ),
        list(names),
    )
    return {r["projection"]: r for r in rows}


async def wait_for(
    fetch: Fetch,
    schema: str,
    tenant_slug: str,
    names: Sequence[str],
    min_position: int | None,
    wait_ms: int,
) -> None:
    """Return once every projection in ``names`` is at ``min_position``; else raise."""
    if not min_position or min_position <= 0:
        return
    deadline = time.monotonic() + min(max(wait_ms, 0), MAX_WAIT_MS) / 1000
    delay, nudged = 0.01, False
    while True:
        found = await positions(fetch, schema, names)
        behind = {n: found[n]["position"] if n in found else 0 for n in names}
        behind = {n: p for n, p in behind.items() if p < min_position}
        if not behind:
            return
        stopped = {
            n: found[n]["last_error"] for n in behind if n in found and found[n]["last_error"]
        }
        if stopped or time.monotonic() >= deadline:
            raise ProjectionsBehind(
                f"Số liệu chưa cập nhật tới vị trí {min_position}"
                + (" (bảng đọc đang lỗi)" if stopped else "; hãy thử lại sau giây lát"),
                f"the read models have not reached position {min_position} yet"
                + (" (a projection is stopped on an error)" if stopped else "; retry shortly"),
                min_position=min_position,
                positions=behind,
                errors=stopped,
            )
        if not nudged:
            await anyio.to_thread.run_sync(notify_committed, tenant_slug)
            nudged = True
        await anyio.sleep(delay)
        delay = min(delay * 2, 0.2)
