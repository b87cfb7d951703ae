"""Notices pages (thông báo): my notices and my calendar feed; the undelivered ones.

``GET /t/{tenant}/notices`` shows the signed-in account's in-app notices (invitations, changes,
cancellations, reminders — mailed or not: the API's ``/me/notices``) and its calendar feed:
a form makes a new secret URL, shown once on the answer, another revokes it (the API's
``/me/calendar-feed``). ``GET /t/{tenant}/notices/undelivered`` lists, for the secretary and
the administrator of a subtree, the notices nobody could be reached with (the API's
``/notices/undelivered``), so they tell those people another way and fix the address.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from services.web.api import call
from services.web.pages import form_of, form_route
from services.web.render import Crumb, render

PAGE = "/t/{tenant:str}/notices"


def api(tenant: str, path: str) -> str:
    return f"/api/v1/t/{tenant}{path}"


async def notices_page(
    request: Request[Any, Any, Any], tenant: str, feed_url: str | None = None, note: str = ""
) -> Response[Any]:
    mine = await call(request, "GET", api(tenant, "/me/notices?limit=100"))
    return await render(
        request,
        "notices.html",
        crumbs=[Crumb("Thông báo")],
        items=mine["items"],
        feed_url=feed_url,
        note=note,
    )


my_notices = form_route(PAGE, "Thông báo của tôi / my notices and calendar feed", notices_page)


@post(PAGE + "/calendar-feed", summary="Tạo địa chỉ lịch / make my calendar feed URL")
async def make_feed(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    values = await form_of(request)
    made = await call(
        request, "POST", api(tenant, "/me/calendar-feed"), {}, values.get("idempotency_key")
    )
    url = str(request.base_url).rstrip("/") + made["url"]
    return await notices_page(request, tenant, feed_url=url)


@post(PAGE + "/calendar-feed/revoke", summary="Thu hồi địa chỉ lịch / revoke my calendar feed")
async def revoke_feed(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    answer = await call(request, "DELETE", api(tenant, "/me/calendar-feed"))
    note = (
        "Đã thu hồi địa chỉ lịch: ứng dụng lịch không đọc được nữa."
        if answer.get("revoked")
        else "Đồng chí chưa có địa chỉ lịch nào."
    )
    return await notices_page(request, tenant, note=note)


@get(PAGE + "/undelivered", summary="Thông báo chưa gửi được / undelivered notices")
async def undelivered(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    found = await call(request, "GET", api(tenant, "/notices/undelivered?limit=200"))
    return await render(
        request,
        "notices_undelivered.html",
        crumbs=[Crumb("Thông báo", f"/t/{tenant}/notices"), Crumb("Chưa gửi được")],
        items=found["items"],
    )


ROUTES: list[Any] = [my_notices, make_feed, revoke_feed, undelivered]
