"""Finding a member by party card number (tìm đảng viên theo số thẻ đảng viên).

``GET /t/{tenant}/members/by-card`` shows the search form; ``POST`` of the same path (with
the CSRF token, like every page form) shows the number's holder. The number travels in the
form's body, never in the URL, so it lands in no access log, browser history or Referer.
The holder is asked of the API (``GET …/members/by-card/{number}``) as the signed-in
user, so the API's scope check decides — a secretary finds the members of her own cell, the
province's administrator anyone in the province. A number nobody holds, or one held outside
the account's scope, is a message beside the field, never an error page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import FromPath

from services.web.api import ApiError, call
from services.web.pages import form_of
from services.web.render import Crumb, FormState, render

FIND = "/t/{tenant:str}/members/by-card"
STATUS_LABELS = {"official": "Chính thức", "probationary": "Dự bị"}
GENDER_LABELS = {"nam": "Nam", "nu": "Nữ", "nữ": "Nữ", "khac": "Khác", "khác": "Khác"}


@get(FIND, summary="Tìm đảng viên theo số thẻ / the search form")
async def by_card_form(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    # a number given in the query (an old bookmark) is not looked up: it belongs in the body
    return await by_card_page(request, tenant, "")


@post(FIND, summary="Tìm đảng viên theo số thẻ / find a member by party card number")
async def by_card_search(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    values = await form_of(request)
    return await by_card_page(request, tenant, str(values.get("number") or "").strip())


async def by_card_page(request: Request[Any, Any, Any], tenant: str, number: str) -> Response[Any]:
    state, member, cell, status = None, None, None, 200
    if number:
        base = f"/api/v1/t/{tenant}"
        try:
            member = await call(request, "GET", f"{base}/members/by-card/{quote(number, safe='')}")
        except ApiError as error:
            if error.status == 401:
                raise
            state = FormState("find", {"number": number})
            message = {
                404: f"Không có đảng viên nào mang số thẻ {number} trong tỉnh",
                403: f"Đảng viên mang số thẻ {number} không thuộc phạm vi tài khoản của bạn",
            }.get(error.status, error.message)
            state.errors.append(("find-number", message))
            status = 404 if error.status == 404 else 403 if error.status == 403 else 422
        else:
            cell = await call(request, "GET", f"{base}/units/{member['cell_id']}")
    return await render(
        request,
        "member_by_card.html",
        status=status,
        state=state,
        number=number,
        member=member,
        cell=cell,
        statuses=STATUS_LABELS,
        genders=GENDER_LABELS,
        crumbs=[Crumb("Tìm đảng viên theo số thẻ")],
    )


ROUTES: list[Any] = [by_card_form, by_card_search]
