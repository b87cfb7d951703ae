"""Inspection lists paged with the cursor give the whole list, once, in order.

A small synthetic province (``bench/synthetic.py``: committees, cells, a year of meetings with
some months missed) is read page by page, for every sort in both orders, at the root and at a
committee, and the pages put end to end must be the list read in one go (what an export
returns). Lists with a :class:`~projections.lists.Walk` read a page window by window of the
sort column's values: with a first window of one value every page spans several windows, so a
window that lost or repeated the rows at its edges would show here.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any

import pytest

from bench.load import load
from bench.synthetic import Shape
from bench.synthetic_meetings import YEAR
from infra.database import Database
from infra.tenancy import Tenant
from projections import engine, lists
from projections.registry import all_projections
from tests.conftest import asyncpg_connect
from tests.integration.queries import scalar

pytestmark = pytest.mark.integration

SMALL = Shape(seed=5, scale=0.01)  # 60 cells under a few committees, a year of meetings
WALKED = (lists.MISSING_REGULAR, lists.MISSING_THEMATIC, lists.KEM_TWICE)


@pytest.fixture
def places(database: Database, tenant: Tenant, app: Any) -> dict[str, Any]:
    load(database, tenant.schema, SMALL)
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    root = scalar(database, f'SELECT id FROM "{tenant.schema}".org_units WHERE parent_id IS NULL')
    committee = scalar(
        database,
        f'SELECT p.id FROM "{tenant.schema}".org_units AS p'
        f' JOIN "{tenant.schema}".org_closure AS d ON d.ancestor_id = p.id'
        f' JOIN "{tenant.schema}".org_units AS c ON c.id = d.descendant_id'
        " WHERE p.parent_id IS NOT NULL AND c.level IN ('cell', 'grassroots_cell')"
        " GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT 1",
    )
    assert root
    assert committee
    return {"root": root, "committee": committee}


def walked_from_one_value(spec: lists.ListSpec) -> lists.ListSpec:
    return dataclasses.replace(
        spec, walks=tuple(dataclasses.replace(w, first=1) for w in spec.walks)
    )


async def read_all(
    fetch: Any, schema: str, spec: lists.ListSpec, params: tuple[Any, ...], **kw: Any
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The list in one go, and its pages of ``limit`` walked with the cursor."""
    limit = kw.pop("limit")
    whole, none = await lists.page(fetch, schema, spec, params, limit=None, **kw)
    assert none is None
    pages, cursor = [], None
    while True:
        rows, cursor = await lists.page(
            fetch, schema, spec, params, limit=limit, cursor=cursor, **kw
        )
        pages.append(rows)
        if cursor is None:
            return whole, pages
        assert len(rows) == limit
        assert len(pages) <= len(whole), "the cursor does not move on"


def walked_sorts(spec: lists.ListSpec) -> tuple[str, ...]:
    return tuple(w.column for w in spec.walks)


def cases() -> list[tuple[lists.ListSpec, tuple[str, ...]]]:
    """Every sort of two lists with their walks from one value (a page of the register then
    spans several months, or several cells); the walked sorts of the lists as they are, with
    their own first windows, and of the others from one value."""
    regular = walked_from_one_value(lists.MISSING_REGULAR)
    register = walked_from_one_value(lists.REGISTER)
    return [
        (regular, regular.sorts),
        (register, register.sorts),
        (lists.REGISTER, walked_sorts(lists.REGISTER)),
        *((spec, walked_sorts(spec)) for spec in WALKED),
        *((walked_from_one_value(spec), walked_sorts(spec)) for spec in WALKED[1:]),
    ]


def test_pages_walked_with_the_cursor_are_the_whole_list(
    places: dict[str, Any], database: Database, tenant: Tenant
) -> None:
    year = (date(YEAR, 1, 1), date(YEAR, 12, 31))
    counted: dict[str, int] = {}

    async def work(fetch: Any) -> None:
        for spec, sorts in cases():
            limit = 40 if spec.name == lists.REGISTER.name else 3
            for node, as_of in (
                (places["root"], date(YEAR, 12, 31)),
                (places["committee"], date(YEAR, 8, 15)),
            ):
                params = (node, *year, as_of)
                for sort in sorts:
                    for descending in (False, True):
                        whole, pages = await read_all(
                            fetch, tenant.schema, spec, params,
                            sort=sort, descending=descending, limit=limit,
                        )  # fmt: skip
                        paged = [row for rows in pages for row in rows]
                        assert paged == whole, (spec.name, node, sort, descending)
                        keys = [(row[sort], row[spec.key]) for row in whole]
                        assert len(set(keys)) == len(keys)
                        counted[spec.name] = max(counted.get(spec.name, 0), len(whole))
                # The walked list is the same list, in the same order, filtered or not.
                unwalked = dataclasses.replace(spec, walks=())
                for q in (None, "1"):
                    assert await read_all(
                        fetch, tenant.schema, spec, params, q=q, limit=limit
                    ) == await read_all(fetch, tenant.schema, unwalked, params, q=q, limit=limit)

    async def connected() -> None:
        conn = await asyncpg_connect(database)
        try:
            await work(conn.fetch)
        finally:
            await conn.close()

    asyncio.run(connected())
    # The lists the test walks are not empty (or it would prove nothing).
    assert counted[lists.MISSING_REGULAR.name] > 12
    assert counted[lists.MISSING_THEMATIC.name] > 6
    assert counted[lists.REGISTER.name] > 200
