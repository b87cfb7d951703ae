"""The province administrator's org tree (cây tổ chức): found, rename, move, dissolve.

``GET /t/{tenant}/admin/units?unit_id`` shows one unit (the administrator's scope, or the
province root) with its breadcrumb, the units directly under it (by name, each a link one
level down) and the four forms. Each form posts to its own page route, which sends the one
API command (``POST …/units``, ``…/rename``, ``…/move``, ``…/dissolve``) as the signed-in
user with the form's ``Idempotency-Key`` and the version the page showed, so a double click
records once and a change made meanwhile by someone else is "changed first" with a reload.
The new parent of a move is chosen by name, never by typing an id.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import anyio
from litestar import Request, Response, get, post
from litestar.params import FromPath

from services.context import container_of
from services.web import data
from services.web.api import ApiError, call
from services.web.dates import form_days
from services.web.pages import form_of, write
from services.web.render import Crumb, FormState, render, today

TREE = "/t/{tenant:str}/admin/units"
ONE = TREE + "/{unit_id:uuid}"
LEVEL_LABELS = {
    "province": "Đảng bộ tỉnh",
    "direct": "Đảng bộ trực thuộc tỉnh",
    "grassroots_committee": "Đảng bộ cơ sở",
    "grassroots_cell": "Chi bộ cơ sở",
    "sub_committee": "Đảng bộ bộ phận",
    "cell": "Chi bộ",
}
CHILD_LEVELS = {
    "province": ("direct", "grassroots_committee", "grassroots_cell"),
    "direct": ("grassroots_committee", "grassroots_cell"),
    "grassroots_committee": ("sub_committee", "cell"),
    "sub_committee": ("cell",),
}
"""Which levels may be founded under which (``domain.org_unit.ALLOWED_PARENTS`` turned round);
the domain refuses any other, this only keeps the choice short."""
PARENT_CHOICES = 300
WAIT_MS = 3000


def tree_path(tenant: str, unit_id: Any, after: int | None = None) -> str:
    query = {"unit_id": str(unit_id), **({"after": after} if after else {})}
    return f"/t/{tenant}/admin/units?{urlencode(query)}"


async def collection(request: Request[Any, Any, Any], tenant: str, **query: Any) -> list[Any]:
    found = await call(request, "GET", f"/api/v1/t/{tenant}/units?{urlencode(query)}")
    return list(found.get("items", []))


async def tree_page(
    request: Request[Any, Any, Any],
    tenant: str,
    unit_id: UUID | None,
    state: FormState | None = None,
    status: int = 200,
) -> Response[Any]:
    after = request.query_params.get("after")
    fresh: dict[str, Any] = (
        {"min_position": int(after), "wait_ms": WAIT_MS} if after and after.isdigit() else {}
    )
    query: dict[str, Any] = {"depth": 1, "include_dissolved": "true", "limit": 200, **fresh}
    if unit_id is not None:
        query["unit_id"] = str(unit_id)
    behind = False
    try:
        rows = await collection(request, tenant, **query)
    except ApiError as error:
        if error.code != "projections_behind" or not fresh:
            raise
        behind = True  # the read side has not caught up yet: show what it has
        rows = await collection(request, tenant, **{k: query[k] for k in query if k not in fresh})
    if not rows:
        return await render(request, "admin_units.html", status=status, unit=None, state=state,
                            crumbs=[Crumb("Cây tổ chức")], levels=LEVEL_LABELS)  # fmt: skip
    top, children = rows[0], rows[1:]
    fitting = sorted(fits_parent(top["level"]))
    unit, *parents = await asyncio.gather(
        call(request, "GET", f"/api/v1/t/{tenant}/units/{top['id']}"),
        *(
            collection(request, tenant, depth=16, level=lvl, limit=PARENT_CHOICES)
            for lvl in fitting
        ),
    )
    app = container_of(request.app.state).applications.get(tenant)
    chain = await anyio.to_thread.run_sync(data.unit_chain, app, UUID(str(unit["id"])))
    crumbs = [Crumb(u.name, tree_path(tenant, u.id)) for u in chain[:-1]] + [Crumb(unit["name"])]
    return await render(
        request,
        "admin_units.html",
        status=status,
        state=state,
        unit=unit,
        top=top,
        children=children,
        behind=behind,
        levels=LEVEL_LABELS,
        child_levels=CHILD_LEVELS.get(unit["level"], ()),
        # a move keeps the level's rule: only units this level may sit under, never its own
        new_parents=[
            p
            for rows_of_level in parents
            for p in rows_of_level
            if str(p["id"]) not in (str(unit["id"]), str(unit.get("parent_id")))
        ],
        today=today().isoformat(),
        reload_href=tree_path(tenant, unit["id"]),
        crumbs=[Crumb("Cây tổ chức", f"/t/{tenant}/admin/units"), *crumbs],
        print_heading=f"Cây tổ chức — {unit['name']}",
    )


def fits_parent(level: str) -> set[str]:
    """The levels a unit of ``level`` may be moved under."""
    return {parent for parent, under in CHILD_LEVELS.items() if level in under}


@get(TREE, summary="Cây tổ chức / the org tree (administrator)")
async def units_page(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    chosen = request.query_params.get("unit_id")
    return await tree_page(request, tenant, UUID(chosen) if chosen else None)


def missing(form: str, values: dict[str, Any], needed: dict[str, str]) -> FormState | None:
    """The form's empty required fields, each with its message beside it (before the API)."""
    state = FormState(form, values)
    for name, message in needed.items():
        if not str(values.get(name, "")).strip():
            state.errors.append((f"{form}-{name}", message))
    return state if state.errors else None


def version_of(values: dict[str, Any]) -> int | None:
    text = str(values.get("expected_version", ""))
    return int(text) if text.isdigit() else None


async def send(
    request: Request[Any, Any, Any],
    tenant: str,
    unit_id: UUID,
    form: str,
    command: str,
    body: dict[str, Any],
    values: dict[str, Any],
    fields: dict[str, str],
    main: str,
    needed: dict[str, str],
) -> Response[Any]:
    async def again(failed: FormState, code: int) -> Response[Any]:
        return await tree_page(request, tenant, unit_id, failed, code)

    empty = missing(form, values, needed)
    if empty is not None:
        return await again(empty, 422)
    days, wrong = form_days(form, values, [k for k in body if k.endswith("_on")])  # typed days
    if wrong:
        return await again(FormState(form, values, wrong), 422)
    body = {**body, **days}
    return await write(
        request,
        form,
        values,
        f"/api/v1/t/{tenant}/units{command}",
        body,
        lambda done: tree_path(tenant, unit_id, done.get("position")),
        again,
        fields,
        main,
    )


@post(ONE + "/found", summary="Thành lập tổ chức trực thuộc / found a unit under this one")
async def found(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    body = {
        "name": str(values.get("name", "")).strip(),
        "level": values.get("level", ""),
        "founded_on": values.get("founded_on") or None,
        "parent_id": str(unit_id),
    }
    fields = {"name": "name", "level": "level", "founded_on": "founded_on", "parent_id": "level"}
    needed = {"name": "Nhập tên tổ chức", "founded_on": "Chọn ngày thành lập"}
    return await send(request, tenant, unit_id, "found", "", body, values, fields, "name", needed)


@post(ONE + "/rename", summary="Đổi tên tổ chức / rename a unit")
async def rename(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    body = {"name": str(values.get("name", "")).strip(), "expected_version": version_of(values)}
    return await send(request, tenant, unit_id, "rename", f"/{unit_id}/rename", body, values,
                      {"name": "name"}, "name", {"name": "Nhập tên mới"})  # fmt: skip


@post(ONE + "/move", summary="Chuyển tổ chức sang cấp trên khác / move a unit")
async def move(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    body = {
        "new_parent_id": values.get("new_parent_id") or None,
        "moved_on": values.get("moved_on") or None,
        "expected_version": version_of(values),
    }
    fields = {"new_parent_id": "new_parent_id", "moved_on": "moved_on"}
    needed = {"new_parent_id": "Chọn tổ chức cấp trên mới", "moved_on": "Chọn ngày chuyển"}
    return await send(request, tenant, unit_id, "move", f"/{unit_id}/move", body, values, fields,
                      "new_parent_id", needed)  # fmt: skip


@post(ONE + "/dissolve", summary="Giải thể tổ chức / dissolve a unit")
async def dissolve(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    body = {
        "dissolved_on": values.get("dissolved_on") or None,
        "reason": str(values.get("reason", "")).strip(),
        "expected_version": version_of(values),
    }
    fields = {"dissolved_on": "dissolved_on", "reason": "reason"}
    needed = {"dissolved_on": "Chọn ngày giải thể", "reason": "Nhập lý do giải thể"}
    return await send(request, tenant, unit_id, "dissolve", f"/{unit_id}/dissolve", body, values,
                      fields, "reason", needed)  # fmt: skip


ROUTES: list[Any] = [units_page, found, rename, move, dissolve]
