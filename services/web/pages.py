"""What every page route shares: the CSRF guard, error pages, form reading, write-and-redirect.

Errors on a page route become pages, not JSON: no session gives the login form with status
401 (and returns to the page after signing in), a refusal of the policy gives a 403 page in
the policy's words, a missing record a 404 page. A refused write re-renders the form with the
API's message in an error summary at the top and beside the field.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote
from uuid import UUID

import anyio
from eventsourcing.application import AggregateNotFoundError
from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.enums import MediaType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from domain.base import DomainError, NotFound
from domain.org_unit import OrgUnit
from infra.application import TenantApplication
from infra.pools import DatabaseUnavailable
from services.context import container_of
from services.errors import UNAVAILABLE_ERRORS, Forbidden, Unauthenticated, status_for
from services.identity.ratelimit import Throttled
from services.web import data
from services.web.api import ApiError, call
from services.web.render import ENV, Crumb, FormState, principal_of, province_name
from services.web.session import CSRF_FIELD, FROM_COOKIE_KEY, check_csrf, csrf_token, seed_of

log = logging.getLogger(__name__)


async def csrf_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Every page POST made with the session cookie (and the login form) carries the token."""
    scope = connection.scope
    if scope.get("method") != "POST":
        return
    if not scope.get(FROM_COOKIE_KEY) and scope.get("path") != "/login":
        return
    form = await connection.form() if isinstance(connection, Request) else {}
    given = form.get(CSRF_FIELD) if hasattr(form, "get") else None
    check_csrf(scope, connection.app.state.signer, given if isinstance(given, str) else None)


def render_now(
    request: Request[Any, Any, Any], template: str, status: int, **context: Any
) -> Response[str]:
    """For error pages: no database reads beyond the cached province name."""
    principal = principal_of(request)
    tenant = request.path_params.get("tenant") or (principal.tenant if principal else None)
    seed = seed_of(request.scope)
    values: dict[str, Any] = {
        "principal": principal,
        "tenant": tenant,
        "province": context.pop("province")
        if "province" in context
        else (province_name(request, tenant) if tenant else ""),
        "user": "",
        "role": "",
        "csrf_token": csrf_token(request.app.state.signer, seed) if seed else "",
        "new_key": lambda: "",
        "path": request.url.path,
    }
    html = ENV.get_template(template).render({**values, **context})
    return Response(html, status_code=status, media_type=MediaType.HTML)


def login_page(
    request: Request[Any, Any, Any], status: int, state: FormState | None = None
) -> Response[str]:
    tenant = request.path_params.get("tenant")
    next_path = request.url.path if request.method == "GET" else ""
    return login_form_for(request, status, tenant, next_path, state)


def login_form_for(
    request: Request[Any, Any, Any],
    status: int,
    tenant: str | None,
    next_path: str,
    state: FormState | None = None,
) -> Response[str]:
    """The login form, its province fixed to ``tenant`` (none: asked for), then ``next_path``."""
    return render_now(
        request,
        "login.html",
        status,
        principal=None,
        fixed_tenant=tenant,
        fixed_province=province_name(request, tenant) if tenant else "",
        tenants=[],
        next=next_path,
        state=state,
    )


def page_error(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    if isinstance(exc, UNAVAILABLE_ERRORS) or (isinstance(exc, ApiError) and exc.status == 503):
        return outage_page(request, exc)
    if isinstance(exc, Unauthenticated):
        return login_page(request, 401)
    if isinstance(exc, Throttled):
        response = render_now(
            request, "error.html", 429, heading="Tạm thời chưa đăng nhập được", message=exc.vi
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, Forbidden):
        return render_now(request, "error.html", 403, heading="Không có quyền", message=exc.vi)
    if isinstance(exc, NotFound | AggregateNotFoundError | NotFoundException):
        return render_now(
            request,
            "error.html",
            404,
            heading="Không tìm thấy",
            message="Không có trang hoặc bản ghi này.",
        )
    if isinstance(exc, DomainError):
        return render_now(
            request, "error.html", status_for(exc), heading="Không thực hiện được", message=exc.vi
        )
    if isinstance(exc, ApiError) and exc.status < 500:
        # A read the page made through the API was refused: the API's words, its status.
        if exc.status == 401:
            return login_page(request, 401)
        heading = {403: "Không có quyền", 404: "Không tìm thấy"}.get(
            exc.status, "Không thực hiện được"
        )
        return render_now(request, "error.html", exc.status, heading=heading, message=exc.message)
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return render_now(
            request,
            "error.html",
            exc.status_code,
            heading="Yêu cầu không hợp lệ",
            message="Trang không hiểu yêu cầu này; hãy quay lại và thử lại.",
        )
    log.exception("unhandled error on page %s", request.url.path, exc_info=exc)
    return render_now(
        request,
        "error.html",
        500,
        heading="Lỗi hệ thống",
        message="Đã xảy ra lỗi; lỗi đã được ghi lại. Hãy thử lại sau ít phút.",
    )


def outage_page(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    """The database is down (issue 13 §3): the API's 503 as a page, never a 500.

    No database read here, not even the province's name (the slug stands in if it is not
    cached): each would wait out the pool's bounded wait again. A form sent again carries the
    same ``Idempotency-Key``, so resending what may have been recorded does not record it twice.
    """
    log.warning("database unavailable on page %s: %s", request.url.path, type(exc).__name__)
    tenant = request.path_params.get("tenant")
    names: dict[str, str] = request.app.state.get("web_province_names", {})
    response = render_now(
        request,
        "error.html",
        503,
        heading="Tạm thời không truy cập được",
        message=DatabaseUnavailable.vi
        + ". Nếu vừa gửi một biểu mẫu, tải lại trang này sẽ gửi lại đúng biểu mẫu đó: việc đã"
        " ghi không bị ghi hai lần.",
        province=names.get(tenant, tenant or "") if tenant else "",
    )
    response.headers["Retry-After"] = str(DatabaseUnavailable.retry_after)
    return response


def page_exception_handlers() -> dict[type[Exception] | int, Any]:
    """Every class the API maps (looked up by the exception's MRO across layers) → a page."""
    from services.errors import EXCEPTION_HANDLERS

    return {
        **dict.fromkeys(EXCEPTION_HANDLERS, page_error),
        Throttled: page_error,
        ApiError: page_error,
    }


PAGE_EXCEPTION_HANDLERS = page_exception_handlers()


async def form_of(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The submitted form: single values as strings, repeated names as lists."""
    data = await request.form()
    values: dict[str, Any] = {}
    for key in data:
        items = data.getall(key)
        values[key] = items if len(items) > 1 else items[0]
    return values


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def redirect(to: str) -> Response[Any]:
    return Redirect(to, status_code=303)


Rerender = Callable[[FormState, int], Awaitable[Response[Any]]]


async def write(
    request: Request[Any, Any, Any],
    form_name: str,
    values: dict[str, Any],
    path: str,
    body: dict[str, Any],
    done: str | Callable[[dict[str, Any]], str],
    rerender: Rerender,
    field_map: dict[str, str] | None = None,
    main_field: str = "",
    answer: Callable[[dict[str, Any]], Awaitable[Response[Any]]] | None = None,
) -> Response[Any]:
    """Send one write to the API; on success go to ``done`` (or show ``answer``'s page, for a
    write whose outcome is to be read once, such as a signed document), on refusal re-render
    with errors."""
    try:
        result = await call(request, "POST", path, body, values.get("idempotency_key") or None)
    except ApiError as error:
        if error.status in (401, 403) and error.code in ("unauthenticated", "forbidden"):
            raise (Unauthenticated if error.status == 401 else Forbidden)(
                error.message, error.message
            ) from None
        state = FormState(form_name, values, stale=error.stale)
        target = (field_map or {}).get(error.field or "", error.field or "") or main_field
        message = (
            "Người khác đã thay đổi dữ liệu này trước bạn; hãy tải lại trang"
            if error.stale
            else error.message
        )
        state.errors.append((f"{form_name}-{target}" if target else f"{form_name}-form", message))
        return await rerender(state, 409 if error.stale else 422)
    if answer is not None:
        return await answer(result)
    return redirect(done(result) if callable(done) else done)


Page = Callable[..., Awaitable[Response[Any]]]
"""A page shown at a path: called with the request and the path's parameters by name, and with
a refused form's ``state`` and ``status`` when it is shown again."""


def form_route(path: str, summary: str, page: Page) -> HTTPRouteHandler:
    """``GET path``: ``page`` with its forms empty."""

    async def show(request: Request[Any, Any, Any]) -> Response[Any]:
        return await page(request, **request.path_params)

    return get(path, summary=summary)(show)


def again_on(request: Request[Any, Any, Any], page: Page) -> Rerender:
    """``page`` shown again with a refused form (the ``rerender`` of :func:`write`)."""

    async def again(state: FormState, status: int) -> Response[Any]:
        return await page(request, **request.path_params, state=state, status=status)

    return again


def login_redirect_target(next_path: str, tenant: str) -> str:
    """Only a path of the same province: never an outside address."""
    if next_path.startswith(f"/t/{tenant}/") and "//" not in next_path and "\\" not in next_path:
        return next_path
    return f"/t/{quote(tenant)}/"


UNIT = "/t/{tenant:str}/units/{unit_id:uuid}"
"""The path of a unit's pages (a cell's members, meetings, arrivals)."""


async def cell_of(
    request: Request[Any, Any, Any], tenant: str, unit_id: UUID
) -> tuple[TenantApplication, OrgUnit, list[Crumb]]:
    """The province's application, the cell of the path and its breadcrumb trail, read in a
    worker thread; a 404 page when the unit does not exist."""
    app = container_of(request.app.state).applications.get(tenant)
    cell = await anyio.to_thread.run_sync(data.aggregate, app, unit_id, OrgUnit)
    if cell is None:
        raise NotFound("Không tìm thấy chi bộ", "no such cell")
    trail = await anyio.to_thread.run_sync(data.crumbs, app, tenant, unit_id)
    return app, cell, trail
