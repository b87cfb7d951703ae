"""Provinces (tenants): provisioning through the admin API, and the list of provinces."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import msgspec
from litestar import Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody

from infra.tenancy import list_tenants
from services.context import container_of


class ProvisionTenant(msgspec.Struct, forbid_unknown_fields=True):
    slug: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TenantView(msgspec.Struct):
    slug: str
    name: str


@post(
    "/api/v1/tenants",
    summary="Tạo tỉnh / provision a province",
    responses={
        200: ResponseSpec(TenantView, description="Tỉnh đã có / the province already existed")
    },
)
async def provision_tenant(
    request: Request[Any, Any, Any], data: JSONBody[ProvisionTenant]
) -> Response[TenantView]:
    container = container_of(request.app.state)
    tenant, created = await anyio.to_thread.run_sync(container.provision, data.slug, data.name)
    # 201 the first time, 200 when it already existed: provisioning twice is harmless.
    return Response(TenantView(tenant.slug, tenant.name), status_code=201 if created else 200)


@get("/api/v1/tenants", sync_to_thread=True, summary="Danh sách tỉnh / list provinces")
def get_tenants(request: Request[Any, Any, Any]) -> list[TenantView]:
    database = container_of(request.app.state).database
    return [TenantView(t.slug, t.name) for t in list_tenants(database)]


ROUTES: list[Any] = [provision_tenant, get_tenants]
