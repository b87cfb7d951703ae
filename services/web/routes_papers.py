"""The meeting papers page (tài liệu sinh hoạt): list, read receipts, upload, download.

``GET /t/{tenant}/meetings/{id}/papers`` shows the meeting's papers (the API's list: kind,
file, size, when posted and whether one day before, versions, readers) and who of the cell has
opened none yet. The secretary's form uploads a file: the page route passes it on to the API
as the user, as a stream with the form's ``Idempotency-Key`` (the API checks the type by
content, the size, the lock), so a resent form posts nothing twice. A download at
``…/papers/{paper_id}/file`` here is the API's own answer for the user (the read is recorded,
under the same policy). The API's own routes stream both ways; between the page and the
API, httpx's in-process transport passes the upload on in pieces but would gather a download
whole, so the page's download calls the API's own file answer (same policy on both routes)
and streams from the document store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect

from domain.meeting_papers import PaperKind
from domain.user import Role
from services.context import Ctx, request_id_of
from services.papers.routes import UPLOAD_LIMIT, paper_file
from services.web.api import INTERNAL_BASE, ApiError, bearer_of, call, refusal
from services.web.pages import form_route
from services.web.render import Crumb, principal_of, render

PAGE = "/t/{tenant:str}/meetings/{meeting_id:uuid}/papers"
KIND_LABELS = {
    PaperKind.AGENDA.value: "Chương trình sinh hoạt",
    PaperKind.REPORT.value: "Báo cáo tháng",
    PaperKind.DRAFT_RESOLUTION.value: "Dự thảo nghị quyết",
    PaperKind.MATERIAL.value: "Tài liệu chuyên đề",
    PaperKind.OTHER.value: "Tài liệu khác",
}
PIECE = 64 * 1024


def api(tenant: str, meeting_id: UUID, rest: str = "") -> str:
    return f"/api/v1/t/{tenant}/meetings/{meeting_id}/papers{rest}"


async def papers_page(
    request: Request[Any, Any, Any],
    tenant: str,
    meeting_id: UUID,
    error: ApiError | None = None,
    status: int = 200,
) -> Response[Any]:
    meeting = await call(request, "GET", f"/api/v1/t/{tenant}/meetings/{meeting_id}")
    listed = await call(request, "GET", api(tenant, meeting_id))
    principal = principal_of(request)
    writer = principal is not None and principal.role in (Role.SECRETARY, Role.TENANT_ADMIN)
    return await render(
        request,
        "meeting_papers.html",
        status=status,
        crumbs=[
            Crumb(
                f"Sinh hoạt tháng {meeting['month']}/{meeting['year']}",
                f"/t/{tenant}/meetings/{meeting_id}",
            ),
            Crumb("Tài liệu"),
        ],
        meeting=meeting,
        listed=listed,
        writer=writer and not listed["locked"],
        kinds=KIND_LABELS,
        error=error,
    )


papers = form_route(PAGE, "Tài liệu sinh hoạt / the meeting's papers", papers_page)


async def pieces(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(PIECE):
        yield chunk


@post(PAGE, request_max_body_size=UPLOAD_LIMIT, summary="Đăng tài liệu / upload a paper")
async def upload(
    request: Request[Any, Any, Any], tenant: FromPath[str], meeting_id: FromPath[UUID]
) -> Response[Any]:
    form = await request.form()  # parsed once already by the CSRF guard; files are spooled
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        missing = ApiError(400, "no_file", "Hãy chọn một tệp để đăng", {"field": "file"})
        return await papers_page(request, tenant, meeting_id, missing, 400)
    query = {
        "name": file.filename,
        "kind": str(form.get("kind") or "other"),
        "title": str(form.get("title") or "").strip() or file.filename,
    }
    headers = {
        **bearer_of(request),
        "x-request-id": request_id_of(request),
        "content-type": "application/octet-stream",
    }
    key = form.get("idempotency_key")
    if isinstance(key, str) and key:
        headers["idempotency-key"] = key
    transport = httpx.ASGITransport(app=request.app)  # type: ignore[arg-type]  # httpx wants MutableMapping scopes; Litestar takes its TypedDict ones
    async with httpx.AsyncClient(transport=transport, base_url=INTERNAL_BASE) as client:
        answer = await client.post(
            f"{api(tenant, meeting_id)}?{urlencode(query)}", content=pieces(file), headers=headers
        )
    if answer.status_code >= 400:
        failed = refusal(answer)
        return await papers_page(request, tenant, meeting_id, failed, failed.status)
    return Redirect(f"/t/{tenant}/meetings/{meeting_id}/papers", status_code=303)


@get(PAGE + "/{paper_id:uuid}/file", summary="Tải tài liệu / download a paper")
async def download(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    meeting_id: FromPath[UUID],
    paper_id: FromPath[UUID],
) -> Response[Any]:
    version = request.query_params.get("version")
    chosen = int(version) if version and version.isdigit() and 1 <= int(version) <= 1000 else None
    return await paper_file(ctx, meeting_id, paper_id, chosen)


ROUTES: list[Any] = [papers, upload, download]
