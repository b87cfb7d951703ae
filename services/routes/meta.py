"""Service-level routes: health and the list of provinces."""

from __future__ import annotations

from typing import Any

from litestar import get

ROUTES: list[Any] = []


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


ROUTES.append(healthz)
