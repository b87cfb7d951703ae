"""The report for superiors (báo cáo kết quả sinh hoạt chi bộ) of any node, as XLSX or PDF.

It is the per-level view on paper: a title block (unit, period, as-of date, who generated it
and when), the node's figures with Vietnamese labels, one row per child unit, and the
inspection lists of non-compliance as appendices. The XLSX puts each appendix on its own sheet;
the PDF follows the party's document form, landscape, the same tables.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from itertools import pairwise
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError

from domain.user import UserAccount
from projections import lists, rollups
from projections.lists import ListSpec
from services.context import RequestContext
from services.documents.figures_vi import figure_label, is_rate
from services.documents.model import (
    Block,
    Document,
    Heading,
    Run,
    Table,
    para,
    place_and_date,
)
from services.documents.sheets import Col, ordered, text_value
from services.documents.sheets import Heading as SheetHeading

Fetch = Callable[..., Awaitable[list[Any]]]
APPENDICES = (
    "cells_without_regular_meeting",
    "cells_without_thematic_meeting",
    "cells_rated_kem_twice",
    "members_absent_over_3_in_a_row",
    "missed_superior_attendance",
    "overdue_petitions",
    "probationary_overdue_for_recognition",
    "papers_not_posted_one_day_before",
)
"""The inspection lists that name a failure to meet a rule (the register of meetings aside)."""
CHILD_FIGURES = (
    "due", "held", "on_time", "late", "missing", "attendance_rate",
    "rated_tot", "rated_kha", "rated_trung_binh", "rated_kem",
)  # fmt: skip
"""The figures of each child unit on paper (the XLSX has them all)."""
APPENDIX = "PHỤ LỤC "
APPENDIX_ROWS = 2000
"""Rows per appendix in a PDF; the XLSX carries them all (the PDF says how many are left)."""


def author(ctx: RequestContext) -> str:
    """Who asks: the account's display name where the token names an account."""
    user_id = ctx.principal.user_id
    try:
        account: object = ctx.app.repository.get(UUID(user_id))
    except (ValueError, AggregateNotFoundError):
        return user_id
    return account.display_name if isinstance(account, UserAccount) else user_id


async def unit_name(fetch: Fetch, schema: str, unit_id: UUID | None) -> str:
    if unit_id is None:
        return ""
    rows = await fetch(rollups.qualify(schema, rollups.NODE_SQL), unit_id)
    return str(rows[0]["name"]) if rows else ""


def level_table(node: Any, children: Sequence[Any]) -> tuple[list[Col], list[dict[str, Any]]]:
    """The per-level view as one table: the node first, then each child under it."""
    columns = [Col("name", "Tổ chức"), Col("level", "Cấp"), Col("parent_name", "Trực thuộc")]
    columns += [Col(n, figure_label(n), is_rate(n)) for n in node.figures]
    columns.append(Col("id", "Mã (UUID)"))
    rows = [{"id": str(node.id), "name": node.name, "level": node.level, **node.figures}]
    rows += [
        {"id": str(c.id), "name": c.name, "level": c.level, "parent_name": node.name, **c.figures}
        for c in children
    ]
    return columns, rows


async def appendix_rows(
    fetch: Fetch, schema: str, spec: ListSpec, args: tuple[Any, ...]
) -> list[dict[str, Any]]:
    rows, _ = await lists.page(fetch, schema, spec, args, limit=None)
    return rows


def report_document(
    heading: SheetHeading,
    columns: Sequence[Col],
    rows: Sequence[dict[str, Any]],
    appendices: Sequence[tuple[str, Sequence[Col], Sequence[dict[str, Any]]]],
    superior: str,
    place: str = "",
    totals: Sequence[int] = (),
) -> Document:
    """The PDF's content: figures of the node as label/value, children, then appendices.

    ``totals`` (a report job's) are each appendix's whole count where ``found`` holds only
    its first rows; by default every row is there.
    """
    node = rows[0]
    figures = [c for c in columns if c.name not in ("name", "level", "parent_name", "id")]
    blocks: list[Block] = [
        para(*_bold_pairs(heading.lines())),
        Heading("I. SỐ LIỆU CHUNG"),
        Table(
            ("Chỉ tiêu", "Số liệu"),
            tuple((c.label, _figure(c, node.get(c.name))) for c in figures),
            (1,),
            (5, 1.5),
        ),
    ]
    if len(rows) > 1:
        shown = [c for c in figures if c.name in CHILD_FIGURES]
        blocks += [
            Heading("II. CÁC TỔ CHỨC TRỰC THUỘC"),
            Table(
                ("Tổ chức", *(c.label for c in shown)),
                tuple(
                    (str(r["name"]), *(_figure(c, r.get(c.name)) for c in shown)) for r in rows[1:]
                ),
                tuple(range(1, len(shown) + 1)),
                (3, *([1] * len(shown))),
            ),
        ]
    for i, (title, cols, found) in enumerate(appendices, start=1):
        cols = [c for c in ordered(cols) if c.name != "key"]
        total = totals[i - 1] if totals else len(found)
        blocks.append(Heading(f"{APPENDIX}{i}. {title.upper()} ({total})"))
        if not found:
            blocks.append(para("Không có."))
            continue
        body = tuple(
            tuple(text_value(c, r.get(c.name)) for c in cols) for r in found[:APPENDIX_ROWS]
        )
        blocks.append(Table(tuple(c.label for c in cols), body))
        if total > APPENDIX_ROWS:
            blocks.append(para(f"… và {total - APPENDIX_ROWS} dòng nữa (xem bản XLSX)."))
    return Document(
        issuer_above=superior.upper(),
        issuer=heading.unit.upper(),
        number="Số    -BC",
        place_date=place_and_date(place, heading.as_of),
        title=heading.title,
        subtitle=heading.period,
        blocks=tuple(blocks),
        landscape=True,
    )


def parts(doc: Document) -> list[Document]:
    """The report cut before each appendix, to be compiled one part at a time
    (:func:`services.documents.render.to_pdf_parts`)."""
    cuts = [
        i
        for i, b in enumerate(doc.blocks)
        if isinstance(b, Heading) and b.text.startswith(APPENDIX)
    ]
    bounds = [0, *cuts, len(doc.blocks)]
    return [
        msgspec.structs.replace(doc, blocks=doc.blocks[a:b]) for a, b in pairwise(bounds) if b > a
    ]


def _figure(col: Col, value: Any) -> str:
    """A figure on paper: a share without a base is "—", a missing count is 0."""
    if value is None:
        return "—" if col.rate else "0"
    return text_value(col, value)


def _bold_pairs(lines: list[tuple[str, str]]) -> list[Run | str]:
    parts: list[Run | str] = []
    for i, (label, value) in enumerate(lines):
        parts += [Run(f"{label}: ", bold=True), value + ("; " if i < len(lines) - 1 else ".")]
    return parts
