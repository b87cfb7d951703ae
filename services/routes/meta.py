"""Service-level routes: liveness (the process answers) and readiness (the database answers)."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request, Response, get

from services.context import container_of

ROUTES: list[Any] = []


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz")
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    database = container_of(request.app.state).database

    def ping() -> None:
        with database.connect() as conn:
            conn.execute("SELECT 1")

    try:
        await anyio.to_thread.run_sync(ping)
    except Exception:  # any failure means "do not send traffic here yet"
        return Response({"status": "database unavailable"}, status_code=503)
    return Response({"status": "ready"})


ROUTES.append(healthz)
ROUTES.append(readyz)
