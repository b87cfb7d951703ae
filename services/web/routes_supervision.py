"""Pages of the superior committee and the inspection commission (cấp ủy cấp trên, UBKT).

The per-level view as a tree (province → committee → cell, one click each), with the period
picker (month, quarter, year) and the "as of" day in the same place on every page; every
non-compliance list with its filters, sorting, paging and export buttons; the petitions
tracker; attendance plans' assignments and "my assignments". Every page reads through the
JSON API as the signed-in user (:func:`services.web.api.call`), so its policy applies twice.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import anyio
from litestar import Request, Response, get
from litestar.params import FromPath

from domain.base import InvalidValue
from projections.registry import list_named
from services.context import container_of
from services.documents.sheets import Col, text_value
from services.web import data
from services.web.api import call, fetch_raw
from services.web.dates import query_day
from services.web.pages import redirect
from services.web.render import Crumb, principal_of, render, today
from services.web.routes_session import HOMES

T = "/t/{tenant:str}"
FIGURES = (
    ("due", "Phải sinh hoạt"),
    ("held", "Đã sinh hoạt"),
    ("missing", "Không sinh hoạt"),
    ("late", "Muộn"),
    ("attendance_rate", "Tỷ lệ dự họp"),
    ("rated_kem", "Xếp loại Kém"),
    ("petitions_overdue", "Kiến nghị quá hạn"),
    ("admissions_overdue", "Hồ sơ kết nạp quá hạn"),
)
"""The columns of the per-level table (a figure missing from the answer shows empty)."""
LEVEL_LABELS = {
    "province": "Tỉnh",
    "direct": "Đảng bộ trực thuộc",
    "grassroots_committee": "Đảng bộ cơ sở",
    "grassroots_cell": "Chi bộ cơ sở",
    "cell": "Chi bộ",
}
STATE_LABELS = {
    "raised": "Đã tiếp nhận",
    "forwarded": "Đã chuyển cấp có thẩm quyền",
    "accepted": "Đang giải quyết",
    "resolved": "Đã giải quyết",
    "answered": "Đã trả lời chi bộ",
    "reopened": "Đề nghị xem xét lại",
    "assigned": "Đã phân công",
    "contacted": "Đã liên hệ",
    "attended": "Đã dự",
    "missed": "Không dự được",
    "reported": "Đã báo cáo",
}


def period_of(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The period picker's values: kind (tháng/quý/năm), the period text and the as-of day."""
    q = request.query_params
    day = date.fromisoformat(query_day(q.get("as_of"), today(), "as_of"))
    kind = q.get("kind") or "month"
    period = q.get("period") or {
        "month": f"{day:%Y-%m}",
        "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        "year": str(day.year),
    }.get(kind, f"{day:%Y-%m}")
    return {"kind": kind, "period": period, "as_of": day.isoformat()}


def api_path(tenant: str, path: str, **params: Any) -> str:
    given = {k: v for k, v in params.items() if v not in (None, "")}
    return f"/api/v1/t/{tenant}{path}" + (f"?{urlencode(given)}" if given else "")


def level_crumbs(
    app: Any, tenant: str, node_id: UUID, scope: UUID | None, chosen: dict[str, str]
) -> list[Crumb]:
    """Tỉnh › Đảng ủy › … down to the unit shown, from the caller's own scope (a unit above it
    would be refused), each a link to its level view in the same period."""
    chain = data.unit_chain(app, node_id)
    ids = [u.id for u in chain]
    if scope in ids:
        chain = chain[ids.index(scope) :]
    query = {k: chosen[k] for k in ("kind", "period", "as_of")}
    links = [
        Crumb(u.name, f"/t/{tenant}/level?" + urlencode({"unit_id": str(u.id), **query}))
        for u in chain[:-1]
    ]
    return [*links, Crumb(chain[-1].name)] if chain else links


@get(T + "/level", summary="Báo cáo theo cấp / the per-level view")
async def level_page(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    chosen = period_of(request)
    unit_id = request.query_params.get("unit_id")
    # Independent reads, at the same time: the page costs its slowest, not their sum.
    view, lists = await asyncio.gather(
        call(request, "GET", api_path(tenant, "/views/level", unit_id=unit_id,
                                      period=chosen["period"], as_of=chosen["as_of"])),
        call(request, "GET", api_path(tenant, "/views/lists")),
    )  # fmt: skip
    app = container_of(request.app.state).applications.get(tenant)
    principal = principal_of(request)
    scope = principal.scope_unit_id if principal else None
    crumbs = await anyio.to_thread.run_sync(
        level_crumbs, app, tenant, UUID(str(view["node"]["id"])), scope, chosen
    )
    return await render(
        request,
        "level.html",
        crumbs=crumbs,
        view=view,
        figures=FIGURES,
        levels=LEVEL_LABELS,
        chosen=chosen,
        lists=lists["items"],
        print_heading=f"{view['node']['name']} — kỳ {view['period']}",
    )


def sortable(list_name: str) -> tuple[str, ...]:
    """The columns the API sorts this list by: only their headings are links."""
    spec = list_named(list_name)
    return tuple(spec.sorts) if spec else ()


@get(T + "/lists/{list_name:str}", summary="Danh sách kiểm tra / an inspection list")
async def list_page(
    request: Request[Any, Any, Any], tenant: FromPath[str], list_name: FromPath[str]
) -> Response[Any]:
    chosen = period_of(request)
    q = request.query_params
    params = {
        "unit_id": q.get("unit_id"),
        "period": chosen["period"],
        "as_of": chosen["as_of"],
        "q": q.get("q"),
        "sort": q.get("sort"),
        "order": q.get("order") or "asc",
        "limit": q.get("limit") or "50",
        "cursor": q.get("cursor"),
    }
    found = await call(request, "GET", api_path(tenant, f"/views/lists/{list_name}", **params))
    base = {k: v for k, v in {**params, "kind": chosen["kind"]}.items() if v and k != "cursor"}
    return await render(
        request,
        "list.html",
        crumbs=[Crumb("Báo cáo theo cấp", f"/t/{tenant}/level"), Crumb(found["title"])],
        found=found,
        sorts=sortable(list_name),
        chosen=chosen,
        params=params,
        link=lambda **changes: "?" + urlencode({**base, **changes}),
        export=lambda fmt: (
            f"/t/{tenant}/lists/{list_name}/export?" + urlencode({**base, "format": fmt})
        ),
        # A cell as the export's CSV writes it: dd/mm/yyyy, "Tháng 03/2025", codes in words.
        shown=lambda column, value: text_value(Col(column, ""), value),
        print_heading=f"{found['title']} — kỳ {chosen['period']}",
    )


@get(T + "/lists/{list_name:str}/export", summary="Xuất danh sách / export a list")
async def list_export(
    request: Request[Any, Any, Any], tenant: FromPath[str], list_name: FromPath[str]
) -> Response[Any]:
    """The list as CSV or XLSX, as the API exports it (every row, the filters applied)."""
    q = dict(request.query_params)
    fmt = q.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise InvalidValue("Định dạng phải là csv hoặc xlsx", "format must be csv or xlsx")
    keep = ("unit_id", "period", "as_of", "q", "sort", "order")
    path = api_path(tenant, f"/views/lists/{list_name}", format=fmt,
                    **{k: q.get(k) for k in keep})  # fmt: skip
    answer = await fetch_raw(request, path)
    return Response(
        answer.content,
        media_type=answer.headers["content-type"],
        headers={"Content-Disposition": answer.headers.get("content-disposition", "attachment")},
    )


def collection_page(template: str, api: str, title: str, filters: tuple[str, ...]) -> Any:
    """A page over one collection of the API: its filters, sorting and paging."""

    async def page(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
        q = request.query_params
        params = {name: q.get(name) for name in (*filters, "q", "sort", "order", "cursor")}
        found = await call(request, "GET", api_path(tenant, api, limit=50, **params))
        base = {k: v for k, v in params.items() if v and k != "cursor"}
        return await render(
            request,
            template,
            crumbs=[Crumb("Báo cáo theo cấp", f"/t/{tenant}/level"), Crumb(title)],
            title=title,
            found=found,
            params=params,
            states=STATE_LABELS,
            today=today(),
            link=lambda **changes: "?" + urlencode({**base, **changes}),
            print_heading=title,
        )

    return page


petitions_page = get(T + "/petitions", summary="Theo dõi kiến nghị / petitions tracker")(
    collection_page(
        "petitions.html",
        "/supervision/petitions",
        "Theo dõi kiến nghị",
        ("unit_id", "state", "overdue"),
    )
)
assignments_page = get(T + "/assignments", summary="Phân công dự sinh hoạt / assignments")(
    collection_page(
        "assignments.html",
        "/supervision/assignments",
        "Phân công dự sinh hoạt chi bộ",
        ("unit_id", "plan_id", "state"),
    )
)
my_assignments_page = get(T + "/my-assignments", summary="Phân công của tôi / my assignments")(
    collection_page(
        "assignments.html", "/supervision/my-assignments", "Phân công của tôi", ("state",)
    )
)


ROUTES: list[Any] = [
    level_page,
    list_page,
    list_export,
    petitions_page,
    assignments_page,
    my_assignments_page,
]


def home_to(path: str) -> Any:
    """A role's home: the page it works from, one redirect away from ``/t/{tenant}/``."""

    async def home(request: Request[Any, Any, Any]) -> Response[Any]:
        return redirect(f"/t/{request.path_params['tenant']}{path}")

    return home


HOMES["inspector"] = home_to("/level")
HOMES["superior_member"] = home_to("/level")
HOMES["auditor"] = home_to("/audit")
HOMES["member"] = home_to("/me")
HOMES["tenant_admin"] = home_to("/admin/units")
