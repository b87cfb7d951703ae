"""The member's page (đảng viên): my record, my cell's meetings this year, my rotation turn.

A member's account reaches only her own record and her own cell (the API's
``members_own_cell``); this page asks the API for exactly those, as her.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from domain.base import NotFound
from services.web.api import call
from services.web.render import Crumb, principal_of, render, today


@get("/t/{tenant:str}/me", summary="Trang của tôi / my meetings, my turn, my record")
async def me_page(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    principal = principal_of(request)
    if principal is None or principal.member_id is None:
        raise NotFound("Tài khoản chưa gắn với hồ sơ đảng viên", "no member record")
    base = f"/api/v1/t/{tenant}"
    record = await call(request, "GET", f"{base}/members/{principal.member_id}")
    cell = record["cell_id"]
    year = today().year
    # Independent reads, at the same time: the page costs its slowest, not their sum.
    meetings, rotation, unit = await asyncio.gather(
        call(request, "GET", f"{base}/units/{cell}/meetings?period={year}&limit=100"),
        call(request, "GET", f"{base}/supervision/cells/{cell}/rotation"),
        call(request, "GET", f"{base}/units/{cell}"),
    )
    mine = str(principal.member_id)
    queue = [str(m) for m in rotation.get("queue", [])]
    turn = {
        "next": any(str(n.get("member_id")) == mine for n in rotation.get("next", [])),
        "place": queue.index(mine) + 1 if mine in queue else None,
        "taken": mine not in queue,
    }
    upcoming = [m for m in meetings["items"] if not m["held_on"]]
    return await render(
        request,
        "member_home.html",
        crumbs=[Crumb(unit["name"]), Crumb("Trang của tôi")],
        record=record,
        unit=unit,
        meetings=sorted(meetings["items"], key=lambda m: m["scheduled_at"], reverse=True),
        upcoming=upcoming,
        rotation=rotation,
        turn=turn,
        print_heading=f"{record['full_name']} — {unit['name']}",
    )


ROUTES: list[Any] = [me_page]
