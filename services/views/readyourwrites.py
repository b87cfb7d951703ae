"""Read-your-writes (đọc được ngay điều vừa ghi): wait until the projections reach a position.

A write answers with its log position. A query that passes ``min_position`` waits, for at most
``wait_ms`` (≤ 5 s), until every projection it reads has a checkpoint at or past it; the workers
are nudged once in case the commit's notification was lost. The wait is woken by the workers'
progress reports (``NOTIFY chibo_progress``, ``infra.notifications``), not by polling; without
a listener (behind PgBouncer with no direct URL) it polls every ``POLL_SECONDS``. If time runs out, or a projection
it needs is stopped on an error, the query is refused with 409 and says which projection is
behind (and which of them are being rebuilt for a new version, ``projections.versions``), so
the client can retry instead of showing stale figures as if they were current.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from typing import Any

import anyio

from domain.base import StateConflict
from infra.notifications import Listener
from projections.rollups import Fetch, qualify
from projections.tracking import TRACKING_TABLE
from projections.versions import REBUILDING, VERSION_TABLE
from services.workers import notify_committed

MAX_WAIT_MS = 5_000
POLL_SECONDS = 0.05
"""Without a listener only; with one, a lost report costs at most ``SAFETY_SECONDS``."""
SAFETY_SECONDS = 0.5


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


async def rebuilding(fetch: Fetch, schema: str, names: Sequence[str]) -> list[str]:
    """Which of ``names`` are being rebuilt for a new version (their rows are incomplete)."""
    rows = await fetch(
        qualify(
            schema,
            f"SELECT projection FROM {{s}}.{VERSION_TABLE}"
            " WHERE state = $2 AND projection = ANY($1::text[]) ORDER BY 1",
        ),
        list(names),
        REBUILDING,
    )
    return [r["projection"] for r in rows]


async def wait_for(
    fetch: Fetch,
    schema: str,
    tenant_slug: str,
    names: Sequence[str],
    min_position: int | None,
    wait_ms: int,
    listener: Listener | None = None,
) -> None:
    """Return once every projection in ``names`` is at ``min_position``; else raise."""
    if not min_position or min_position <= 0:
        return
    deadline = time.monotonic() + min(max(wait_ms, 0), MAX_WAIT_MS) / 1000
    listening = listener is not None and listener.connected.is_set()
    with (
        listener.progress_events(schema)
        if listener is not None and listening
        else contextlib.nullcontext()
    ) as progress:
        await _wait(fetch, schema, tenant_slug, names, min_position, deadline, progress)


async def _wait(
    fetch: Fetch,
    schema: str,
    tenant_slug: str,
    names: Sequence[str],
    min_position: int,
    deadline: float,
    progress: Any,
) -> None:
    nudged = False
    while True:
        if progress is not None:
            progress.clear()  # before reading: a report after the read wakes the wait below
        found = await positions(fetch, schema, names)
        behind = {n: found[n]["position"] if n in found else 0 for n in names}
        behind = {n: p for n, p in behind.items() if p < min_position}
        if not behind:
            return
        stopped = {
            n: found[n]["last_error"] for n in behind if n in found and found[n]["last_error"]
        }
        if stopped or time.monotonic() >= deadline:
            renewing = await rebuilding(fetch, schema, list(behind))
            raise ProjectionsBehind(
                f"Số liệu chưa cập nhật tới vị trí {min_position}"
                + (" (bảng đọc đang lỗi)" if stopped else "")
                + (" (bảng đọc đang được dựng lại cho phiên bản mới)" if renewing else "")
                + ("" if stopped else "; hãy thử lại sau giây lát"),
                f"the read models have not reached position {min_position} yet"
                + (" (a projection is stopped on an error)" if stopped else "")
                + (" (being rebuilt for a new version)" if renewing else "")
                + ("" if stopped else "; retry shortly"),
                min_position=min_position,
                positions=behind,
                errors=stopped,
                rebuilding=renewing,
            )
        if not nudged:
            await anyio.to_thread.run_sync(notify_committed, tenant_slug)
            nudged = True
        left = max(0.0, deadline - time.monotonic())
        if progress is None:
            await anyio.sleep(min(POLL_SECONDS, left))
        else:
            with anyio.move_on_after(min(SAFETY_SECONDS, left)):
                await progress.wait()
