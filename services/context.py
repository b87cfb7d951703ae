"""Per-request context: the tenant and the principal, resolved in one place for every route.

Route handlers receive a :class:`RequestContext` by dependency injection; they never read the
tenant from a global or the actor from the request body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias
from uuid import UUID, uuid4

import anyio
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.base import Actor
from infra.application import TenantApplication
from services.bootstrap import Container
from services.errors import Unauthenticated


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user of one tenant, with a role and a scope (an org unit subtree)."""

    user_id: str
    role: str
    tenant: str
    scope_unit_id: UUID | None = None
    """``None``: the whole tenant."""
    member_id: UUID | None = None
    """The member record of a ``member`` account (their own data)."""


@dataclass(frozen=True, slots=True)
class RequestContext:
    app: TenantApplication
    principal: Principal
    request_id: str

    @property
    def actor(self) -> Actor:
        return Actor(self.principal.user_id, self.principal.role, self.request_id)


def container_of(state: State) -> Container:
    container: Container = state.container
    return container


REQUEST_ID_KEY = "chibo.request_id"
"""Where the request's id is kept once decided (``services.observability``): the events'
``request`` and the response's ``X-Request-ID`` are the same."""


def request_id_of(request: Request[Any, Any, Any]) -> str:
    decided = request.scope.get(REQUEST_ID_KEY)
    if isinstance(decided, str):
        return decided
    given = request.headers.get("x-request-id", "")
    # Accept a client's id only if it is short and printable; otherwise mint one.
    if given and len(given) <= 64 and given.isprintable():
        return given
    return str(uuid4())


PRINCIPAL_KEY = "chibo.principal"
"""Where the authentication middleware leaves the verified principal in the ASGI scope."""
AUTH_ERROR_KEY = "chibo.auth_error"
"""Why a presented token was refused (e.g. expired), for the guard's 401."""


def resolve_principal(request: Request[Any, Any, Any], tenant: str) -> Principal:
    """Who is calling: the principal verified from the bearer token (services.security).

    The policy guard has already refused requests without one; this re-checks the tenant so a
    handler can never receive another province's principal.
    """

    principal = request.scope.get(PRINCIPAL_KEY)
    if not isinstance(principal, Principal) or principal.tenant != tenant:
        raise Unauthenticated("Cần đăng nhập", "authentication required")
    return principal


async def provide_context(request: Request[Any, Any, Any], tenant: FromPath[str]) -> RequestContext:
    container = container_of(request.app.state)
    principal = resolve_principal(request, tenant)
    # The first use of a tenant reads the catalog and opens a pool: keep it off the event loop.
    app = await anyio.to_thread.run_sync(container.applications.get, tenant)
    return RequestContext(app=app, principal=principal, request_id=request_id_of(request))


Ctx: TypeAlias = NamedDependency[RequestContext]
"""Annotate a handler's ``ctx`` parameter with this to receive the request context."""
