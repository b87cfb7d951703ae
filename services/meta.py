"""Service-level routes: liveness (the process answers), readiness (the database answers; read
models stopped or far behind make it ``degraded``) and the Prometheus metrics."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request, Response, get

from infra.metrics import CONTENT_TYPE, Registry
from projections.health import Health, health
from services.context import container_of
from services.observability import REGISTRY
from services.security.policy import Policy, PolicyTable

ROUTES: list[Any] = []


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz")
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """503 while the database does not answer. Projections stopped on an error or far behind
    answer 200 with ``degraded``: the pod can serve (writes, other provinces), and taking
    every pod out of the service for one province's read model would stop them all."""
    database = container_of(request.app.state).database

    def ping() -> list[Health]:
        with database.connect() as conn:
            conn.execute("SELECT 1")
        return health(database)

    try:
        found = await anyio.to_thread.run_sync(ping)
    except Exception:  # any failure means "do not send traffic here yet"
        return Response({"status": "database unavailable"}, status_code=503)
    troubled = [h for h in found if h.stopped or h.far_behind]
    if not troubled:
        return Response({"status": "ready"})
    return Response(
        {
            "status": "degraded",
            "projections": [
                {
                    "province": h.slug,
                    "projection": h.projection,
                    "lag": h.lag,
                    "idle_seconds": round(h.idle_seconds),
                    "stopped": h.stopped,
                }
                for h in troubled
            ],
        }
    )


@get("/metrics", media_type=CONTENT_TYPE, include_in_schema=False)
async def metrics(request: Request[Any, Any, Any]) -> Response[str]:
    collectors: Registry = request.app.state.metrics
    text = await anyio.to_thread.run_sync(REGISTRY.render, collectors)
    return Response(text, media_type=CONTENT_TYPE)


ROUTES.append(healthz)
ROUTES.append(readyz)
ROUTES.append(metrics)

POLICIES: PolicyTable = {
    # service
    ("GET", "/healthz"): Policy.open_to_all("liveness probe"),
    ("GET", "/readyz"): Policy.open_to_all("readiness probe"),
    ("GET", "/metrics"): Policy.open_to_all(
        "Prometheus scrape: counts and positions, no personal data; the network policy admits"
        " only the monitoring namespace"
    ),
    ("GET", "/schema"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/swagger"): Policy.open_to_all("API explorer (no data)"),
    ("GET", "/schema/openapi.json"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/{path}"): Policy.open_to_all("OpenAPI document (no data)"),
    ("GET", "/schema/oauth2-redirect.html"): Policy.open_to_all("API explorer (no data)"),
}
