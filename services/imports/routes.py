"""HTTP routes of imports and exports: upload a file for a dry run, confirm it by its hash,
follow its progress; export the tree or the members in the same template; read or erase a
member's personal details."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import anyio
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.base import InvalidValue, NotFound
from domain.member import Member
from services.context import Ctx
from services.documents.files import attachment
from services.imports import export as exporting
from services.imports import service, store
from services.imports.schemas import ConfirmImport, ImportView, MemberDetailsView, import_view
from services.membership.org import load

T = "/api/v1/t/{tenant:str}"
MAX_FILE = 64 * 1024 * 1024
"""An import file of 120,000 members is about 20 MB as CSV."""


class UnknownImport(NotFound):
    code = "unknown_import"


def record_of(ctx: Ctx, import_id: UUID) -> dict[str, Any]:
    record = store.find_import(ctx.app, import_id)
    if record is None:
        raise UnknownImport(f"Không có lần nhập {import_id}", f"no import {import_id}")
    return record


@post(
    T + "/imports",
    summary="Tải tệp lên để kiểm tra (chạy thử) / upload a file for a dry run",
    request_max_body_size=MAX_FILE,
    status_code=201,
)
async def check_file(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    kind: Annotated[str, QueryParameter(pattern="^(tree|members)$")],
    file_name: Annotated[str, QueryParameter(max_length=200)] = "tep-nhap",
) -> ImportView:
    """``kind``: ``tree`` or ``members``; the body is the file itself (XLSX or CSV). Nothing is written but the dry run's record;
    confirm with ``POST /imports/{id}/confirm`` and the reported ``sha256``."""
    data = await request.body()
    if not data:
        raise InvalidValue("Tệp trống", "the file is empty", field="file")
    import_id, _ = await anyio.to_thread.run_sync(
        lambda: service.check(ctx.app, kind, data, file_name, ctx.actor, date.today(), True)
    )
    return import_view(record_of(ctx, import_id))


@post(
    T + "/imports/{import_id:uuid}/confirm",
    sync_to_thread=True,
    summary="Xác nhận nhập tệp đã kiểm tra / confirm the checked file by its hash",
)
def confirm(ctx: Ctx, import_id: FromPath[UUID], data: JSONBody[ConfirmImport]) -> ImportView:
    record = record_of(ctx, import_id)
    file = store.stored_file(ctx.app, import_id)
    if file is None:
        raise InvalidValue(
            "Tệp của lần kiểm tra này không còn (đã nhập); hãy tải tệp lên lại",
            "this dry run's file is no longer kept (already imported); upload it again",
        )
    service.run(ctx.app, record["kind"], file, record["file_name"], data.sha256, ctx.actor,
                date.today(), import_id=import_id)  # fmt: skip
    return import_view(record_of(ctx, import_id))


@get(T + "/imports/{import_id:uuid}", sync_to_thread=True, summary="Một lần nhập / an import")
def show(ctx: Ctx, import_id: FromPath[UUID]) -> ImportView:
    return import_view(record_of(ctx, import_id))


@get(T + "/imports", sync_to_thread=True, summary="Các lần nhập / imports")
def listing(ctx: Ctx) -> list[ImportView]:
    return [import_view(r, with_problems=False) for r in store.list_imports(ctx.app)]


@get(
    T + "/exports/{kind:str}",
    sync_to_thread=True,
    summary="Xuất cây tổ chức / đảng viên theo mẫu nhập / export in the import's template",
)
def export(
    ctx: Ctx,
    kind: FromPath[str],
    on: FromQuery[date | None] = None,
    fmt: Annotated[str, QueryParameter(name="format")] = "csv",
) -> Response[Any]:
    if kind not in service.KINDS or fmt not in ("csv", "xlsx"):
        raise InvalidValue(
            "Xuất: loại tree hoặc members, định dạng csv hoặc xlsx",
            "export: kind tree or members, format csv or xlsx",
        )
    day = on or date.today()
    body = exporting.export(ctx.app, kind, day, fmt)
    name = ("cay-to-chuc" if kind == "tree" else "dang-vien") + f"-{day:%d-%m-%Y}"
    return attachment(body, name, fmt)


@get(
    T + "/members/{member_id:uuid}/details",
    sync_to_thread=True,
    summary="Thông tin cá nhân (ngoài nhật ký) / personal details (outside the log)",
)
def details(ctx: Ctx, member_id: FromPath[UUID]) -> MemberDetailsView:
    load(ctx.app, Member, member_id)
    found = store.details_of(ctx.app, member_id) or dict.fromkeys(store.DETAIL_COLUMNS)
    return MemberDetailsView(member_id=member_id, **found)


@delete(
    T + "/members/{member_id:uuid}/details",
    sync_to_thread=True,
    summary="Xóa thông tin cá nhân / erase personal details",
)
def erase(ctx: Ctx, member_id: FromPath[UUID]) -> None:
    load(ctx.app, Member, member_id)
    store.erase_details(ctx.app, member_id)


ROUTES: list[Any] = [check_file, confirm, show, listing, export, details, erase]
