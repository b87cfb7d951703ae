"""The route policy table: every route of the API, by method and path template.

Each feature package owns its routes' policies (``services/<feature>/policies.py``); this module
joins them, one line per feature. A route missing here is refused at run time (deny by default,
:func:`services.security.guard.guard`) and fails ``tests/e2e/test_authorization_matrix.py``.
Auditors and inspectors never appear on a write (the matrix test checks that too).
"""

from __future__ import annotations

from services import meta
from services.admissions import policies as admissions
from services.apidocs import policies as apidocs
from services.audit import policies as audit
from services.documents import policies as documents
from services.identity import policies as identity
from services.imports import policies as imports
from services.meetings import policies as meetings
from services.membership import policies as membership
from services.notices import policies as notices
from services.papers import policies as papers
from services.security.policy import Policy, PolicyTable, policy_key
from services.supervision import policies as supervision
from services.tenants import policies as tenants
from services.views import policies as views
from services.web import policies as web
from services.web.policies_roles import role_page_policies

FEATURE_TABLES: tuple[PolicyTable, ...] = (
    meta.POLICIES,
    apidocs.POLICIES,
    tenants.POLICIES,
    identity.POLICIES,
    membership.POLICIES,
    meetings.POLICIES,
    admissions.POLICIES,
    supervision.POLICIES,
    views.POLICIES,
    audit.POLICIES,
    documents.POLICIES,
    imports.POLICIES,
    papers.POLICIES,
    notices.POLICIES,
)


def joined(tables: tuple[PolicyTable, ...]) -> dict[tuple[str, str], Policy]:
    """One table; a route claimed by two features is a mistake, refused at import."""
    table: dict[tuple[str, str], Policy] = {}
    for part in tables:
        twice = table.keys() & part.keys()
        if twice:
            raise ValueError(f"routes with two policies: {sorted(twice)}")
        table.update(part)
    return table


API_POLICIES = joined(FEATURE_TABLES)
# The pages reuse the policies of the API routes they show (services/web/policies.py and,
# for the supervision, audit and member pages, services/web/policies_roles.py).
POLICIES = joined((API_POLICIES, web.page_policies(API_POLICIES), role_page_policies(API_POLICIES)))


def policy_for(method: str, path_template: str) -> Policy | None:
    return POLICIES.get(policy_key(method, path_template))
