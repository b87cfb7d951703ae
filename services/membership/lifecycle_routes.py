"""HTTP routes for the membership lifecycle: suspension, special duty, removal and its flag,
death, and transfers to and from other provinces through the signed payload (nothing else
crosses)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, post
from litestar.params import FromPath, JSONBody

from infra.transfer_payload import province_key, trusted_keys
from services.admissions.schemas import (
    Death,
    NoteMonth,
    OnDay,
    Remove,
    Suspend,
    TransferIn,
    TransferOut,
)
from services.command_route import command_route
from services.context import Ctx, container_of
from services.membership import lifecycle as svc
from services.wire import Command, Text
from services.written import Written, run, written, written_by

T = "/api/v1/t/{tenant:str}"
ONE = T + "/members/{member_id:uuid}"
ROUTES: list[Any] = []


def route(handler: Any) -> Any:
    ROUTES.append(handler)
    return handler


route(command_route(ONE + "/suspend", svc.suspend, Suspend, "Đình chỉ sinh hoạt / suspend"))
route(
    command_route(
        ONE + "/end-suspension", svc.end_suspension, OnDay, "Hết đình chỉ / end a suspension"
    )
)


class SpecialDuty(Command, kw_only=True):
    """Lực lượng vũ trang làm nhiệm vụ đặc biệt: the day it starts (or ends) and why."""

    on: date
    reason: Text


route(
    command_route(
        ONE + "/special-duty",
        svc.special_duty_changes,
        SpecialDuty,
        "Làm nhiệm vụ đặc biệt (lực lượng vũ trang) / on special duty (armed forces)",
        name="special_duty",
    )
)
route(
    command_route(
        ONE + "/special-duty/end",
        svc.special_duty_changes,
        SpecialDuty,
        "Kết thúc nhiệm vụ đặc biệt / special duty ends",
        name="end_special_duty",
        ending=True,
    )
)
route(
    command_route(
        ONE + "/noted-months",
        svc.note_month,
        NoteMonth,
        "Tháng bỏ sinh hoạt / không đóng đảng phí / a missed month",
    )
)
route(command_route(ONE + "/remove", svc.remove, Remove, "Xóa tên / remove with grounds"))
route(command_route(ONE + "/death", svc.record_death, Death, "Từ trần / death", name="death"))


@route
@post(
    ONE + "/transfer-out",
    sync_to_thread=True,
    summary="Chuyển sinh hoạt ra tỉnh khác / transfer to another province",
)
def transfer_out(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    member_id: FromPath[UUID],
    data: JSONBody[TransferOut],
) -> Written:
    key = province_key(container_of(request.app.state).settings.data_dir, ctx.app.slug)
    member, position, document = run(
        svc.transfer_out, ctx, data, member_id=member_id, signing_key=key
    )
    return written((member, position), document=document.decode())


@route
@post(
    T + "/transfers/in",
    sync_to_thread=True,
    summary="Tiếp nhận đảng viên từ tỉnh khác / receive a member (signed payload)",
)
def transfer_in(ctx: Ctx, request: Request[Any, Any, Any], data: JSONBody[TransferIn]) -> Written:
    keys = trusted_keys(container_of(request.app.state).settings.data_dir)
    return written_by(
        svc.transfer_in,
        ctx,
        document=data.document.encode(),
        trusted_keys=keys,
        cell_id=data.cell_id,
        presented_on=data.presented_on,
        late_reason=data.late_reason,
    )


class TemporaryTransfer(Command, kw_only=True):
    """Chuyển sinh hoạt tạm thời: the host cell, and the day it starts (or ends)."""

    host_cell_id: UUID
    on: date


route(
    command_route(
        ONE + "/temporary-transfer",
        svc.transfer_temporarily,
        TemporaryTransfer,
        "Chuyển sinh hoạt tạm thời / temporary transfer of activity",
        name="temporary_transfer",
        ending=False,
    )
)
route(
    command_route(
        ONE + "/temporary-transfer/end",
        svc.transfer_temporarily,
        TemporaryTransfer,
        "Kết thúc sinh hoạt tạm thời / return from a temporary transfer",
        name="end_temporary_transfer",
        ending=True,
    )
)
