"""Per-request context: the tenant and the principal, resolved in one place for every route.

Route handlers receive a :class:`RequestContext` by dependency injection; they never read the
tenant from a global or the actor from the request body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import anyio
from litestar import Request
from litestar.datastructures import State

from domain.base import Actor
from infra.application import TenantApplication
from infra.bootstrap import Container


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user of one tenant, with a role and a scope (an org unit subtree)."""

    user_id: str
    role: str
    tenant: str
    scope_unit_id: UUID | None = None
    """``None``: the whole tenant."""


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


def request_id_of(request: Request[Any, Any, Any]) -> str:
    given = request.headers.get("x-request-id", "")
    # Accept a client's id only if it is short and printable; otherwise mint one.
    if given and len(given) <= 64 and given.isprintable():
        return given
    return str(uuid4())


def resolve_principal(request: Request[Any, Any, Any], tenant: str) -> Principal:
    """Who is calling. Replaced by token authentication in services.auth when wired."""
    resolver = getattr(request.app.state, "principal_resolver", None)
    if resolver is not None:
        principal: Principal = resolver(request, tenant)
        return principal
    return Principal(user_id="demo-admin", role="tenant_admin", tenant=tenant)


async def provide_context(request: Request[Any, Any, Any], tenant: str) -> RequestContext:
    container = container_of(request.app.state)
    principal = resolve_principal(request, tenant)
    # The first use of a tenant reads the catalog and opens a pool: keep it off the event loop.
    app = await anyio.to_thread.run_sync(container.applications.get, tenant)
    return RequestContext(app=app, principal=principal, request_id=request_id_of(request))
