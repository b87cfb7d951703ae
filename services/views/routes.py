"""Query API of the read side: per-level views with drill-down, inspection lists, exports.

Every handler reads projection tables through the asyncpg pool, inside a read-only
transaction running as the province's database role. Each accepts ``min_position`` and
``wait_ms`` (read-your-writes, see :mod:`services.views.readyourwrites`) and ``format`` =
``json`` | ``csv`` | ``xlsx``; every list pages with ``limit`` and ``cursor``, sorts with
``sort`` and ``order``, and filters by ``q`` (name contains) besides unit and period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.base import InvalidValue, NotFound
from infra.db_roles import fetch_as_tenant, tenant_read_connection
from infra.readside import ReadSide
from projections import lists, rollups
from projections.registry import figure_sources, list_named, list_specs
from services.audit.replay import replay_schema
from services.context import Ctx, container_of
from services.documents import sheets
from services.documents.reports import author, level_table, unit_name
from services.documents.sheets import Col, Heading
from services.views.readyourwrites import MAX_WAIT_MS, positions, wait_for
from services.views.schemas import ColumnView, LevelView, ListInfo, ListPage, NodeFigures

BASE = "/api/v1/t/{tenant:str}/views"
FORMATS = ("json", "csv", "xlsx")
VIETNAM = timezone(timedelta(hours=7))
WaitMs = Annotated[int, QueryParameter(ge=0, le=MAX_WAIT_MS)]
"""How long a read-your-writes query may wait, in milliseconds (at most 5 s)."""
Format = Annotated[str, QueryParameter(name="format")]


def today() -> date:
    """Today in Vietnam (UTC+7 all year), not on the server's clock zone."""
    return datetime.now(VIETNAM).date()


@dataclass(frozen=True, slots=True)
class FigureQuery:
    """Whose figures a report shows and when: the unit (default: the caller's scope), the
    period as of a day, and the read-your-writes wait."""

    unit_id: UUID | None
    period: str | None
    as_of: date | None
    min_position: int | None
    wait_ms: int


def figure_query(
    unit_id: FromQuery[UUID | None] = None,
    period: FromQuery[str | None] = None,
    as_of: FromQuery[date | None] = None,
    min_position: FromQuery[int | None] = None,
    wait_ms: WaitMs = 0,
) -> FigureQuery:
    return FigureQuery(unit_id, period, as_of, min_position, wait_ms)


FIGURES = {"figures": Provide(figure_query, sync_to_thread=False)}
"""The level view and the report declare ``figures: FigureQuery`` and get these parameters."""


def readside_of(request: Request[Any, Any, Any]) -> ReadSide:
    return container_of(request.app.state).readside


def parse_period(text: str | None, as_of: date) -> rollups.Period:
    try:
        return rollups.Period.parse(text) if text else rollups.Period(as_of.year, None, as_of.month)
    except ValueError:
        raise InvalidValue(
            "Kỳ báo cáo phải có dạng 2025, 2025-Q1 hoặc 2025-03",
            "period must look like 2025, 2025-Q1 or 2025-03",
            field="period",
        ) from None


def check_format(value: str) -> str:
    if value not in FORMATS:
        raise InvalidValue(
            "Định dạng phải là json, csv hoặc xlsx",
            "format must be json, csv or xlsx",
            field="format",
        )
    return value


async def wait(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    names: tuple[str, ...],
    min_position: int | None,
    wait_ms: int,
) -> dict[str, int]:
    readside, schema = readside_of(request), ctx.app.schema

    async def fetch(query: str, *args: Any) -> list[Any]:
        return await fetch_as_tenant(readside, schema, query, *args)

    listener = readside.for_schema(schema).listener() if min_position else None
    await wait_for(fetch, schema, ctx.app.slug, names, min_position, wait_ms, listener)
    return {name: row["position"] for name, row in (await positions(fetch, schema, names)).items()}


def export(ctx: Ctx, title: str, unit: str, period: str, as_of: date,
           columns: list[Col], rows: list[dict[str, Any]], kind: str) -> Response[Any]:  # fmt: skip
    """CSV or XLSX with the header block, Vietnamese labels and values (``services.documents``)."""
    heading = Heading(
        title, unit, sheets.period_vi(period), as_of, author(ctx), datetime.now(VIETNAM)
    )
    return sheets.download(heading, columns, rows, kind)


@get(
    f"{BASE}/level",
    summary="Báo cáo theo cấp / per-level view with drill-down",
    opt={"files": FORMATS},
    dependencies=FIGURES,
)
async def level_view(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    *,
    figures: NamedDependency[FigureQuery],
    output: Format = "json",
    replay: FromQuery[int | None] = None,
) -> Response[Any]:
    """``replay=<position>`` reads the replay made by ``chibo replay --until`` (the read models
    as the log stood at that position: "as recorded"); ``as_of`` still picks the day."""
    kind = check_format(output)
    day = figures.as_of or today()
    chosen = parse_period(figures.period, day)
    sources = figure_sources()
    names = tuple(dict.fromkeys(n for s in [rollups.BASE_FIGURES, *sources] for n in s.projections))
    reached = await wait(request, ctx, names, figures.min_position, figures.wait_ms)
    node_id = figures.unit_id or ctx.principal.scope_unit_id
    async with tenant_read_connection(readside_of(request), ctx.app.schema) as conn:
        schema = ctx.app.schema if replay is None else await replay_of(conn, ctx.app.schema, replay)
        found = await rollups.level_view(conn.fetch, schema, node_id, chosen, day, sources)
    if found is None:
        raise NotFound("Không tìm thấy tổ chức", "no such org unit", unit_id=str(node_id))
    node = NodeFigures(
        found["node"]["id"], found["node"]["name"], found["node"]["level"], found["node"]["figures"]
    )
    children = [
        NodeFigures(c["id"], c["name"], c["level"], c["figures"]) for c in found["children"]
    ]
    if kind == "json":
        return Response(
            LevelView(node, children, found["period"], day, found["tree_as_of"], reached)
        )
    columns, rows = level_table(node, children)
    title = "Báo cáo kết quả sinh hoạt chi bộ"
    return export(ctx, title, node.name, found["period"], day, columns, rows, kind)


class ReplayNotFound(NotFound):
    code = "replay_not_found"


async def replay_of(conn: Any, schema: str, position: int) -> str:
    """The replay schema at ``position``, if ``chibo replay`` made it (its ``replay_info``)."""
    target = replay_schema(schema, position)
    if await conn.fetchval("SELECT to_regclass($1)", f'"{target}".replay_info') is None:
        raise ReplayNotFound(
            f"Chưa có bản dựng lại ở vị trí #{position}; hãy chạy chibo replay --until {position}",
            f"no replay at #{position}; run chibo replay --until {position}",
            field="replay",
        )
    return target


@get(f"{BASE}/lists", summary="Các danh sách / the lists available")
async def available_lists() -> list[ListInfo]:
    return [ListInfo(s.name, s.title_vi, s.title_en, list(s.sorts)) for s in list_specs()]


@get(
    f"{BASE}/lists/{{list_name:str}}",
    summary="Danh sách kiểm tra / inspection list",
    opt={"files": FORMATS},
)
async def list_page(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    list_name: FromPath[str],
    unit_id: FromQuery[UUID | None] = None,
    period: FromQuery[str | None] = None,
    as_of: FromQuery[date | None] = None,
    q: Annotated[str | None, QueryParameter(max_length=100)] = None,
    sort: FromQuery[str | None] = None,
    order: Annotated[str, QueryParameter(pattern="^(asc|desc)$")] = "asc",
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, QueryParameter(max_length=1000)] = None,
    min_position: FromQuery[int | None] = None,
    wait_ms: WaitMs = 0,
    output: Format = "json",
    replay: FromQuery[int | None] = None,
) -> Response[Any]:
    """``replay`` as for the per-level view: the list (and its export) as recorded up to that
    log position, read from the replay ``chibo replay --until`` made; ``as_of`` picks the day."""
    kind = check_format(output)
    spec = list_named(list_name)
    if spec is None:
        raise NotFound(f"Không có danh sách «{list_name}»", f"no list '{list_name}'")
    if sort is not None and sort not in spec.sorts:
        raise InvalidValue(
            "Không sắp xếp được theo cột này",
            f"sort must be one of {', '.join(spec.sorts)}",
            field="sort",
        )
    day = as_of or today()
    chosen = parse_period(period, day)
    reached = await wait(request, ctx, spec.projections, min_position, wait_ms)
    async with tenant_read_connection(readside_of(request), ctx.app.schema) as conn:
        schema = ctx.app.schema if replay is None else await replay_of(conn, ctx.app.schema, replay)
        node_id = unit_id or ctx.principal.scope_unit_id
        if node_id is None:
            roots = await conn.fetch(rollups.qualify(schema, rollups.ROOT_SQL))
            node_id = roots[0]["id"] if roots else None
        try:
            rows, next_cursor = await lists.page(
                conn.fetch,
                schema,
                spec,
                (node_id, chosen.first_day, chosen.last_day, day),
                q=q,
                sort=sort,
                descending=order == "desc",
                limit=limit if kind == "json" else None,
                cursor=cursor,
            )
        except (ValueError, TypeError):
            raise InvalidValue(
                "Con trỏ trang không hợp lệ", "invalid cursor", field="cursor"
            ) from None
    columns = [ColumnView(c.name, c.vi, c.en) for c in spec.columns]
    if kind != "json":
        async with tenant_read_connection(readside_of(request), ctx.app.schema) as conn:
            unit = await unit_name(conn.fetch, schema, node_id)
        cols = [Col(c.name, c.vi) for c in spec.columns]
        return export(ctx, spec.title_vi, unit, str(chosen), day, cols, rows, kind)
    return Response(
        ListPage(spec.name, spec.title_vi, spec.title_en, columns, rows, next_cursor, reached)
    )


ROUTES: list[Any] = [level_view, available_lists, list_page]
