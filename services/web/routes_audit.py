"""The auditor's pages (kiểm toán, kiểm tra): the audit trail with its filters (subtree, actor,
kind, period), one record's history and its state as of a day, the seals to download.

Each reads the audit API as the signed-in user; nothing here summarises: the trail shows each
event in its sentence, with who, when and why.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, Response, get
from litestar.params import FromPath

from services.web.api import ApiError, call
from services.web.render import Crumb, render

FILTERS = ("unit_id", "actor", "kind", "since", "until", "aggregate_id", "before")


@get("/t/{tenant:str}/audit", summary="Nhật ký kiểm tra / the audit trail")
async def trail_page(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    q = request.query_params
    params = {k: q.get(k) for k in FILTERS if q.get(k)}
    page = await call(
        request, "GET", f"/api/v1/t/{tenant}/audit/trail?{urlencode({**params, 'limit': 50})}"
    )
    seals: list[dict[str, Any]] = []
    try:
        seals = (await call(request, "GET", f"/api/v1/t/{tenant}/audit/seals"))["items"]
    except ApiError:
        seals = []  # a scoped inspector reads the trail of a subtree, not the seals
    base = {k: v for k, v in params.items() if k != "before"}
    return await render(
        request,
        "audit_trail.html",
        crumbs=[Crumb("Nhật ký kiểm tra")],
        page=page,
        params=params,
        seals=seals[-5:],
        older=("?" + urlencode({**base, "before": page["next_before"]}))
        if page.get("next_before")
        else None,
        print_heading="Nhật ký kiểm tra",
    )


@get(
    "/t/{tenant:str}/audit/aggregates/{aggregate_id:uuid}",
    summary="Lịch sử một bản ghi / a record's history and state as of a day",
)
async def aggregate_page(
    request: Request[Any, Any, Any], tenant: FromPath[str], aggregate_id: FromPath[UUID]
) -> Response[Any]:
    as_of = request.query_params.get("as_of") or ""
    state = await call(
        request,
        "GET",
        f"/api/v1/t/{tenant}/audit/aggregates/{aggregate_id}"
        + (f"?{urlencode({'as_of': as_of})}" if as_of else ""),
    )
    history = await call(
        request,
        "GET",
        f"/api/v1/t/{tenant}/audit/trail?{urlencode({'aggregate_id': str(aggregate_id), 'limit': 200})}",
    )
    return await render(
        request,
        "audit_aggregate.html",
        crumbs=[Crumb("Nhật ký kiểm tra", f"/t/{tenant}/audit"), Crumb("Lịch sử bản ghi")],
        state=state,
        history=history["entries"],
        as_of=as_of,
        print_heading=f"Lịch sử bản ghi {state['aggregate_type']}",
    )


ROUTES: list[Any] = [trail_page, aggregate_page]
