"""Background jobs and tenancy: a dramatiq message acts inside its own tenant only.

Every message carries its tenant slug. An actor calls :func:`job_context` first and uses only
the application and the actor it returns; :func:`check_job_tenant` refuses an application of
another tenant (e.g. one reached through a cache or a closure by mistake).
"""

from __future__ import annotations

from domain.base import Actor
from infra.application import TenantApplication
from infra.tenancy import check_slug, schema_for
from services.bootstrap import Container
from services.errors import Forbidden


class JobOutsideTenant(Forbidden):
    code = "job_outside_tenant"


def job_context(
    container: Container, tenant: str, job: str, message_id: str
) -> tuple[TenantApplication, Actor]:
    """For dramatiq actors: the application of exactly the message's tenant, and the actor.

    Every message carries its tenant; a worker calls this first and uses only what it returns.
    """
    check_slug(tenant)
    app = container.applications.get(tenant)
    check_job_tenant(tenant, app)
    return app, Actor(f"job:{job}", "system", f"message:{message_id}")


def check_job_tenant(tenant: str, app: TenantApplication) -> None:
    """Refuse a job that would act on an application of another tenant than its message's."""
    if app.slug != tenant or app.schema != schema_for(tenant):
        raise JobOutsideTenant(
            "Tác vụ nền không được thao tác ngoài tỉnh của nó",
            "a background job cannot act outside its tenant",
            tenant=tenant,
        )
