"""The guard: the deny-by-default check that runs before every route handler.

It finds the route's :class:`~services.security.policy.Policy` by method and path template
(a route with no policy is refused), then asks for a verified principal of the route's
tenant, a role the policy allows, and every org unit the request touches inside the
principal's scope (:func:`~services.security.policy.check_scope`). Operator routes ask for
the operator's secret instead of a user's token.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from domain.base import InvalidValue
from domain.user import Role
from services.context import AUTH_ERROR_KEY, PRINCIPAL_KEY, Principal, container_of
from services.errors import Forbidden, Unauthenticated
from services.security.policy import (
    Policy,
    PolicyTable,
    Touch,
    check_scope,
    outside_scope,
    policy_key,
)

log = logging.getLogger(__name__)

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def guard(table: PolicyTable) -> Guard:
    """The Litestar guard over ``table``, installed once on the application for every route.

    The table is read at each request (not copied), so a test may add a route's policy to it.
    """

    async def authorize(
        connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        method = str(connection.scope.get("method", "GET"))
        template = str(connection.scope.get("path_template", ""))
        policy = table.get(policy_key(method, template))
        await check(connection, method, template, policy)

    return authorize


async def check(
    connection: ASGIConnection[Any, Any, Any, Any],
    method: str,
    template: str,
    policy: Policy | None,
) -> None:
    """Deny by default: no policy, no principal, wrong tenant, role or scope → refused."""
    if policy is None:
        log.error("route without a policy refused: %s %s", method, template)
        raise Forbidden(
            "Chức năng này chưa được cấp quyền cho ai", "no access policy is defined for this route"
        )
    if policy.public:
        return
    if policy.operator:
        check_operator(connection)
        return
    principal = connection.scope.get(PRINCIPAL_KEY)
    tenant = connection.path_params.get("tenant")
    if not isinstance(principal, Principal):
        reason = connection.scope.get(AUTH_ERROR_KEY)
        if isinstance(reason, Unauthenticated):
            raise reason
        raise Unauthenticated("Cần đăng nhập", "authentication required")
    if tenant is None or principal.tenant != tenant:
        raise Forbidden("Không có quyền với tỉnh này", "this token is not for this tenant")
    if Role(principal.role) not in policy.roles:
        raise Forbidden(
            "Vai trò của bạn không được phép thực hiện việc này",
            "your role may not do this",
            role=principal.role,
        )
    if principal.scope_unit_id is None:
        return  # tenant-wide principal
    if not policy.units:
        if policy.own_data or policy.province_rules:
            return
        raise outside_scope()
    touch = Touch(
        path=connection.path_params,
        body=await body_of(connection),
        query=dict(connection.query_params),
    )
    container = container_of(connection.app.state)
    app = await anyio.to_thread.run_sync(container.applications.get, tenant)
    await anyio.to_thread.run_sync(check_scope, app, policy, touch, principal)


OPERATOR_HEADER = "x-chibo-operator-token"


def check_operator(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """The operator's secret (``CHIBO_OPERATOR_TOKEN``); no secret configured: API disabled."""
    given = connection.headers.get(OPERATOR_HEADER, "")
    if not given:
        raise Unauthenticated(
            "Cần mã quản trị viên hệ thống (X-Chibo-Operator-Token)",
            "the operator token (X-Chibo-Operator-Token header) is required",
        )
    expected = container_of(connection.app.state).settings.operator_token
    if not expected:
        raise Forbidden(
            "API quản trị liên tỉnh đang tắt; đặt CHIBO_OPERATOR_TOKEN hoặc dùng `chibo tenant create`",
            "the cross-province admin API is disabled; set CHIBO_OPERATOR_TOKEN "
            "or use `chibo tenant create`",
        )
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthenticated("Mã quản trị viên hệ thống sai", "the operator token is wrong")


async def body_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Mapping[str, Any]:
    """The JSON body as a mapping (cached by Litestar, so the handler reads it again)."""

    if connection.scope.get("method", "GET") in ("GET", "HEAD", "OPTIONS"):
        return {}
    # An upload (a file, a multipart form) is streamed by its handler: reading it here would
    # hold it whole in memory and then fail as "not JSON". Only JSON bodies name units.
    content_type = connection.headers.get("content-type", "")
    if content_type and "json" not in content_type.lower():
        return {}
    # For HTTP routes Litestar passes the Request itself, whose body() caches for the handler.
    request = (
        connection
        if isinstance(connection, Request)
        else Request(connection.scope, connection.receive)
    )
    if not request.headers.get("content-type", "application/json").startswith("application/json"):
        return {}  # a page's form: its policies name units by path, never by body
    raw = await request.body()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise InvalidValue("Nội dung gửi lên không phải JSON", "the body is not JSON") from error
    return value if isinstance(value, dict) else {}
