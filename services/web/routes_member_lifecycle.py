"""A member's activity in the party (sinh hoạt đảng) as a page: the lifecycle forms.

``GET …/units/{cell}/members/{id}/lifecycle`` shows where the member stands today and the forms
for what may happen next, each posting one API command as the signed-in user with its
``Idempotency-Key`` and the member's version (:func:`services.web.pages.write`):

- chuyển sinh hoạt tạm thời (a temporary transfer of activity to a host cell) and its end;
- miễn sinh hoạt (exemption from activity) and its end;
- lực lượng vũ trang làm nhiệm vụ đặc biệt (armed forces on special duty: their absences are
  left out of the absent-over-3 figure) and its end;
- chuyển sinh hoạt chính thức to another cell of the province;
- ra khỏi danh sách (leaving the roll: expelled, resigned, not recognised), xóa tên (removal,
  on its ground and decision), từ trần (death), and chuyển sinh hoạt ra tỉnh khác (a transfer
  to another province, named by its code as the receiver gives it (the page lists no other
  province: nothing of another tenant is shown), whose signed payload the page then shows to
  copy for the receiver),
  each after a tick that it cannot be undone.

A form is shown only when the policy table would let the user send it, and only when the
member's state makes it meaningful (no "end the exemption" for a member not exempted). Cells
are named, never typed as ids: the name is looked up in the API's units collection, which
lists only the user's scope, and the API checks the named cell against the scope again.
Refusals come back beside the field in the API's words; a stale version says someone else
changed the record first, with a reload link.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import anyio
from litestar import Request, Response, post
from litestar.params import FromPath

from domain.base import SYSTEM
from domain.lifecycle import RemovalGround
from domain.member import DepartureReason
from services.membership.org import load_roster
from services.web.dates import form_days
from services.web.nav import page_allowed
from services.web.pages import again_on, form_of, form_route, write
from services.web.render import Crumb, FormState, render, today
from services.web.routes_admin_users import api, by_name
from services.web.routes_cell import host_names
from services.web.routes_members_edit import MEMBER, member_crumbs, member_of

PAGE_MEMBER = "/t/{tenant}/units/{unit_id}/members/{member_id}"
DEPARTURES = {
    DepartureReason.EXPELLED.value: "Khai trừ",
    DepartureReason.RESIGNED.value: "Xin ra khỏi Đảng",
    DepartureReason.NOT_RECOGNISED.value: "Không được công nhận đảng viên chính thức",
}
"""The reasons recorded by ``…/leave`` alone. Removal (xóa tên: its ground and decision) and
death have forms of their own posting their own commands; a transfer to another province (its
letter, the signed payload for the receiver) is not offered here. No way around their rules."""
GROUNDS = {
    RemovalGround.MISSED_MEETINGS_OR_DUES.value: "Bỏ sinh hoạt hoặc không đóng đảng phí 3 tháng"
    " trong năm không có lý do chính đáng",
    RemovalGround.SURRENDERED_CARD.value: "Tự ý trả thẻ, hủy thẻ đảng viên",
    RemovalGround.NO_PROGRESS.value: "Giảm sút ý chí, được giáo dục 12 tháng không tiến bộ",
    RemovalGround.TWO_YEARS_UNQUALIFIED.value: "Hai năm liền không hoàn thành nhiệm vụ",
    RemovalGround.POLITICAL_STANDARD.value: "Không đủ tiêu chuẩn chính trị",
}
LEFT_LABELS = {
    **DEPARTURES,
    DepartureReason.TRANSFERRED_OUT.value: "Chuyển sinh hoạt ra khỏi tỉnh",
    DepartureReason.REMOVED.value: "Xóa tên",
    DepartureReason.DECEASED.value: "Từ trần",
}


@dataclass(frozen=True)
class Form:
    """One lifecycle form: its name (the prefix of its field ids), the API action it posts,
    the fields a person must fill, and the field naming a cell with its key in the API body."""

    name: str
    action: str
    required: dict[str, str]
    cell: tuple[str, str] = ("", "")

    @property
    def cell_field(self) -> str:
        return self.cell[0]

    @property
    def cell_key(self) -> str:
        return self.cell[1]


ON = {"on": "Nhập ngày"}
SURE = {"confirm": "Đánh dấu ô xác nhận: việc này không hoàn tác được"}
FORMS = {
    f.name: f
    for f in (
        Form(
            "temp", "temporary-transfer",
            {"host_name": "Nhập tên chi bộ nơi sinh hoạt tạm thời", **ON},
            ("host_name", "host_cell_id"),
        ),
        Form(
            "back", "temporary-transfer/end",
            {"host_name": "Nhập tên chi bộ nơi đang sinh hoạt tạm thời", **ON},
            ("host_name", "host_cell_id"),
        ),
        Form(
            "exempt", "exempt",
            {"start": "Nhập ngày bắt đầu miễn sinh hoạt", "reason": "Nhập lý do miễn sinh hoạt"},
        ),
        Form("unexempt", "end-exemption", ON),
        Form(
            "duty", "special-duty",
            {"on": "Nhập ngày bắt đầu nhiệm vụ đặc biệt", "reason": "Nhập nhiệm vụ, quyết định cử đi"},
        ),
        Form("unduty", "special-duty/end", {**ON, "reason": "Nhập lý do kết thúc nhiệm vụ"}),
        Form(
            "move", "transfer", {"to_name": "Nhập tên chi bộ chuyển đến", **ON},
            ("to_name", "to_cell_id"),
        ),
        Form("leave", "leave", {"reason": "Chọn lý do", **ON, **SURE}),
        Form(
            "remove", "remove",
            {"ground": "Chọn căn cứ xóa tên", "decision_number": "Nhập số quyết định", **ON,
             **SURE},
        ),
        Form("death", "death", {**ON, **SURE}),
        Form(
            "out", "transfer-out",
            {"to_province": "Nhập mã tỉnh nơi đến", "to_organisation": "Nhập tổ chức đảng nơi đến",
             "letter_number": "Nhập số giấy giới thiệu", "letter_on": "Nhập ngày giấy giới thiệu",
             **SURE},
        ),
    )
}  # fmt: skip
OUT_FIELDS = ("to_province", "to_organisation", "letter_number", "letter_on")


def standing_today(app: Any, member: Any) -> Any:
    return load_roster(app, member.cell_id, SYSTEM).standing(member.id, today())


async def lifecycle_page(
    request: Request[Any, Any, Any], tenant: str, unit_id: UUID, member_id: UUID,
    state: FormState | None = None, status: int = 200,
) -> Response[Any]:  # fmt: skip
    app, cell, trail, member = await member_of(request, tenant, unit_id, member_id)
    standing = await anyio.to_thread.run_sync(standing_today, app, member)
    ids = {"unit_id": str(unit_id), "member_id": str(member_id)}
    may = {
        name: await page_allowed(request, f"{PAGE_MEMBER}/{form.action}", "POST", **ids)
        for name, form in FORMS.items()
    }
    away = bool(standing and standing.transferred_out)
    host = (await host_names(request, [member_id])).get(member_id, "") if away else ""
    return await render(
        request,
        "member_lifecycle.html",
        status=status,
        state=state,
        cell=cell,
        member=member,
        standing=standing,
        away=away,
        host_name=host,
        may=may,
        departures=DEPARTURES,
        left_labels=LEFT_LABELS,
        grounds=GROUNDS,
        today_iso=today().isoformat(),
        crumbs=member_crumbs(trail, tenant, member, Crumb("Sinh hoạt đảng")),
        reload_href=request.url.path,
    )  # fmt: skip


lifecycle_form = form_route(
    MEMBER + "/lifecycle",
    "Sinh hoạt đảng của đảng viên / a member's lifecycle forms",
    lifecycle_page,
)


DAYS = ("on", "start", "end", "letter_on")


def body_of(form: Form, values: dict[str, Any], days: dict[str, str]) -> dict[str, Any]:
    """The API's body from the form's fields: days as ISO days, blanks left out."""
    taken = {"reason", "note", "ground", "decision_number", *OUT_FIELDS} - set(DAYS)
    body: dict[str, Any] = {
        k: str(values[k]).strip() for k in taken if str(values.get(k) or "").strip()
    }
    body.update(days)
    if values.get("expected_version"):
        body["expected_version"] = int(values["expected_version"])
    return body


def handler(form: Form) -> Callable[..., Awaitable[Response[Any]]]:
    async def submit(
        request: Request[Any, Any, Any],
        tenant: FromPath[str],
        unit_id: FromPath[UUID],
        member_id: FromPath[UUID],
    ) -> Response[Any]:
        values = await form_of(request)
        again = again_on(request, lifecycle_page)
        state = FormState(form.name, values)
        state.errors += [
            (f"{form.name}-{k}", why) for k, why in form.required.items() if not values.get(k)
        ]
        days, wrong = form_days(form.name, values, DAYS)
        state.errors += wrong
        body = body_of(form, values, days)
        if form.cell_field and values.get(form.cell_field):
            name = str(values[form.cell_field]).strip()
            query = api(tenant, "/units", depth=16, level="cell", q=name, limit=20)
            found, why = await by_name(request, query, name, "chi bộ")
            body[form.cell_key] = found
            if why:
                state.errors.append((f"{form.name}-{form.cell_field}", why))
        if state.errors:
            return await again(state, 422)
        fields = {form.cell_key: form.cell_field} if form.cell_field else {}
        path = f"/api/v1/t/{tenant}/members/{member_id}/{form.action}"
        cell = body["to_cell_id"] if form.name == "move" else unit_id  # she follows the move
        done = f"/t/{tenant}/units/{cell}/members/{member_id}/lifecycle"

        async def document(result: dict[str, Any]) -> Response[Any]:
            """The signed payload, shown once for the receiving province (sending the same
            form again is answered from the API's idempotency store: the same document)."""
            _, cell, trail, member = await member_of(request, tenant, unit_id, member_id)
            return await render(
                request, "member_transfer_out.html", cell=cell, member=member,
                document=result.get("document", ""), to_organisation=values["to_organisation"],
                crumbs=member_crumbs(trail, tenant, member, Crumb("Chuyển sinh hoạt ra tỉnh khác")),
            )  # fmt: skip

        return await write(
            request, form.name, values, path, body, done, again,
            field_map=fields, main_field=next(iter(form.required)),
            answer=document if form.name == "out" else None,
        )  # fmt: skip

    return submit


def lifecycle_routes() -> list[Any]:
    return [
        post(
            f"{MEMBER}/{form.action}",
            summary=f"Sinh hoạt đảng: {form.action} / a member's lifecycle",
            name=f"member-lifecycle-{form.name}",
        )(handler(form))
        for form in FORMS.values()
    ]


ROUTES: list[Any] = [lifecycle_form, *lifecycle_routes()]
