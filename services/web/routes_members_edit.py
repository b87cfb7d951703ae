"""Enrolling a member into a cell and recording her party card (ghi nhận đảng viên, số thẻ).

One thing per page, as the GOV.UK patterns advise for rare tasks: the enrol form
(``…/units/{cell}/members/new``) and one member's page (``…/members/{id}/edit``) with the party
card form. Each form posts one API command as the signed-in user (``POST …/members``,
``POST …/members/{id}/party-card``) with its ``Idempotency-Key``; the API's refusals come back
beside the field they concern, in its words. The same roles and units as those API routes
(the administrator, and the secretary of the cell), from the policy table.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio
from litestar import Request, Response, post
from litestar.params import FromPath

from domain.base import NotFound
from domain.member import Member
from services.web import data
from services.web.dates import form_days
from services.web.nav import page_allowed
from services.web.pages import UNIT, again_on, cell_of, form_of, form_route, write
from services.web.render import Crumb, FormState, render

MEMBER = UNIT + "/members/{member_id:uuid}"
LIFECYCLE = "/t/{tenant}/units/{unit_id}/members/{member_id}/lifecycle"
ENROL_FIELDS = (
    "full_name", "birth_date", "gender", "status", "admitted_on", "joined_cell_on",
    "official_on", "party_card_number",
)  # fmt: skip
REQUIRED = {
    "full_name": "Nhập họ và tên",
    "birth_date": "Nhập ngày sinh",
    "admitted_on": "Nhập ngày vào Đảng",
    "joined_cell_on": "Nhập ngày chuyển đến sinh hoạt ở chi bộ",
}
ENROL_DAYS = ("birth_date", "admitted_on", "official_on", "joined_cell_on")
GENDERS = {"nam": "Nam", "nu": "Nữ", "khac": "Khác"}


async def enrol_page(
    request: Request[Any, Any, Any], tenant: str, unit_id: UUID,
    state: FormState | None = None, status: int = 200,
) -> Response[Any]:  # fmt: skip
    _, cell, trail = await cell_of(request, tenant, unit_id)
    return await render(
        request,
        "member_enrol.html",
        status=status,
        state=state,
        cell=cell,
        genders=GENDERS,
        crumbs=[*trail, Crumb("Ghi nhận đảng viên")],
        reload_href=request.url.path,
    )


enrol_form = form_route(
    UNIT + "/members/new", "Ghi nhận đảng viên vào chi bộ / enrol a member (form)", enrol_page
)


@post(UNIT + "/members", summary="Ghi nhận đảng viên vào chi bộ / enrol a member")
async def enrol(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    again = again_on(request, enrol_page)
    missing = [(f"enrol-{k}", msg) for k, msg in REQUIRED.items() if not values.get(k)]
    if values.get("status") == "official" and not values.get("official_on"):
        missing.append(("enrol-official_on", "Đảng viên chính thức: nhập ngày chính thức"))
    days, wrong = form_days("enrol", values, ENROL_DAYS)
    if missing or wrong:
        return await again(FormState("enrol", values, missing + wrong), 422)
    body: dict[str, Any] = {k: values.get(k) or None for k in ENROL_FIELDS} | days
    body["full_name"] = str(values["full_name"]).strip()
    body["cell_id"] = str(unit_id)
    body = {k: v for k, v in body.items() if v is not None}
    return await write(
        request, "enrol", values, f"/api/v1/t/{tenant}/members", body,
        f"/t/{tenant}/units/{unit_id}/members", again,
    )  # fmt: skip


async def member_of(
    request: Request[Any, Any, Any], tenant: str, unit_id: UUID, member_id: UUID
) -> tuple[Any, Any, list[Crumb], Member]:
    """The cell, its breadcrumb and the member, who must be on this cell's records."""
    app, cell, trail = await cell_of(request, tenant, unit_id)
    member = await anyio.to_thread.run_sync(data.aggregate, app, member_id, Member)
    if member is None or member.cell_id != unit_id:
        raise NotFound("Không tìm thấy đảng viên trong chi bộ này", "no such member in this cell")
    return app, cell, trail, member


def member_crumbs(trail: list[Crumb], tenant: str, member: Member, *below: Crumb) -> list[Crumb]:
    """Tỉnh › … › Chi bộ › Đảng viên › her name (a link when a page below her is shown)."""
    cell = f"/t/{tenant}/units/{member.cell_id}/members"
    name = Crumb(member.full_name, f"{cell}/{member.id}/edit" if below else None)
    return [*trail, Crumb("Đảng viên", cell), name, *below]


async def member_page(
    request: Request[Any, Any, Any], tenant: str, unit_id: UUID, member_id: UUID,
    state: FormState | None = None, status: int = 200,
) -> Response[Any]:  # fmt: skip
    _, cell, trail, member = await member_of(request, tenant, unit_id, member_id)
    return await render(
        request,
        "member_edit.html",
        status=status,
        state=state,
        cell=cell,
        member=member,
        may_lifecycle=await page_allowed(
            request, LIFECYCLE, unit_id=str(unit_id), member_id=str(member_id)
        ),
        crumbs=member_crumbs(trail, tenant, member),
        reload_href=request.url.path,
    )  # fmt: skip


member_form = form_route(
    MEMBER + "/edit", "Sửa thông tin đảng viên / a member's record (form)", member_page
)


@post(MEMBER + "/party-card", summary="Ghi số thẻ đảng viên / record the party card number")
async def party_card(
    request: Request[Any, Any, Any],
    tenant: FromPath[str],
    unit_id: FromPath[UUID],
    member_id: FromPath[UUID],
) -> Response[Any]:
    values = await form_of(request)
    again = again_on(request, member_page)
    if not str(values.get("number") or "").strip():
        return await again(FormState("card", values, [("card-number", "Nhập số thẻ")]), 422)
    body: dict[str, Any] = {"number": str(values["number"]).strip()}
    if values.get("reason"):
        body["reason"] = str(values["reason"]).strip()
    if values.get("expected_version"):
        body["expected_version"] = int(values["expected_version"])
    return await write(
        request, "card", values, f"/api/v1/t/{tenant}/members/{member_id}/party-card", body,
        f"/t/{tenant}/units/{unit_id}/members/{member_id}/edit", again, main_field="number",
    )  # fmt: skip


ROUTES: list[Any] = [enrol_form, enrol, member_form, party_card]
