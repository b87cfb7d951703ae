"""Receiving a member from another province (tiếp nhận đảng viên chuyển sinh hoạt đến).

The sending province records the departure on the member's lifecycle page and hands over the
signed transfer document (bản chuyển sinh hoạt có chữ ký số). Here the receiving province takes
the member in, in two steps that work without JavaScript:

1. ``POST …/units/{unit}/transfers/in/check``: the document, pasted or uploaded, is verified
   (the signature against the keys this installation trusts, the destination is this province)
   and what it says is shown: whom, from which province, with which letter and its due day.
   Nothing is written; a document that fails is refused beside its field in the verifier's words.
2. ``POST …/units/{unit}/transfers/in``: the receiving cell (by name, among the cells under the
   unit that the API lists to this user), the day the letter was presented, the reason if it is
   late, and a tick: one ``POST /api/v1/t/{tenant}/transfers/in`` as the signed-in user with the
   form's ``Idempotency-Key`` (a new member: no version to send). The API verifies again and
   checks the chosen cell against the user's scope; its refusals come back beside the field.

Who may: the policy lines of these pages are the API route's (the administrator, the cell's
secretary, …), with the unit read from the path; deny by default like every page.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio
from litestar import Request, Response, post
from litestar.params import FromPath

from domain.base import DomainError
from infra.transfer_payload import TransferPayload, trusted_keys, verify
from services.context import container_of
from services.web.dates import form_days
from services.web.pages import UNIT, again_on, cell_of, form_of, form_route, write
from services.web.render import Crumb, FormState, render, today
from services.web.routes_audit import units

FORM = "arrive"
REQUIRED = {
    "cell_id": "Chọn chi bộ tiếp nhận",
    "presented_on": "Nhập ngày xuất trình giấy giới thiệu",
    "confirm": "Đánh dấu ô xác nhận: đã đối chiếu giấy giới thiệu với bản chuyển",
}


async def document_of(values: dict[str, Any]) -> str:
    """The pasted document, or the uploaded file's text when a file was chosen."""
    read = getattr(values.get("document_file"), "read", None)  # an UploadFile, when chosen
    if read is not None:
        raw = await read()
        if raw:
            return bytes(raw).decode("utf-8", errors="replace").strip()
    return str(values.get("document") or "").strip()


def checked(request: Request[Any, Any, Any], tenant: str, document: str) -> TransferPayload:
    """What the document says, once its signature and destination are verified (or refused)."""
    keys = trusted_keys(container_of(request.app.state).settings.data_dir)
    return verify(document.encode(), keys, tenant)


async def arrival_page(
    request: Request[Any, Any, Any], tenant: str, unit_id: UUID,
    state: FormState | None = None, status: int = 200,
) -> Response[Any]:  # fmt: skip
    """The form; with a document in ``state``, what it says (verified) and the second step."""
    _, unit, trail = await cell_of(request, tenant, unit_id)
    state = state or FormState(FORM)
    payload: TransferPayload | None = None
    document = str(state.values.get("document") or "")
    if document and not state.error_for(f"{FORM}-document"):
        try:
            payload = await anyio.to_thread.run_sync(checked, request, tenant, document)
        except DomainError as refused:
            state.errors.append((f"{FORM}-document", refused.vi))
            status = 422
    cells = await units(request, tenant, unit_id=unit_id, depth=16, level="cell", limit=100)
    return await render(
        request,
        "member_arrival.html",
        status=status,
        state=state,
        unit=unit,
        crumbs=[*trail, Crumb("Tiếp nhận đảng viên từ tỉnh khác")],
        reload_href=request.url.path,
        payload=payload,
        document=document,
        today_iso=today().isoformat(),
        cells=cells,
        chosen=str(state.values.get("cell_id") or unit_id),
    )


arrival_form = form_route(
    UNIT + "/transfers/in",
    "Tiếp nhận đảng viên từ tỉnh khác / receive a member (form)",
    arrival_page,
)


@post(
    UNIT + "/transfers/in/check",
    summary="Kiểm tra bản chuyển sinh hoạt / verify a transfer document",
)
async def arrival_check(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    values["document"] = await document_of(values)
    values.pop("document_file", None)
    state = FormState(FORM, values)
    if not values["document"]:
        state.errors.append((f"{FORM}-document", "Dán bản chuyển hoặc chọn tệp bản chuyển"))
    return await arrival_page(request, tenant, unit_id, state, 422 if state.errors else 200)


@post(UNIT + "/transfers/in", summary="Tiếp nhận đảng viên từ tỉnh khác / receive a member")
async def arrival_receive(
    request: Request[Any, Any, Any], tenant: FromPath[str], unit_id: FromPath[UUID]
) -> Response[Any]:
    values = await form_of(request)
    again = again_on(request, arrival_page)
    state = FormState(FORM, values)
    state.errors += [(f"{FORM}-{k}", why) for k, why in REQUIRED.items() if not values.get(k)]
    days, wrong = form_days(FORM, values, ("presented_on",))
    state.errors += wrong
    if state.errors:
        return await again(state, 422)
    body = {
        "document": str(values.get("document") or "").strip(),
        "cell_id": str(values["cell_id"]),
        "presented_on": days["presented_on"],
        "late_reason": str(values.get("late_reason") or "").strip(),
    }
    cell = body["cell_id"]
    return await write(
        request, FORM, values, f"/api/v1/t/{tenant}/transfers/in", body,
        lambda written: f"/t/{tenant}/units/{cell}/members/{written['id']}/edit", again,
        field_map={"number": "document", "party_card_number": "document"},
        main_field="document",
    )  # fmt: skip


ROUTES: list[Any] = [arrival_form, arrival_check, arrival_receive]
