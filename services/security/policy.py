"""The policy mechanism: which roles may call a route, and which org unit the request touches.

Each feature's ``policies.py`` writes its table with what is here (roles, :func:`allow`, the
unit finders). One guard (:func:`services.security.guard.guard`) runs before every route
handler of the application. It finds the route's :class:`Policy` in the table it is given (the
app passes :data:`services.policies.POLICIES`, collected from every feature's ``policies.py``)
by method and path template; a route with no policy is refused. Then: a verified principal of
the route's tenant, a role the policy allows, and every org unit the request touches inside
the principal's scope (their unit and its subtree, :func:`check_scope`). Handlers never check
roles themselves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.base import InvalidValue, NotFound
from domain.member import Member
from domain.org_unit import OrgUnit
from domain.user import Role
from infra.application import TenantApplication
from services.context import Principal
from services.errors import Forbidden

ALL_ROLES = frozenset(Role)
T = "/api/v1/t/{tenant}"
"""Every tenant route starts here; the features' policy tables are keyed by full templates."""

ADMIN = Role.TENANT_ADMIN
SECRETARY = Role.SECRETARY
SUPERIOR = Role.SUPERIOR_MEMBER
INSPECTOR = Role.INSPECTOR
AUDITOR = Role.AUDITOR
MEMBER = Role.MEMBER

READERS = (ADMIN, SECRETARY, SUPERIOR, INSPECTOR, AUDITOR)
"""Everyone who reads the records of their subtree (members see only their own)."""
WRITERS = (ADMIN, SECRETARY)
"""Who records a cell's activity: the administrator and the secretaries of the subtree."""

PolicyTable = Mapping[tuple[str, str], "Policy"]
"""(method, path template) → policy; each feature package has one, :mod:`services.policies`
joins them."""
READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.INSPECTOR})
MAX_TREE_DEPTH = 16
"""Far deeper than any real tree; stops a corrupted parent chain from looping."""


# -- where the touched org unit is ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Touch:
    """What a request touches, as read from the request before the handler runs."""

    path: Mapping[str, Any]
    body: Mapping[str, Any]
    query: Mapping[str, str]


UnitFinder = Callable[[TenantApplication, Touch, Principal], "list[UUID | None]"]


def unit_in_path(param: str) -> UnitFinder:
    """The path parameter names an org unit."""

    def find(_: TenantApplication, touch: Touch, __: Principal) -> list[UUID | None]:
        return [as_uuid(touch.path.get(param), param)]

    find.__qualname__ = f"unit_in_path({param!r})"
    return find


def unit_in_body(field_name: str, required: bool = True) -> UnitFinder:
    """A body field names an org unit; ``None`` (e.g. a root unit) needs a tenant-wide scope."""

    def find(_: TenantApplication, touch: Touch, __: Principal) -> list[UUID | None]:
        value = touch.body.get(field_name)
        if value is None and not required:
            return [None]
        return [as_uuid(value, field_name)]

    find.__qualname__ = f"unit_in_body({field_name!r})"
    return find


def unit_in_query(param: str, required: bool = True, default_to_scope: bool = False) -> UnitFinder:
    """A query parameter names an org unit.

    Absent and optional: the whole tenant (so a scoped principal is refused), or, with
    ``default_to_scope``, the principal's own scope unit, for handlers that default to it.
    """

    def find(_: TenantApplication, touch: Touch, principal: Principal) -> list[UUID | None]:
        value = touch.query.get(param)
        if value is None and default_to_scope:
            return [principal.scope_unit_id]
        if value is None and not required:
            return [None]
        return [as_uuid(value, param)]

    find.__qualname__ = f"unit_in_query({param!r})"
    return find


def unit_of_aggregate(param: str, kind: type[Any], attribute: str = "cell_id") -> UnitFinder:
    """The path names an aggregate of ``kind`` (a meeting, a case…) whose ``attribute`` is its unit."""
    name = f"unit_of_aggregate({param!r}, {kind.__name__}, {attribute!r})"
    return aggregate_finder("path", param, kind, attribute, name)


def aggregate_in_body(field_name: str, kind: type[Any], attribute: str = "cell_id") -> UnitFinder:
    """A body field names an aggregate of ``kind`` whose ``attribute`` is its unit."""
    name = f"aggregate_in_body({field_name!r}, {kind.__name__}, {attribute!r})"
    return aggregate_finder("body", field_name, kind, attribute, name)


def aggregate_finder(
    part: str, key: str, kind: type[Any], attribute: str, qualname: str
) -> UnitFinder:
    """The unit of the ``kind`` aggregate whose id stands at ``key`` in the touch's ``part``
    (``path`` or ``body``); ``qualname`` names the finder in the route matrix."""

    def find(app: TenantApplication, touch: Touch, __: Principal) -> list[UUID | None]:
        aggregate = load(app, as_uuid(getattr(touch, part).get(key), key), kind)
        return [as_uuid(getattr(aggregate, attribute), attribute)]

    find.__qualname__ = qualname
    return find


RECORD_UNIT_FIELDS = ("cell_id", "committee_id", "scope_unit_id")
"""Where a record of any kind sits: a meeting's or member's cell, a plan's committee, a user's
scope; an org unit is its own place. A record with none of them is tenant-wide."""
OWNER_FIELDS = ("meeting_id", "member_id", "holder")


def unit_of_record(param: str) -> UnitFinder:
    """The path names a record of any kind (its history): the unit it sits in today."""

    def find(app: TenantApplication, touch: Touch, __: Principal) -> list[UUID | None]:
        record = load(app, as_uuid(touch.path.get(param), param))
        if isinstance(record, OrgUnit):
            return [record.id]
        for name in RECORD_UNIT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                return [as_uuid(value, name)]
        for name in OWNER_FIELDS:  # a meeting's document, a member's card: where its owner sits
            owner = getattr(record, name, None)
            if owner is not None:
                value = getattr(load(app, as_uuid(owner, name)), "cell_id", None)
                return [None if value is None else as_uuid(value, "cell_id")]
        return [None]  # no unit: only a tenant-wide principal reads it

    find.__qualname__ = f"unit_of_record({param!r})"
    return find


def parent_of(finder: UnitFinder) -> UnitFinder:
    """The unit *above* the one found: decisions a cell cannot take about itself."""

    def find(app: TenantApplication, touch: Touch, principal: Principal) -> list[UUID | None]:
        parents: list[UUID | None] = []
        for unit_id in finder(app, touch, principal):
            parents.append(None if unit_id is None else load(app, unit_id, OrgUnit).parent_id)
        return parents

    find.__qualname__ = f"parent_of({finder.__qualname__})"
    return find


def member_in_path(param: str = "member_id") -> UnitFinder:
    """A member's record: their own account may read it; others need the member's cell."""

    def find(app: TenantApplication, touch: Touch, principal: Principal) -> list[UUID | None]:
        member_id = as_uuid(touch.path.get(param), param)
        if principal.role == Role.MEMBER.value and principal.member_id != member_id:
            raise outside_scope()
        member = load(app, member_id, Member)
        return [as_uuid(member.cell_id, "cell_id")]

    find.__qualname__ = f"member_in_path({param!r})"
    return find


def members_own_cell(finder: UnitFinder) -> UnitFinder:
    """As ``finder``; a member's account may touch only the cell her record is in today."""

    def find(app: TenantApplication, touch: Touch, principal: Principal) -> list[UUID | None]:
        from domain.member import Member

        units = finder(app, touch, principal)
        if principal.role == Role.MEMBER.value:
            if principal.member_id is None:
                raise outside_scope()
            cell = load(app, principal.member_id, Member).cell_id
            if any(unit_id != cell for unit_id in units):
                raise outside_scope()
        return units

    find.__qualname__ = f"members_own_cell({finder.__qualname__})"
    return find


# -- the policy -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Policy:
    """Who may call a route. ``units`` find the org units touched; all must be in scope.

    No ``units`` means the route touches the whole tenant: only principals without a scope
    (tenant-wide) may call it, unless ``own_data`` says it returns only the caller's data, or
    ``province_rules`` says it returns the province's own rules (quy định của tỉnh): the same for
    every account, no unit's data, so a scoped secretary may read what she is judged by.
    """

    roles: frozenset[Role] = frozenset()
    units: tuple[UnitFinder, ...] = ()
    public: bool = False
    own_data: bool = False
    province_rules: bool = False
    operator: bool = False
    note: str = field(default="", compare=False)

    @classmethod
    def open_to_all(cls, note: str) -> Policy:
        """No token needed (health, login). Keep this list short."""
        return cls(public=True, note=note)

    @classmethod
    def for_operator(cls, note: str) -> Policy:
        """Cross-province administration: the platform operator's secret, not a user token."""
        return cls(operator=True, note=note)

    @classmethod
    def refused(cls, note: str) -> Policy:
        """Nobody over HTTP (e.g. provisioning, done from the command line)."""
        return cls(roles=frozenset(), note=note)


def allow(
    *roles: Role,
    units: tuple[UnitFinder, ...] = (),
    own_data: bool = False,
    province_rules: bool = False,
) -> Policy:
    return Policy(
        roles=frozenset(roles), units=units, own_data=own_data, province_rules=province_rules
    )


# -- the scope check (the guard, ``services.security.guard``, runs it) -----------------------


def policy_key(method: str, path_template: str) -> tuple[str, str]:
    return method.upper(), path_template


def check_scope(app: TenantApplication, policy: Policy, touch: Touch, principal: Principal) -> None:
    assert principal.scope_unit_id is not None
    for finder in policy.units:
        for unit_id in finder(app, touch, principal):
            if unit_id is None or not is_within(app, unit_id, principal.scope_unit_id):
                raise outside_scope()


def is_within(app: TenantApplication, unit_id: UUID, scope_unit_id: UUID) -> bool:
    """Whether ``unit_id`` is ``scope_unit_id`` or below it, walking the write model's parents.

    The write model is always current (a unit founded a moment ago is found); the closure
    table of the read side can replace this walk once every route reads through it.
    """
    current: UUID | None = unit_id
    for _ in range(MAX_TREE_DEPTH):
        if current is None:
            return False
        if current == scope_unit_id:
            return True
        try:
            unit = load(app, current, OrgUnit)
        except NotFound:
            if current == unit_id:
                raise  # the unit the request names does not exist
            return False
        current = unit.parent_id
    return False


def load(app: TenantApplication, aggregate_id: UUID, kind: type[Any] = object) -> Any:
    """The aggregate, which must be a ``kind``: an id of another kind is simply not found."""
    aggregate: object = None
    with contextlib.suppress(AggregateNotFoundError):
        aggregate = app.repository.get(aggregate_id)
    if aggregate is None or not isinstance(aggregate, kind):
        raise NotFound("Không tìm thấy bản ghi", "no such record", id=str(aggregate_id))
    return aggregate


def as_uuid(value: Any, name: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError as error:
        raise InvalidValue(
            f"«{name}» phải là một mã định danh (UUID)", f"{name} must be a UUID", field=name
        ) from error


def outside_scope() -> Forbidden:
    return Forbidden(
        "Nằm ngoài phạm vi tổ chức bạn được giao", "outside the part of the tree you are assigned"
    )
