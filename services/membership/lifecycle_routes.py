"""HTTP routes for the membership lifecycle: suspension, removal and its flag, death, and
transfers to and from other provinces through the signed payload (nothing else crosses)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, post
from litestar.params import FromPath, JSONBody

from infra.transfer_payload import province_key, trusted_keys
from services.admissions.schemas import (
    Death,
    MemberWritten,
    NoteMonth,
    OnDay,
    Remove,
    Suspend,
    TransferIn,
    TransferOut,
    TransferOutWritten,
)
from services.context import Ctx, container_of
from services.membership import lifecycle as svc

T = "/api/v1/t/{tenant:str}"
ONE = T + "/members/{member_id:uuid}"
ROUTES: list[Any] = []


def route(handler: Any) -> Any:
    ROUTES.append(handler)
    return handler


def written(done: tuple[Any, int]) -> MemberWritten:
    member, position = done
    return MemberWritten(id=member.id, version=member.version, position=position)


@route
@post(ONE + "/suspend", sync_to_thread=True, summary="Đình chỉ sinh hoạt / suspend")
def suspend(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[Suspend]) -> MemberWritten:
    return written(
        svc.suspend(ctx.app, ctx.actor, member_id, data.start, data.reason, data.expected_version)
    )


@route
@post(ONE + "/end-suspension", sync_to_thread=True, summary="Hết đình chỉ / end a suspension")
def end_suspension(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[OnDay]) -> MemberWritten:
    return written(
        svc.end_suspension(ctx.app, ctx.actor, member_id, data.on, data.expected_version)
    )


@route
@post(
    ONE + "/noted-months",
    sync_to_thread=True,
    summary="Tháng bỏ sinh hoạt / không đóng đảng phí / a missed month",
)
def note_month(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[NoteMonth]) -> MemberWritten:
    return written(
        svc.note_month(ctx.app, ctx.actor, member_id, data.kind, data.month, data.excused)
    )


@route
@post(ONE + "/remove", sync_to_thread=True, summary="Xóa tên / remove with grounds")
def remove(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[Remove]) -> MemberWritten:
    return written(
        svc.remove(
            ctx.app,
            ctx.actor,
            member_id,
            data.ground,
            data.decision_number,
            data.on,
            data.expected_version,
        )
    )


@route
@post(ONE + "/death", sync_to_thread=True, summary="Từ trần / death")
def death(ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[Death]) -> MemberWritten:
    return written(
        svc.record_death(ctx.app, ctx.actor, member_id, data.on, data.note, data.expected_version)
    )


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
) -> TransferOutWritten:
    key = province_key(container_of(request.app.state).settings.data_dir, ctx.app.slug)
    member, position, document = svc.transfer_out(
        ctx.app,
        ctx.actor,
        member_id,
        data.letter_number,
        data.letter_on,
        data.to_province,
        data.to_organisation,
        key,
        data.expected_version,
    )
    return TransferOutWritten(member.id, member.version, position, document.decode())


@route
@post(
    T + "/transfers/in",
    sync_to_thread=True,
    summary="Tiếp nhận đảng viên từ tỉnh khác / receive a member (signed payload)",
)
def transfer_in(
    ctx: Ctx, request: Request[Any, Any, Any], data: JSONBody[TransferIn]
) -> MemberWritten:
    keys = trusted_keys(container_of(request.app.state).settings.data_dir)
    return written(
        svc.transfer_in(
            ctx.app,
            ctx.actor,
            data.document.encode(),
            keys,
            data.cell_id,
            data.presented_on,
            data.late_reason,
        )
    )
