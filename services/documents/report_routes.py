"""The report route: the per-level view of a node for a period as a document (XLSX or PDF)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response, get
from litestar.di import NamedDependency

from domain.base import InvalidValue, NotFound
from infra.db_roles import tenant_read_connection
from projections import rollups
from projections.registry import figure_sources, list_named
from services.context import Ctx
from services.documents import sheets
from services.documents.files import attachment, file_name
from services.documents.model import place_of
from services.documents.render import to_pdf_parts
from services.documents.reports import (
    APPENDICES,
    Fetch,
    appendix_rows,
    author,
    level_table,
    parts,
    report_document,
    unit_name,
)
from services.documents.sheets import Col, Heading
from services.views.routes import (
    BASE,
    FIGURES,
    VIETNAM,
    FigureQuery,
    Format,
    parse_period,
    readside_of,
    today,
    wait,
)

TITLE = "Báo cáo kết quả sinh hoạt chi bộ"


@get(
    f"{BASE}/report",
    summary="Báo cáo kết quả sinh hoạt chi bộ / the report (XLSX, PDF)",
    opt={"files": ("xlsx", "pdf")},
    dependencies=FIGURES,
)
async def report(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    *,
    figures: NamedDependency[FigureQuery],
    output: Format = "xlsx",
) -> Response[Any]:
    if output not in ("xlsx", "pdf"):
        raise InvalidValue(
            "Định dạng báo cáo phải là xlsx hoặc pdf", "format must be xlsx or pdf", field="format"
        )
    day = figures.as_of or today()
    chosen = parse_period(figures.period, day)
    sources = figure_sources()
    specs = [s for s in map(list_named, APPENDICES) if s is not None]
    names = tuple(
        dict.fromkeys(n for s in [rollups.BASE_FIGURES, *sources, *specs] for n in s.projections)
    )
    await wait(request, ctx, names, figures.min_position, figures.wait_ms)
    async with tenant_read_connection(readside_of(request), ctx.app.schema) as conn:
        built = await gather(
            conn.fetch,
            ctx.app.schema,
            figures.unit_id or ctx.principal.scope_unit_id,
            chosen,
            day,
            author(ctx),
        )
    return attachment(render_report(built, output), built.file_name, output)


@dataclass
class Report:
    """Everything a report holds, gathered in one read-only transaction."""

    heading: Heading
    columns: list[Col]
    rows: list[dict[str, Any]]
    appendices: list[tuple[str, Sequence[Col], Sequence[dict[str, Any]]]]
    superior: str
    place: str

    @property
    def file_name(self) -> str:
        return file_name(TITLE, self.heading.unit, self.heading.period)


async def gather(
    fetch: Fetch,
    schema: str,
    node_id: UUID | None,
    period: rollups.Period,
    day: date,
    by: str,
    appendices: bool = True,
) -> Report:
    """The report of ``node_id`` (the province root when ``None``) for ``period`` as of ``day``.

    Without ``appendices`` the lists are left for the caller to stream (a report job).
    """
    roots = await fetch(rollups.qualify(schema, rollups.ROOT_SQL))
    root = roots[0]["id"] if roots else None
    node_id = node_id or root
    found = await rollups.level_view(fetch, schema, node_id, period, day, figure_sources())
    if found is None:
        raise NotFound("Không tìm thấy tổ chức", "no such org unit", unit_id=str(node_id))
    node_row = await fetch(rollups.qualify(schema, rollups.NODE_SQL), node_id)
    superior = await unit_name(fetch, schema, node_row[0]["parent_id"] if node_row else None)
    args = (node_id, period.first_day, period.last_day, day)
    found_lists: list[tuple[str, Sequence[Col], Sequence[dict[str, Any]]]] = []
    for spec in (s for s in map(list_named, APPENDICES) if s is not None and appendices):
        cols = [Col(c.name, c.vi) for c in spec.columns]
        found_lists.append((spec.title_vi, cols, await appendix_rows(fetch, schema, spec, args)))
    node = _Node(found["node"])
    columns, rows = level_table(node, [_Node(c) for c in found["children"]])
    heading = Heading(
        TITLE, node.name, sheets.period_vi(str(period)), day, by, datetime.now(VIETNAM)
    )
    place = place_of(await unit_name(fetch, schema, root))
    return Report(heading, columns, rows, found_lists, superior, place)


def render_report(report: Report, output: str) -> bytes:
    """The report as XLSX or PDF bytes."""
    if output == "xlsx":
        return sheets.xlsx(report.heading, report.columns, report.rows, report.appendices)
    doc = report_document(
        report.heading,
        report.columns,
        report.rows,
        report.appendices,
        report.superior,
        report.place,
    )
    out = io.BytesIO()
    to_pdf_parts(parts(doc), f"{TITLE} — {report.heading.unit} — {report.heading.period}", out)
    return out.getvalue()


class _Node:
    """A node of the read side's level view, as the report tables read it."""

    def __init__(self, found: dict[str, Any]) -> None:
        self.id, self.name, self.level = found["id"], found["name"], found["level"]
        self.figures: dict[str, Any] = found["figures"]


ROUTES = [report]
