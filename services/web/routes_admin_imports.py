"""The province administrator's import pages (nhập dữ liệu): upload, dry run report, confirm.

``GET /t/{tenant}/admin/imports`` lists the latest imports, takes a file (the tree or the
members, XLSX or CSV) and offers the exports in the same template, as of a day. The upload is
sent to the API's dry run (``POST …/imports``) as the signed-in user; its report page lists
every problem with its row and column. When the dry run found no error, the page confirms by
the SHA-256 the dry run reported (``POST …/imports/{id}/confirm``): the import runs in the
background of the server and the page shows its progress (rows done of the file's rows),
refreshed every two seconds with htmx, or by reloading with JavaScript off.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from services.context import request_id_of
from services.web.api import INTERNAL_BASE, ApiError, bearer_of, call, fetch_raw, refusal
from services.web.dates import query_day
from services.web.pages import form_route, redirect
from services.web.render import Crumb, FormState, render, today

log = logging.getLogger(__name__)

IMPORTS = "/t/{tenant:str}/admin/imports"
ONE = IMPORTS + "/{import_id:uuid}"
MAX_FILE = 64 * 1024 * 1024
"""As the API's upload limit."""
CONFIRM_WAIT = 2.0
"""Seconds the confirmation waits for the import: a small file is done by then (or refused,
shown beside the button); a large one goes on in the background with its progress shown."""
SHOWN_PROBLEMS = 1000
KIND_LABELS = {"tree": "Cây tổ chức", "members": "Đảng viên"}
STATUS_LABELS = {
    "checked": "Đã kiểm tra (chạy thử), chưa nhập",
    "running": "Đang nhập",
    "done": "Đã nhập xong",
    "failed": "Nhập không thành công",
}
COUNT_LABELS = {
    "new": "mới",
    "changed": "thay đổi",
    "unchanged": "không đổi",
    "events": "sự kiện ghi",
    "details": "thông tin cá nhân ghi",
}
_RUNNING: dict[UUID, asyncio.Task[Any]] = {}
"""Confirmations this server process is running, by import (kept so they are not collected,
and so that a second click starts nothing)."""


def list_path(tenant: str) -> str:
    return f"/t/{tenant}/admin/imports"


def report_path(tenant: str, import_id: Any) -> str:
    return f"/t/{tenant}/admin/imports/{import_id}"


async def list_page(
    request: Request[Any, Any, Any], tenant: str, state: FormState | None = None, status: int = 200
) -> Response[Any]:
    found = await call(request, "GET", f"/api/v1/t/{tenant}/imports")
    return await render(
        request,
        "admin_imports.html",
        status=status,
        state=state,
        imports=found.get("items", []),
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        today=today().isoformat(),
        crumbs=[Crumb("Nhập và xuất dữ liệu")],
    )


imports_page = form_route(IMPORTS, "Nhập dữ liệu / imports (administrator)", list_page)


async def send_file(
    request: Request[Any, Any, Any], tenant: str, kind: str, name: str, content: bytes
) -> dict[str, Any]:
    """The file to the API's dry run as the signed-in user, as a script would send it."""
    headers = {
        **bearer_of(request),
        "x-request-id": request_id_of(request),
        "content-type": "application/octet-stream",
    }
    query = urlencode({"kind": kind, "file_name": name})
    transport = httpx.ASGITransport(app=request.app)  # type: ignore[arg-type]  # httpx wants MutableMapping scopes; Litestar takes its TypedDict ones
    async with httpx.AsyncClient(transport=transport, base_url=INTERNAL_BASE) as client:
        response = await client.post(
            f"/api/v1/t/{tenant}/imports?{query}", content=content, headers=headers, timeout=None
        )
    if response.status_code >= 400:
        raise refusal(response)
    answer: dict[str, Any] = response.json()
    return answer


def file_name_of(upload: UploadFile) -> str:
    """The name as the operator's computer gave it, without its folders, at most 200 letters."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "tep-nhap"


@post(IMPORTS, summary="Tải tệp lên để kiểm tra / upload a file", request_max_body_size=MAX_FILE)
async def upload(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    form = await request.form()
    kind = str(form.get("kind") or "")
    file = form.get("file")
    values = {"kind": kind}
    state = FormState("upload", values)
    if kind not in KIND_LABELS:
        state.errors.append(("upload-kind", "Chọn loại dữ liệu: cây tổ chức hoặc đảng viên"))
    content = await file.read() if isinstance(file, UploadFile) else b""
    if not content:
        state.errors.append(("upload-file", "Chọn tệp XLSX hoặc CSV để tải lên"))
    if state.errors:
        return await list_page(request, tenant, state, 422)
    assert isinstance(file, UploadFile)
    try:
        checked = await send_file(request, tenant, kind, file_name_of(file), content)
    except ApiError as error:
        if error.status in (401, 403):
            raise
        state.errors.append(("upload-file", error.message))
        return await list_page(request, tenant, state, 422)
    return redirect(report_path(tenant, checked["id"]))


async def report_page(
    request: Request[Any, Any, Any],
    tenant: str,
    import_id: UUID,
    state: FormState | None = None,
    status: int = 200,
) -> Response[Any]:
    record = await call(request, "GET", f"/api/v1/t/{tenant}/imports/{import_id}")
    problems = record.get("problems", [])
    rows = int(record.get("rows") or 0)
    done = int(record.get("done_rows") or 0)
    return await render(
        request,
        "admin_import.html",
        status=status,
        state=state,
        record=record,
        problems=problems[:SHOWN_PROBLEMS],
        more_problems=max(0, len(problems) - SHOWN_PROBLEMS),
        percent=min(100, round(100 * done / rows)) if rows else 0,
        here=import_id in _RUNNING,
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        count_labels=COUNT_LABELS,
        reload_href=report_path(tenant, import_id),
        crumbs=[
            Crumb("Nhập và xuất dữ liệu", list_path(tenant)),
            Crumb(record.get("file_name", "")),
        ],
        print_heading=f"Báo cáo nhập tệp {record.get('file_name', '')}",
    )


import_page = form_route(
    ONE, "Báo cáo kiểm tra và tiến độ nhập / a dry run's report and the progress", report_page
)


def _finished(import_id: UUID, task: asyncio.Task[Any]) -> None:
    _RUNNING.pop(import_id, None)
    if not task.cancelled() and task.exception() is not None:
        # The record says "failed"; the reason is in the server's log.
        log.error("import confirmed from a page failed", exc_info=task.exception())


@post(ONE + "/confirm", summary="Xác nhận nhập tệp / confirm the import")
async def confirm(
    request: Request[Any, Any, Any], tenant: FromPath[str], import_id: FromPath[UUID]
) -> Response[Any]:
    form = await request.form()
    sha = str(form.get("sha256") or "").strip()
    record = await call(request, "GET", f"/api/v1/t/{tenant}/imports/{import_id}")
    if record.get("status") == "done" or import_id in _RUNNING:  # a second click: nothing
        return redirect(report_path(tenant, import_id))
    # "running" without a task here: the server that ran it stopped part-way; running the same
    # file again completes it (whole batches were written, they are skipped as unchanged).
    path = f"/api/v1/t/{tenant}/imports/{import_id}/confirm"
    task = asyncio.ensure_future(call(request, "POST", path, {"sha256": sha}))
    _RUNNING[import_id] = task
    task.add_done_callback(lambda done: _finished(import_id, done))
    await asyncio.wait({task}, timeout=CONFIRM_WAIT)
    error = task.exception() if task.done() else None
    if isinstance(error, ApiError) and error.status not in (401, 403):
        state = FormState("confirm", {"sha256": sha})
        state.errors.append(("confirm-sha256", error.message))
        return await report_page(request, tenant, import_id, state, 422)
    if error is not None:
        raise error
    return redirect(report_path(tenant, import_id))


@get(
    "/t/{tenant:str}/admin/exports/{kind:str}",
    summary="Xuất theo mẫu nhập / export in the import's template",
)
async def export_file(
    request: Request[Any, Any, Any], tenant: FromPath[str], kind: FromPath[str]
) -> Response[Any]:
    """The API's export byte for byte, for the session (the API takes bearer tokens only)."""
    query = {k: v for k in ("on", "format") if (v := request.query_params.get(k))}
    if "on" in query:
        query["on"] = query_day(query["on"], today(), "on")
    answer = await fetch_raw(request, f"/api/v1/t/{tenant}/exports/{kind}?{urlencode(query)}")
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/octet-stream"),
        headers={"Content-Disposition": answer.headers.get("content-disposition", "attachment")},
    )


ROUTES: list[Any] = [imports_page, upload, import_page, confirm, export_file]
