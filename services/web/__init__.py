"""Web pages (trang web): server-rendered Vietnamese pages over the same rules as the API.

Pages are Jinja2 templates rendered by Litestar routes, enhanced with htmx where a section
saves on its own; everything reads and submits with JavaScript off. Page routes sit in the
same policy table as the API (:mod:`services.web.policies`), reads are checked by it before a
page renders, and writes go through the API itself (:mod:`services.web.api`). Assets (the
stylesheet, htmx, the Be Vietnam Pro font) are served from ``static/``; nothing is loaded from
another host.
"""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    """The page router (CSRF guard, HTML error pages) and the static files."""
    from litestar import Router
    from litestar.datastructures import CacheControlHeader
    from litestar.static_files import create_static_files_router

    from services.web import (
        routes_admin_imports,
        routes_admin_units,
        routes_admin_users,
        routes_audit,
        routes_card,
        routes_cell,
        routes_meeting,
        routes_member,
        routes_member_arrival,
        routes_member_lifecycle,
        routes_members_edit,
        routes_notices,
        routes_papers,
        routes_session,
        routes_settings,
        routes_supervision,
        routes_verification,
    )
    from services.web.pages import PAGE_EXCEPTION_HANDLERS, csrf_guard
    from services.web.render import STATIC

    pages = Router(
        path="/",
        route_handlers=[
            *routes_session.ROUTES,
            *routes_cell.ROUTES,
            *routes_meeting.ROUTES,
            *routes_supervision.ROUTES,
            *routes_member.ROUTES,
            *routes_members_edit.ROUTES,
            *routes_member_lifecycle.ROUTES,
            *routes_member_arrival.ROUTES,
            *routes_notices.ROUTES,
            *routes_papers.ROUTES,
            *routes_audit.ROUTES,
            *routes_verification.ROUTES,
            *routes_admin_units.ROUTES,
            *routes_admin_users.ROUTES,
            *routes_settings.ROUTES,
            *routes_admin_imports.ROUTES,
            *routes_card.ROUTES,
        ],
        guards=[csrf_guard],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        cache_control=CacheControlHeader(max_age=3600),
        include_in_schema=False,
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
    )
    return [pages, static]


PAGE_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; font-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


async def page_headers(message: Any, scope: Any) -> None:
    """``before_send``: pages may load their own styles, scripts and fonts, nothing else."""
    from litestar.datastructures import MutableScopeHeaders

    from services.web.session import is_page_path

    if message["type"] != "http.response.start" or not is_page_path(scope.get("path", "")):
        return
    headers = MutableScopeHeaders.from_message(message)
    headers["content-security-policy"] = PAGE_CSP
    if not scope.get("path", "").startswith("/static/"):
        headers["cache-control"] = "no-store"
