"""Helpers for the page tests: a cell with members and a secretary account, and form posts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.base import SYSTEM
from domain.member import MemberStatus
from domain.user import Role
from infra.application import TenantApplication
from services.identity import auth
from services.membership import org
from tests.e2e.auth_helpers import PASSWORD, Tree, build_tree

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]+)"')


@dataclass
class Cell:
    tree: Tree
    members: list[UUID]
    names: list[str]
    official: int


GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hùng", "Khánh", "Lan", "Long", "Mai")


def enrol_member(app: TenantApplication, cell_id: UUID, name: str, official: bool) -> UUID:
    """A member enrolled in the cell: official since 2011, or probationary since October 2022;
    the member's id."""
    member, _ = org.enrol_member(
        app,
        SYSTEM,
        full_name=name,
        birth_date=date(1985, 5, 1),
        gender="nam",
        cell_id=cell_id,
        status=MemberStatus.OFFICIAL if official else MemberStatus.PROBATIONARY,
        admitted_on=date(2010, 3, 2) if official else date(2022, 10, 15),
        official_on=date(2011, 3, 2) if official else None,
        joined_cell_on=date(2015, 1, 1) if official else date(2022, 10, 15),
    )
    return member.id


def build_cell(app: TenantApplication, officials: int = 5, probationary: int = 1) -> Cell:
    tree = build_tree(app)
    members, names = [], []
    for index in range(officials + probationary):
        official = index < officials
        name = f"Nguyễn Văn {GIVEN[index % len(GIVEN)]} {index + 1}"
        members.append(enrol_member(app, tree.cell_a, name, official))
        names.append(name)
    return Cell(tree, members, names, officials)


def make_user(app: TenantApplication, username: str, role: Role, scope: UUID | None) -> None:
    auth.create_user(
        app,
        SYSTEM,
        username=username,
        password=PASSWORD,
        role=role,
        scope_unit_id=scope,
        display_name=username.title(),
    )


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: Any, tenant: str, username: str, password: str = PASSWORD) -> Any:
    page = client.get(f"/?tinh={tenant}")
    return client.post(
        "/login",
        data={
            "csrf_token": csrf_of(page.text),
            "tenant": tenant,
            "username": username,
            "password": password,
        },
        follow_redirects=False,
    )


@contextmanager
def secretary_signed_in(container: Any, app: TenantApplication, slug: str) -> Iterator[Any]:
    """A cell of five official members and a probationary one, its secretary (bí thư,
    ``bithu``) signed in to the pages: (the client, the cell)."""
    from litestar.testing import TestClient

    from services.app import create_app

    cell = build_cell(app, officials=5, probationary=1)
    make_user(app, "bithu", Role.SECRETARY, cell.tree.cell_a)
    with TestClient(create_app(container)) as client:
        assert sign_in(client, slug, "bithu").status_code == 303
        yield client, cell
