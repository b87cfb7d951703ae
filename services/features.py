"""Every HTTP route of the API, collected in one list (one entry per routes module).

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

FEATURES: tuple[Any, ...] = (
    meta,
    tenants,
    tenant_settings,
    membership,
    identity,
    meetings,
    admissions,
    membership_lifecycle,
    supervision,
    views,
    audit,
    documents,
    report_routes,
    job_routes,
    audit_docs,
    collections,
    quality_year,
    apidocs,
    imports,
    papers,
    notices,
    notice_inbox,
    notice_feed,
)
"""The modules whose ``ROUTES`` make the API, in the order the document lists them."""


def route_handlers() -> list[Any]:
    return [route for feature in FEATURES for route in feature.ROUTES]
