"""Service-level routes: liveness (the process answers) and readiness (the database answers)."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request, Response, get

from services.context import container_of
from services.security.policy import Policy, PolicyTable

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

POLICIES: PolicyTable = {
    # service
    ("GET", "/healthz"): Policy.open_to_all("liveness probe"),
    ("GET", "/readyz"): Policy.open_to_all("readiness probe"),
    ("GET", "/schema"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/swagger"): Policy.open_to_all("API explorer (no data)"),
    ("GET", "/schema/openapi.json"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/{path}"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/oauth2-redirect.html"): Policy.open_to_all("API explorer (no data)"),
}
