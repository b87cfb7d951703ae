"""Audit API: the trail with filters, seals for inspectors, any aggregate as of a point.

- ``GET …/audit/trail``: newest first, filtered by org subtree (``unit_id``, default the
  caller's scope), ``actor`` (the account id or the full name shown as ``actor_name``), ``aggregate_id``, ``kind`` (``Member.Exempted`` or a whole
  aggregate type ``Member``) and period (``since``/``until``, dates in Vietnam time); paged with
  ``before``. Each entry links to the aggregate's state before and after it.
- ``GET …/audit/seals`` and ``…/audit/seals/{seq}``: the signed seals as stored, to download
  and keep outside the system; ``POST …/audit/seals`` seals the new events now.
- ``GET …/audit/aggregates/{id}``: the aggregate at ``position``, ``as_of`` (a date or an ISO
  date-time) or ``version``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.base import InvalidValue, NotFound
from infra.audit import timetravel
from infra.audit.keys import key_store_for
from infra.audit.seals import SEALS_TABLE, create_seal
from infra.db_roles import tenant_read_connection
from infra.readside import qualified
from projections.audit_sentences import ROLE_VI
from services.audit.schemas import AggregateAsOf, AuditEntry, AuditPage
from services.context import Ctx, container_of

BASE = "/api/v1/t/{tenant:str}/audit"
COLUMNS = (
    "notification_id, occurred_at, actor, actor_name, actor_role, request_id, aggregate_id,"
    " aggregate_type, aggregate_version, kind, org_unit_id, reason, sentence"
)


def parse_as_of(text: str) -> date | datetime:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(
            "as_of phải là ngày (2025-03-31) hoặc thời điểm ISO 8601",
            "as_of must be a date (2025-03-31) or an ISO 8601 date-time",
            field="as_of",
        ) from None


def trail_query(schema: str, filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """The trail's SQL and arguments; every filter is a bound parameter."""
    where, args = [], []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if filters.get("unit_id") is not None:
        closure = qualified(schema, "org_closure")
        where.append(
            f"org_unit_id IN (SELECT descendant_id FROM {closure}"
            f" WHERE ancestor_id = {arg(filters['unit_id'])})"
        )
    if filters.get("actor"):
        # The account id as recorded, or the full name a person reads (``actor_name``).
        placeholder = arg(filters["actor"])
        where.append(f"(actor = {placeholder} OR actor_name = {placeholder})")
    if filters.get("aggregate_id"):
        where.append(f"aggregate_id = {arg(filters['aggregate_id'])}")
    if filters.get("kind"):
        placeholder = arg(filters["kind"])
        where.append(f"(kind = {placeholder} OR aggregate_type = {placeholder})")
    if filters.get("since"):
        start = timetravel.end_of_day(filters["since"] - timedelta(days=1))
        where.append(f"occurred_at >= {arg(start)}")
    if filters.get("until"):
        where.append(f"occurred_at < {arg(timetravel.end_of_day(filters['until']))}")
    if filters.get("before"):
        where.append(f"notification_id < {arg(filters['before'])}")
    condition = " AND ".join(where) or "true"
    query = (
        f"SELECT {COLUMNS} FROM {qualified(schema, 'audit_trail')} WHERE {condition}"
        f" ORDER BY notification_id DESC LIMIT {arg(filters['limit'] + 1)}"
    )
    return query, args


def entry(tenant: str, row: Any) -> AuditEntry:
    link = f"/api/v1/t/{tenant}/audit/aggregates/{row['aggregate_id']}?version="
    version = row["aggregate_version"]
    return AuditEntry(
        **dict(row),
        actor_role_label=ROLE_VI.get(row["actor_role"], row["actor_role"]),
        state_before=f"{link}{version - 1}" if version > 1 else None,
        state_after=f"{link}{version}",
    )


@get(f"{BASE}/trail", summary="Nhật ký kiểm tra / the audit trail")
async def audit_trail(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: FromQuery[UUID | None] = None,
    actor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    aggregate_id: FromQuery[UUID | None] = None,
    kind: Annotated[str | None, QueryParameter(max_length=200)] = None,
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
    before: FromQuery[int | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> AuditPage:
    schema = ctx.app.schema
    filters = {
        "unit_id": unit_id or ctx.principal.scope_unit_id,
        "actor": actor,
        "aggregate_id": aggregate_id,
        "kind": kind,
        "since": since,
        "until": until,
        "before": before,
        "limit": limit,
    }
    query, args = trail_query(schema, filters)
    readside = container_of(request.app.state).readside
    async with tenant_read_connection(readside, schema) as conn:
        rows = await conn.fetch(query, *args)
        position = await conn.fetchval(
            f"SELECT coalesce(max(position), 0) FROM {qualified(schema, 'projection_tracking')}"
            " WHERE projection = 'audit_trail'"
        )
    entries = [entry(ctx.app.slug, r) for r in rows[:limit]]
    more = len(rows) > limit
    return AuditPage(entries, entries[-1].notification_id if more else None, int(position))


@get(f"{BASE}/seals", summary="Các niêm phong / every seal, as stored")
async def list_seals(request: Request[Any, Any, Any], ctx: Ctx) -> list[dict[str, Any]]:
    readside = container_of(request.app.state).readside
    async with tenant_read_connection(readside, ctx.app.schema) as conn:
        rows = await conn.fetch(
            f"SELECT document FROM {qualified(ctx.app.schema, SEALS_TABLE)} ORDER BY seq"
        )
    return [json.loads(r["document"]) for r in rows]


@get(f"{BASE}/seals/{{seq:int}}", summary="Tải một niêm phong / download one seal")
async def get_seal(request: Request[Any, Any, Any], ctx: Ctx, seq: FromPath[int]) -> Response[Any]:
    readside = container_of(request.app.state).readside
    async with tenant_read_connection(readside, ctx.app.schema) as conn:
        document = await conn.fetchval(
            f"SELECT document FROM {qualified(ctx.app.schema, SEALS_TABLE)} WHERE seq = $1", seq
        )
    if document is None:
        raise NotFound(f"Không có niêm phong số {seq}", f"no seal #{seq}", seq=seq)
    name = f"{ctx.app.slug}-seal-{seq}.json"
    # The stored text as is: an inspector's copy must be byte-for-byte the signed document.
    return Response(
        document.encode(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@post(
    f"{BASE}/seals",
    sync_to_thread=True,
    summary="Niêm phong ngay / seal the new events now",
    # Answered by hand below, so Litestar documents only the 201: fuzzing found the 204.
    responses={
        204: ResponseSpec(
            None, description="Không có sự kiện mới để niêm phong / no new events to seal"
        )
    },
)
def seal_now(request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
    container = container_of(request.app.state)
    with ctx.app.database.connect() as conn:
        seal = create_seal(conn, ctx.app.schema, key_store_for(container.settings.data_dir))
    if seal is None:
        return Response(None, status_code=204)
    return Response(seal.document, status_code=201)


@get(
    f"{BASE}/aggregates/{{aggregate_id:uuid}}",
    sync_to_thread=True,
    summary="Bản ghi tại một thời điểm / an aggregate as of a point",
)
def aggregate_as_of(
    ctx: Ctx,
    aggregate_id: FromPath[UUID],
    position: Annotated[int | None, QueryParameter(ge=0)] = None,
    as_of: Annotated[str | None, QueryParameter(max_length=40)] = None,
    version: Annotated[int | None, QueryParameter(ge=1)] = None,
) -> AggregateAsOf:
    found = timetravel.aggregate_as_of(
        ctx.app,
        aggregate_id,
        position=position,
        at=parse_as_of(as_of) if as_of else None,
        version=version,
    )
    return AggregateAsOf(
        found.aggregate_id,
        found.aggregate_type,
        found.version,
        found.position,
        found.recorded_at,
        found.latest_version,
        found.state,
    )


ROUTES: list[Any] = [audit_trail, list_seals, get_seal, seal_now, aggregate_as_of]
