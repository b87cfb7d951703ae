"""The result of the verification (kết quả kiểm chứng) of the audit chain and seals, as a page.

``GET …/audit/verification`` shows the last result this server computed for the province (when,
how many events, the verdict, each finding, each seal checked) and a button that runs the
verifier now (``?run=1``), through the API's ``GET …/audit/verification`` as the signed-in user,
so the same policy decides. The signed JSON and the PDF are downloaded through the page
routes (the JSON API takes bearer tokens only). The last result is kept in the province's
schema (:mod:`services.audit.last_verification`) with who ran it and when, so a restart or
another worker shows the same one; the page says it is a past run, and the verifier is one click
away: a kept verdict is never taken as evidence without saying when it was computed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import anyio
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from infra.audit.verify import KIND_VI
from services.audit import last_verification
from services.context import container_of
from services.web.api import fetch_raw
from services.web.render import Crumb, principal_of, render, user_label

FORMATS = ("json", "pdf")


def keep(request: Request[Any, Any, Any], tenant: str, signed: dict[str, Any]) -> None:
    """This run becomes the province's last, with the signed-in user's name (in a thread)."""
    principal = principal_of(request)
    assert principal is not None  # the policy let only a signed-in reader through
    app = container_of(request.app.state).applications.get(tenant)
    name = user_label(request, principal)
    last_verification.keep(app, signed, principal.user_id, name)


def last_of(
    request: Request[Any, Any, Any], tenant: str
) -> last_verification.LastVerification | None:
    return last_verification.last(container_of(request.app.state).applications.get(tenant))


@get("/t/{tenant:str}/audit/verification", summary="Kết quả kiểm chứng / the verification")
async def verification_page(
    request: Request[Any, Any, Any], tenant: FromPath[str]
) -> Response[Any]:
    if request.query_params.get("run"):
        answer = await fetch_raw(request, f"/api/v1/t/{tenant}/audit/verification?format=json")
        await anyio.to_thread.run_sync(keep, request, tenant, json.loads(answer.content))
    found = await anyio.to_thread.run_sync(last_of, request, tenant)
    signed = found.signed if found else None
    report = signed["report"] if signed else None
    return await render(
        request,
        "audit_verification.html",
        crumbs=[Crumb("Nhật ký kiểm tra", f"/t/{tenant}/audit"), Crumb("Kết quả kiểm chứng")],
        report=report,
        checked_at=datetime.fromisoformat(report["checked_at"]) if report else None,
        key_id=signed["key_id"] if signed else "",
        ran=found,
        kinds=KIND_VI,
        print_heading="Kết quả kiểm chứng nhật ký",
    )


@get(
    "/t/{tenant:str}/audit/verification/{fmt:str}",
    summary="Tải kết quả kiểm chứng / download the verification",
)
async def verification_download(
    request: Request[Any, Any, Any], tenant: FromPath[str], fmt: FromPath[str]
) -> Response[Any]:
    """The verifier run now, signed, as the API's file (JSON or PDF), for the session."""
    if fmt not in FORMATS:
        raise NotFoundException("Chỉ tải được bản JSON hoặc PDF")
    answer = await fetch_raw(request, f"/api/v1/t/{tenant}/audit/verification?format={fmt}")
    if fmt == "json":
        await anyio.to_thread.run_sync(keep, request, tenant, json.loads(answer.content))
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/octet-stream"),
        headers={"Content-Disposition": answer.headers.get("content-disposition", "attachment")},
    )


ROUTES: list[Any] = [verification_page, verification_download]
