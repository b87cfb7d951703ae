"""Every HTTP route of the API, collected in one list (one import per feature module)."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    # One import and one line per feature module, so features register without conflicts.
    from services.apidocs import swagger
    from services.routes import (
        admissions,
        audit,
        auth,
        collections,
        meetings,
        membership,
        meta,
        org,
        supervision,
        tenants,
        views,
    )

    routes: list[Any] = []
    routes += meta.ROUTES
    routes += tenants.ROUTES
    routes += org.ROUTES
    routes += auth.ROUTES
    routes += meetings.ROUTES
    routes += admissions.ROUTES
    routes += membership.ROUTES
    routes += supervision.ROUTES
    routes += views.ROUTES
    routes += audit.ROUTES
    routes += collections.ROUTES
    routes += swagger.ROUTES
    return routes
