"""Every HTTP route of the API, collected in one list (one line per feature package).

Each feature package under ``services/`` holds its commands, ``routes.py``, ``schemas.py``
(wire types) and ``policies.py`` (who may call each route, joined in :mod:`services.policies`).
"""

from __future__ import annotations

from typing import Any

from services import meta
from services.admissions import routes as admissions
from services.apidocs import swagger as apidocs
from services.audit import routes as audit
from services.documents import audit_docs, job_routes, report_routes
from services.documents import routes as documents
from services.identity import routes as identity
from services.imports import routes as imports
from services.meetings import routes as meetings
from services.membership import lifecycle_routes as membership_lifecycle
from services.membership import routes as membership
from services.notices import feed as notice_feed
from services.notices import inbox as notice_inbox
from services.notices import routes as notices
from services.papers import routes as papers
from services.supervision import routes as supervision
from services.tenants import routes as tenants
from services.tenants import settings_routes as tenant_settings
from services.views import collections, quality_year
from services.views import routes as views


def route_handlers() -> list[Any]:
    routes: list[Any] = []
    routes += meta.ROUTES
    routes += tenants.ROUTES + tenant_settings.ROUTES
    routes += membership.ROUTES
    routes += identity.ROUTES
    routes += meetings.ROUTES
    routes += admissions.ROUTES
    routes += membership_lifecycle.ROUTES
    routes += supervision.ROUTES
    routes += views.ROUTES
    routes += audit.ROUTES
    routes += documents.ROUTES + report_routes.ROUTES + job_routes.ROUTES + audit_docs.ROUTES
    routes += collections.ROUTES + quality_year.ROUTES
    routes += apidocs.ROUTES
    routes += imports.ROUTES
    routes += papers.ROUTES
    routes += notices.ROUTES
    routes += notice_inbox.ROUTES
    routes += notice_feed.ROUTES
    return routes
