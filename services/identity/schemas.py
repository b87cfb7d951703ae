"""Wire types for sign-in (đăng nhập), tokens and user accounts (tài khoản)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.user import Role

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class Login(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password


class Refresh(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TokenPair(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_at: datetime
    token_type: str = "Bearer"  # noqa: S105 — the scheme name, not a secret


class Me(msgspec.Struct):
    user_id: str
    tenant: str
    role: str
    scope_unit_id: UUID | None
    member_id: UUID | None
    username: str | None
    display_name: str | None


class CreateUser(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password
    role: Role
    scope_unit_id: UUID | None = None
    member_id: UUID | None = None
    display_name: Annotated[str, msgspec.Meta(max_length=200)] = ""


class GrantRole(msgspec.Struct, forbid_unknown_fields=True):
    role: Role
    scope_unit_id: UUID | None = None
    member_id: UUID | None = None


class UserView(msgspec.Struct):
    """Never carries a password hash."""

    id: UUID
    username: str
    display_name: str
    role: Role
    scope_unit_id: UUID | None
    member_id: UUID | None
    locked: bool
    version: int
    position: int
