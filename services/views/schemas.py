"""Wire types of the per-level views (báo cáo theo cấp) and the inspection lists."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

Figures = dict[str, int | float | None]
"""Figure name → value. Features add figures by registering a source, so the set is open."""


class NodeFigures(msgspec.Struct):
    id: UUID
    name: str
    level: str
    figures: Figures


class LevelView(msgspec.Struct):
    """One org node's figures for a period, and each of its children's (drill-down)."""

    node: NodeFigures
    children: list[NodeFigures]
    period: str
    as_of: date
    tree_as_of: date
    """The tree is shown as it stood on this day (the period's end, or ``as_of`` if sooner)."""
    positions: dict[str, int]
    """Each projection read, at the log position it had reached."""


class ColumnView(msgspec.Struct):
    name: str
    label: str
    label_en: str


class ListPage(msgspec.Struct):
    name: str
    title: str
    title_en: str
    columns: list[ColumnView]
    rows: list[dict[str, Any]]
    next_cursor: str | None
    positions: dict[str, int]


class ListInfo(msgspec.Struct):
    name: str
    title: str
    title_en: str
    sorts: list[str]


class ProjectionStatus(msgspec.Struct):
    projection: str
    position: int
    head: int
    lag: int
    error: str | None
