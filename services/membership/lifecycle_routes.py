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
    Command,
    Death,
    NoteMonth,
    OnDay,
    Remove,
    Suspend,
    Text,
    TransferIn,
    TransferOut,
)
from services.context import Ctx, container_of
from services.membership import lifecycle as svc
from services.written import Written, run, written, written_by

T = "/api/v1/t/{tenant:str}"
ONE = T + "/members/{member_id:uuid}"
ROUTES: list[Any] = []


def route(handler: Any) -> Any:
    ROUTES.append(handler)
    return handler


@route
@post(ONE + "/suspend", sync_to_thread=True, summary="Đình chỉ sinh hoạt / suspend")
def suspend(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[Suspend]) -> Written:
    return written_by(svc.suspend, ctx, data, member_id=member_id)


@route
@post(ONE + "/end-suspension", sync_to_thread=True, summary="Hết đình chỉ / end a suspension")
def end_suspension(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[OnDay]) -> Written:
    return written_by(svc.end_suspension, ctx, data, member_id=member_id)


class SpecialDuty(Command, kw_only=True):
    """Lực lượng vũ trang làm nhiệm vụ đặc biệt: the day it starts (or ends) and why."""

    on: date
    reason: Text


@route
@post(
    ONE + "/special-duty",
    sync_to_thread=True,
    summary="Làm nhiệm vụ đặc biệt (lực lượng vũ trang) / on special duty (armed forces)",
)
def special_duty(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[SpecialDuty]) -> Written:
    return written_by(svc.special_duty_changes, ctx, data, member_id=member_id)


@route
@post(
    ONE + "/special-duty/end",
    sync_to_thread=True,
    summary="Kết thúc nhiệm vụ đặc biệt / special duty ends",
)
def end_special_duty(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[SpecialDuty]) -> Written:
    return written_by(svc.special_duty_changes, ctx, data, member_id=member_id, ending=True)


@route
@post(
    ONE + "/noted-months",
    sync_to_thread=True,
    summary="Tháng bỏ sinh hoạt / không đóng đảng phí / a missed month",
)
def note_month(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[NoteMonth]) -> Written:
    return written_by(svc.note_month, ctx, data, member_id=member_id)


@route
@post(ONE + "/remove", sync_to_thread=True, summary="Xóa tên / remove with grounds")
def remove(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[Remove]) -> Written:
    return written_by(svc.remove, ctx, data, member_id=member_id)


@route
@post(ONE + "/death", sync_to_thread=True, summary="Từ trần / death")
def death(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[Death]) -> Written:
    return written_by(svc.record_death, ctx, data, member_id=member_id)


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


def temporarily(ctx: Ctx, member_id: UUID, data: TemporaryTransfer, ending: bool) -> Written:
    return written_by(
        svc.transfer_temporarily,
        ctx,
        member_id=member_id,
        host_cell_id=data.host_cell_id,
        on=data.on,
        expected=data.expected_version,
        ending=ending,
    )


@route
@post(
    ONE + "/temporary-transfer",
    sync_to_thread=True,
    summary="Chuyển sinh hoạt tạm thời / temporary transfer of activity",
)
def temporary_transfer(
    ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[TemporaryTransfer]
) -> Written:
    return temporarily(ctx, member_id, data, ending=False)


@route
@post(
    ONE + "/temporary-transfer/end",
    sync_to_thread=True,
    summary="Kết thúc sinh hoạt tạm thời / return from a temporary transfer",
)
def end_temporary_transfer(
    ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[TemporaryTransfer]
) -> Written:
    return temporarily(ctx, member_id, data, ending=True)
