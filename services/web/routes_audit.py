"""The auditor's pages (kiểm toán, kiểm tra): the audit trail with its filters (subtree, actor,
kind, period), one record's history and its state as of a day, the seals to download.

Each reads the audit API as the signed-in user; nothing here summarises: the trail shows each
event in its sentence, with who, when and why. The subtree is picked by the unit's name (a
list of the upper levels, or a search by name for any unit), never by typing an id.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import anyio
from litestar import Request, Response, get
from litestar.params import FromPath

from services.context import container_of
from services.web.api import ApiError, call, fetch_raw
from services.web.dates import iso_day_of
from services.web.nav import page_allowed
from services.web.render import Crumb, day, principal_of, render

FILTERS = ("unit_id", "actor", "kind", "since", "until", "aggregate_id", "before")
PICKER_DEPTH = 2
"""The picker lists the units this many levels below the caller's scope (the province, its
committees and their grassroots units); any deeper unit, a cell, is found by name."""
PICKER_LIMIT = 200
MATCHES_LIMIT = 20


async def units(request: Request[Any, Any, Any], tenant: str, **query: Any) -> list[dict[str, Any]]:
    """Units of the caller's scope from the JSON collection (the API checks the scope)."""
    found = await call(request, "GET", f"/api/v1/t/{tenant}/units?{urlencode(query)}")
    return list(found.get("items", []))


async def unit_picker(
    request: Request[Any, Any, Any], tenant: str, params: dict[str, Any], unit_q: str
) -> dict[str, Any]:
    """The subtree filter by name: the choices, the matches of a search, the chosen unit.

    A search that names exactly one unit chooses it; several are offered as links; none is
    said beside the field. The search wins over the list, since it is what was typed last.
    """
    picker: dict[str, Any] = {"q": unit_q, "matches": [], "error": "", "chosen": None}
    if unit_q:
        matches = await units(
            request, tenant, depth=16, q=unit_q, limit=MATCHES_LIMIT, sort="tree_order"
        )
        params.pop("unit_id", None)
        if len(matches) == 1:
            params["unit_id"] = str(matches[0]["id"])
        elif matches:
            picker["matches"] = matches
        else:
            picker["error"] = f"Không có tổ chức nào tên “{unit_q}” trong phạm vi được xem."
    choices = await units(request, tenant, depth=PICKER_DEPTH, limit=PICKER_LIMIT)
    chosen_id = params.get("unit_id")
    if chosen_id:
        listed = next((u for u in choices if str(u["id"]) == chosen_id), None)
        if listed is None:
            found = await units(request, tenant, unit_id=chosen_id, depth=0, limit=1)
            listed = found[0] if found else None
            if listed is not None:
                choices = [*choices, listed]
        picker["chosen"] = listed
    picker["choices"] = choices
    return picker


async def histories_allowed(
    request: Request[Any, Any, Any], entries: list[dict[str, Any]]
) -> set[str]:
    """The records of the page whose history the user may open (a link, not just the kind).

    A scoped inspector reads a record's history where the record sits today, inside her
    subtree; a record that has since left it (a member moved away) shows its kind only.
    """
    template = "/t/{tenant}/audit/aggregates/{aggregate_id}"
    records = {str(e["aggregate_id"]) for e in entries}
    principal = principal_of(request)
    if records and principal is not None and principal.scope_unit_id is None:
        # province-wide: the role alone decides, the same for every record (one check, not 50)
        first = next(iter(records))
        return records if await page_allowed(request, template, aggregate_id=first) else set()
    return {r for r in records if await page_allowed(request, template, aggregate_id=r)}


@get("/t/{tenant:str}/audit", summary="Nhật ký kiểm tra / the audit trail")
async def trail_page(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    q = request.query_params
    params = {k: q.get(k) for k in FILTERS if q.get(k)}
    params |= {k: iso_day_of(str(params[k])) for k in ("since", "until") if k in params}
    picker = await unit_picker(request, tenant, params, (q.get("unit_q") or "").strip())
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
        picker=picker,
        choose=lambda unit_id: "?" + urlencode({**base, "unit_id": unit_id}),
        seals=seals[-5:],
        history=await histories_allowed(request, page["entries"]),
        older=("?" + urlencode({**base, "before": page["next_before"]}))
        if page.get("next_before")
        else None,
        print_heading="Nhật ký kiểm tra",
    )


@get(
    "/t/{tenant:str}/audit/seals/{seq:int}",
    summary="Tải một niêm phong / download one seal",
)
async def seal_download(
    request: Request[Any, Any, Any], tenant: FromPath[str], seq: FromPath[int]
) -> Response[Any]:
    """The seal exactly as the API serves it (byte for byte), for the signed-in session: the
    JSON API takes bearer tokens only, so a link from the page to it could never work."""
    answer = await fetch_raw(request, f"/api/v1/t/{tenant}/audit/seals/{seq}")
    return Response(
        answer.content,
        media_type="application/json",
        headers={
            "Content-Disposition": answer.headers.get(
                "content-disposition", f'attachment; filename="{tenant}-seal-{seq}.json"'
            )
        },
    )


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
NAME_ATTRIBUTES = ("full_name", "name", "display_name", "username", "title")


def record_name(app: Any, record_id: str, cache: dict[str, str]) -> str:
    """The name a person knows a record by (a member, a unit, an account); else its kind."""
    if record_id not in cache:
        label = "(bản ghi không tìm thấy)"
        with contextlib.suppress(Exception):
            found = app.repository.get(UUID(record_id))
            label = next(
                (str(v) for a in NAME_ATTRIBUTES if (v := getattr(found, a, None))),
                f"({type(found).__name__})",
            )
        cache[record_id] = label
    return cache[record_id]


def named_fields(app: Any, state: dict[str, Any]) -> list[tuple[str, str]]:
    """The state's fields with every id replaced by the name of the record it points to: a
    person reads names, never UUIDs (the ids stay in the API's JSON for tools)."""
    cache: dict[str, str] = {}
    return [
        (key, UUID_TEXT.sub(lambda m: record_name(app, m.group(0).lower(), cache), str(value)))
        for key, value in state.items()
    ]


def shown(as_of: str) -> str:
    """The day as dd/mm/yyyy where it reads as one, else as typed."""
    try:
        return day(as_of)
    except ValueError:
        return as_of


async def state_as_of(
    request: Request[Any, Any, Any], tenant: str, aggregate_id: UUID, as_of: str
) -> tuple[dict[str, Any], str]:
    """The state at the day asked (or today's), and the API's refusal in words, if any.

    Before the record existed there is no state to show: the latest one gives the page its
    heading, and the refusal is shown beside the date field instead of an error page.
    """
    path = f"/api/v1/t/{tenant}/audit/aggregates/{aggregate_id}"
    if not as_of:
        return await call(request, "GET", path), ""
    try:
        return await call(request, "GET", f"{path}?{urlencode({'as_of': as_of})}"), ""
    except ApiError as error:
        if error.code == "nothing_at_that_time":
            message = f"Bản ghi chưa tồn tại vào ngày {shown(as_of)}: chưa có trạng thái để xem."
        elif error.field == "as_of":
            message = error.message
        else:
            raise
    return await call(request, "GET", path), message


@get(
    "/t/{tenant:str}/audit/aggregates/{aggregate_id:uuid}",
    summary="Lịch sử một bản ghi / a record's history and state as of a day",
)
async def aggregate_page(
    request: Request[Any, Any, Any], tenant: FromPath[str], aggregate_id: FromPath[UUID]
) -> Response[Any]:
    as_of = iso_day_of(request.query_params.get("as_of") or "")
    state, refusal = await state_as_of(request, tenant, aggregate_id, as_of)
    history = await call(
        request,
        "GET",
        f"/api/v1/t/{tenant}/audit/trail?{urlencode({'aggregate_id': str(aggregate_id), 'limit': 200})}",
    )
    entries = sorted(history["entries"], key=lambda e: e["aggregate_version"])
    app = container_of(request.app.state).applications.get(tenant)
    fields = await anyio.to_thread.run_sync(named_fields, app, state.get("state") or {})
    return await render(
        request,
        "audit_aggregate.html",
        crumbs=[Crumb("Nhật ký kiểm tra", f"/t/{tenant}/audit"), Crumb("Lịch sử bản ghi")],
        state=state,
        fields=fields,
        refusal=refusal,
        first=entries[0] if entries else None,
        history=entries,
        as_of=as_of,
        print_heading=f"Lịch sử bản ghi {state['aggregate_type']}",
    )


ROUTES: list[Any] = [trail_page, seal_download, aggregate_page]
