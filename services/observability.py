"""What the API shows an operator from outside (issue 14 §5): ``/metrics``, ``X-Request-ID``
on every response, and one JSON log line per request.

- **Request id.** The id a request's events record as their ``request`` (``Actor``) is also the
  ``X-Request-ID`` of its response, errors and 404s included: the client's own if it sent a
  short printable one, else one minted here, once per request (``REQUEST_ID_KEY``).
- **Requests.** Counted, and their latency put in a histogram, by method, *route template*
  (``/api/v1/t/{tenant}/views/level``, never the raw path: bounded label values) and
  status. A path that matches no route is counted as ``unmatched``.
- **Logs.** Logger ``chibo.access``, one line per request: request id, province, route, user,
  status, milliseconds; ``infra.logs`` writes them as JSON lines in ``serve`` and ``worker``.
- **Gauges read at scrape time.** Each projection's position and lag per province
  (``projections.health``), the shared pool's use and waits (``infra.pools``), the worker
  queue's depth, and the age of each province's newest seal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from uuid import uuid4

import psycopg
from litestar._asgi.utils import wrap_in_exception_handler  # Litestar's own wrapper
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from psycopg import sql

from infra.audit.seals import SEALS_TABLE
from infra.clusters import database_for
from infra.database import Database
from infra.metrics import CONTENT_TYPE, Gauge, Registry, Sample
from infra.tenancy import list_tenants
from projections.health import Health, health
from services.context import PRINCIPAL_KEY, REQUEST_ID_KEY

log = logging.getLogger("chibo.access")

REGISTRY = Registry()
"""This process's metrics (every pod is scraped on its own)."""
REQUESTS = REGISTRY.counter(
    "chibo_http_requests_total", "HTTP requests answered.", ("method", "route", "status")
)
LATENCY = REGISTRY.histogram(
    "chibo_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ("method", "route"),
)
STARTED_KEY = "chibo.started"
UNMATCHED = "unmatched"


def mint_request_id(scope: Scope) -> str:
    """The request's id, decided once and kept in the scope."""
    raw = cast("dict[str, Any]", scope)  # a TypedDict union to mypy; we keep our own keys in it
    found = raw.get(REQUEST_ID_KEY)
    if isinstance(found, str):
        return found
    given = ""
    for name, value in raw.get("headers", ()):
        if name == b"x-request-id":
            given = value.decode("latin-1")
    # A client's id only if it is short and printable; otherwise one of ours.
    chosen = given if given and len(given) <= 64 and given.isprintable() else str(uuid4())
    raw[REQUEST_ID_KEY] = chosen
    return chosen


class RequestMetricsMiddleware:
    """Outermost route middleware: request id, count and latency by route, one log line."""

    def __init__(self, app: ASGIApp) -> None:
        # What the middleware inside raises (the idempotency store's database gone: a 503) is
        # answered here, through ``sending``, as Litestar does around each handler; otherwise
        # it passed by uncounted and was logged and counted as a 500 the client never got.
        self.app = wrap_in_exception_handler(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        raw = cast("dict[str, Any]", scope)  # a TypedDict union to mypy; we keep our own keys in it
        mint_request_id(scope)
        raw[STARTED_KEY] = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            observe(scope, status[0])


def observe(scope: Scope, status: int) -> None:
    raw = cast("dict[str, Any]", scope)  # a TypedDict union to mypy; we keep our own keys in it
    route = str(raw.get("path_template") or UNMATCHED)
    method = str(raw.get("method", ""))
    REQUESTS.inc(method, route, str(status))
    started = raw.get(STARTED_KEY)
    took = time.perf_counter() - started if isinstance(started, float) else None
    if took is not None:
        LATENCY.observe(took, method, route)
    principal = raw.get(PRINCIPAL_KEY)
    log.info(
        "%s %s %s",
        method,
        route,
        status,
        extra={
            "request_id": raw.get(REQUEST_ID_KEY),
            "province": raw.get("path_params", {}).get("tenant"),
            "route": route,
            "method": method,
            "status": status,
            "user": getattr(principal, "user_id", None),
            "ms": round(took * 1000, 1) if took is not None else None,
        },
    )


async def request_id_header(message: Message, scope: Scope) -> None:
    """``before_send`` hook: ``X-Request-ID`` on every response, 404s of no route included
    (those never reach a route's middleware, so they are counted here)."""
    if message["type"] != "http.response.start":
        return
    raw = cast("dict[str, Any]", scope)  # a TypedDict union to mypy; we keep our own keys in it
    if STARTED_KEY not in raw and REQUEST_ID_KEY not in raw:
        REQUESTS.inc(str(raw.get("method", "")), UNMATCHED, str(message["status"]))
    MutableScopeHeaders.from_message(message)["x-request-id"] = mint_request_id(scope)


PROJECTION_GAUGES: tuple[tuple[str, str, Callable[[Health], float]], ...] = (
    ("chibo_projection_position", "Log position each projection has applied up to.",
     lambda h: h.position),
    ("chibo_projection_lag_events", "Events in the log not yet applied by the projection.",
     lambda h: h.lag),
    ("chibo_projection_idle_seconds", "Seconds since the projection's checkpoint last moved.",
     lambda h: h.idle_seconds),
    ("chibo_projection_stopped",
     "1 when the projection's last batch failed (it waits for a fix or a quarantine).",
     lambda h: int(h.stopped)),
)  # fmt: skip
"""The per-projection gauges: name, help, the value read from a projection's health."""


def per_projection(
    found: list[Health], value: Callable[[Health], float]
) -> Callable[[], list[Sample]]:
    """A gauge's reader: ``value`` of each projection found, labelled by province and name."""
    return lambda: [Sample((h.slug, h.projection), value(h)) for h in found]


def install_collectors(
    registry: Registry, database_of: Callable[[], Database], queue_depth: Any = None
) -> None:
    """Gauges this process reports at scrape time: projections, pool, queue, seals.
    ``database_of`` is called at scrape time (building the app opens nothing)."""

    def projections() -> Iterable[Gauge]:
        found = health(database_of())
        for name, help_text, value in PROJECTION_GAUGES:
            yield Gauge(
                name, help_text, ("province", "projection"), read=per_projection(found, value)
            )

    def pool() -> Iterable[Gauge]:
        opened = database_of().slot.opened
        stats = opened.get_stats() if opened is not None else {}
        for key, help_text in (
            ("pool_size", "Connections the shared pool holds."),
            ("pool_available", "Idle connections in the shared pool."),
            ("requests_waiting", "Callers waiting for a pooled connection now."),
            ("requests_num", "Connections handed out since the pool opened."),
            ("requests_queued", "Requests that had to wait for a connection."),
            ("requests_wait_ms", "Milliseconds spent waiting for connections, in all."),
            ("requests_errors", "Requests that got no connection (timeout: answered 503)."),
            ("connections_lost", "Pooled connections found broken when checked."),
        ):

            def read(key: str = key) -> list[Sample]:
                return [Sample((), float(stats.get(key, 0)))]

            yield Gauge(f"chibo_db_pool_{key}", help_text, read=read)

    def queue() -> Iterable[Gauge]:
        depth = queue_depth() if queue_depth is not None else None
        if depth is None:
            return
        yield Gauge(
            "chibo_worker_queue_depth",
            "Messages waiting in the projection queue.",
            read=lambda: [Sample((), float(depth))],
        )

    def seals() -> Iterable[Gauge]:
        ages = seal_ages(database_of())
        yield Gauge(
            "chibo_audit_seal_age_seconds",
            "Seconds since the province's newest seal (absent: never sealed).",
            ("province",),
            read=lambda: [Sample((slug,), age) for slug, age in ages],
        )

    for collector in (projections, pool, queue, seals):
        registry.collect_with(collector)


def seal_ages(database: Database) -> list[tuple[str, float]]:
    ages = []
    for tenant in list_tenants(database):
        with database_for(database, tenant.cluster).connect() as conn:
            try:
                row = conn.execute(
                    sql.SQL(
                        "SELECT extract(epoch FROM now() - max(sealed_at))::float8 FROM {}"
                    ).format(sql.Identifier(tenant.schema, SEALS_TABLE))
                ).fetchone()
            except psycopg.errors.UndefinedTable:
                continue
            if row is not None and row[0] is not None:
                ages.append((tenant.slug, float(row[0])))
    return ages


def serve_metrics(registry: Registry, host: str, port: int) -> ThreadingHTTPServer:
    """``GET /metrics`` on a thread of its own, for processes without the API (``worker``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body = REGISTRY.render(registry).encode()
            self.send_response(200)
            self.send_header("content-type", CONTENT_TYPE)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass  # a scrape every 15 s is not worth a log line

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="chibo-metrics", daemon=True).start()
    return server
