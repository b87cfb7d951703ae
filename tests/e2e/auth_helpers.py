"""Helpers for the security tests: accounts, tokens and a small org tree in a test tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from domain.user import Role
from infra.application import TenantApplication
from services.bootstrap import Container
from services.context import Principal
from services.identity.tokens import TokenSigner, load_master_secret

PASSWORD = "đúng-mật-khẩu-2025"


@dataclass(frozen=True)
class Tree:
    """Province → committees A and B → one cell each: A's people must not reach B's cell."""

    root: UUID
    committee_a: UUID
    cell_a: UUID
    committee_b: UUID
    cell_b: UUID


PROVINCE_ROOT = {"name": "Đảng bộ tỉnh", "level": "province", "founded_on": "2020-01-01"}
"""The request body that founds a province's root unit (Đảng bộ tỉnh) over the API."""


def found_root(client: Any, base: str, **request: Any) -> Any:
    """POST :data:`PROVINCE_ROOT` to ``{base}/units``; the response."""
    return client.post(f"{base}/units", json=PROVINCE_ROOT, **request)


def build_tree(app: TenantApplication) -> Tree:
    day = date(2020, 1, 1)
    root = OrgUnit.found(uuid4(), "Đảng bộ tỉnh Thử", Level.PROVINCE, None, day, SYSTEM)
    a = OrgUnit.found(uuid4(), "Đảng ủy xã An", Level.DIRECT, root, day, SYSTEM)
    a_g = OrgUnit.found(
        uuid4(), "Đảng bộ các thôn xã An", Level.GRASSROOTS_COMMITTEE, a, day, SYSTEM
    )
    cell_a = OrgUnit.found(uuid4(), "Chi bộ thôn Một", Level.CELL, a_g, day, SYSTEM)
    b = OrgUnit.found(uuid4(), "Đảng ủy xã Bình", Level.DIRECT, root, day, SYSTEM)
    b_g = OrgUnit.found(
        uuid4(), "Đảng bộ các thôn xã Bình", Level.GRASSROOTS_COMMITTEE, b, day, SYSTEM
    )
    cell_b = OrgUnit.found(uuid4(), "Chi bộ thôn Hai", Level.CELL, b_g, day, SYSTEM)
    app.save_all(root, a, a_g, cell_a, b, b_g, cell_b)
    return Tree(root.id, a.id, cell_a.id, b.id, cell_b.id)


def signer(container: Container) -> TokenSigner:
    return TokenSigner(load_master_secret(container.settings))


def token(
    container: Container,
    tenant: str,
    role: Role,
    scope: UUID | None = None,
    member_id: UUID | None = None,
    user_id: str | None = None,
    now: datetime | None = None,
) -> str:
    principal = Principal(
        user_id=user_id or f"test-{role.value}",
        role=role.value,
        tenant=tenant,
        scope_unit_id=scope,
        member_id=member_id,
    )
    issued, _ = signer(container).issue(principal, now)
    return issued


def expired_token(container: Container, tenant: str, role: Role = Role.TENANT_ADMIN) -> str:
    return token(container, tenant, role, now=datetime.now(UTC) - timedelta(hours=1))


def bearer(value: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {value}"}
