"""The report route: the per-level view of a node for a period as a document (XLSX or PDF)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response, get
from litestar.params import FromQuery

from domain.base import InvalidValue, NotFound
from infra.db_roles import tenant_read_connection
from projections import rollups
from projections.registry import figure_sources, list_named
from services.context import Ctx
from services.documents import sheets
from services.documents.files import attachment, file_name
from services.documents.render import to_pdf
from services.documents.reports import (
    APPENDICES,
    appendix_rows,
    author,
    level_table,
    report_document,
    unit_name,
)
from services.documents.sheets import Col, Heading
from services.views.routes import (
    BASE,
    VIETNAM,
    Format,
    WaitMs,
    parse_period,
    readside_of,
    today,
    wait,
)

TITLE = "Báo cáo kết quả sinh hoạt chi bộ"


@get(f"{BASE}/report", summary="Báo cáo kết quả sinh hoạt chi bộ / the report (XLSX, PDF)")
async def report(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: FromQuery[UUID | None] = None,
    period: FromQuery[str | None] = None,
    as_of: FromQuery[date | None] = None,
    min_position: FromQuery[int | None] = None,
    wait_ms: WaitMs = 0,
    output: Format = "xlsx",
) -> Response[Any]:
    if output not in ("xlsx", "pdf"):
        raise InvalidValue(
            "Định dạng báo cáo phải là xlsx hoặc pdf", "format must be xlsx or pdf", field="format"
        )
    day = as_of or today()
    chosen = parse_period(period, day)
    sources = figure_sources()
    specs = [s for s in map(list_named, APPENDICES) if s is not None]
    names = tuple(
        dict.fromkeys(n for s in [rollups.BASE_FIGURES, *sources, *specs] for n in s.projections)
    )
    await wait(request, ctx, names, min_position, wait_ms)
    node_id = unit_id or ctx.principal.scope_unit_id
    schema = ctx.app.schema
    async with tenant_read_connection(readside_of(request), schema) as conn:
        if node_id is None:
            roots = await conn.fetch(rollups.qualify(schema, rollups.ROOT_SQL))
            node_id = roots[0]["id"] if roots else None
        found = await rollups.level_view(conn.fetch, schema, node_id, chosen, day, sources)
        if found is None:
            raise NotFound("Không tìm thấy tổ chức", "no such org unit", unit_id=str(node_id))
        node_row = await conn.fetch(rollups.qualify(schema, rollups.NODE_SQL), node_id)
        parent = node_row[0]["parent_id"] if node_row else None
        superior = await unit_name(conn.fetch, schema, parent)
        args = (node_id, chosen.first_day, chosen.last_day, day)
        appendices = [
            (
                s.title_vi,
                [Col(c.name, c.vi) for c in s.columns],
                await appendix_rows(conn.fetch, schema, s, args),
            )
            for s in specs
        ]
    node = _Node(found["node"])
    children = [_Node(c) for c in found["children"]]
    columns, rows = level_table(node, children)
    heading = Heading(
        TITLE, node.name, sheets.period_vi(str(chosen)), day, author(ctx), datetime.now(VIETNAM)
    )
    name = file_name(TITLE, node.name, heading.period)
    if output == "xlsx":
        return attachment(sheets.xlsx(heading, columns, rows, appendices), name, "xlsx")
    doc = report_document(heading, columns, rows, appendices, superior)
    return attachment(to_pdf(doc, f"{TITLE} — {node.name} — {heading.period}"), name, "pdf")


class _Node:
    """A node of the read side's level view, as the report tables read it."""

    def __init__(self, found: dict[str, Any]) -> None:
        self.id, self.name, self.level = found["id"], found["name"], found["level"]
        self.figures: dict[str, Any] = found["figures"]


ROUTES = [report]
