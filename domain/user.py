"""User accounts (tài khoản người dùng) of one province: role, scope, lock state, as events.

The account's history is part of the audit trail: who created it, who granted which role over
which part of the tree, when it was locked. Password hashes are *not* events (the log is
immutable and readable by auditors); they live in a credentials table the services layer owns,
and an event only records that the password changed.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import Enum
from uuid import UUID

from domain.base import Actor, ChiboAggregate
from domain.user_errors import AccountDisabled, InvalidUsername, MemberLinkRequired, ScopeRequired


class Role(str, Enum):
    """What a user may do; where is their scope (an org unit and its subtree)."""

    TENANT_ADMIN = "tenant_admin"  # quản trị hệ thống của tỉnh
    SECRETARY = "secretary"  # bí thư / văn phòng chi bộ: ghi cho chi bộ của mình
    SUPERIOR_MEMBER = "superior_member"  # cấp ủy viên cấp trên: đọc cây con, báo cáo dự họp
    INSPECTOR = "inspector"  # ủy ban kiểm tra: đọc báo cáo cây con và nhật ký
    AUDITOR = "auditor"  # kiểm toán: chỉ đọc, toàn tỉnh, nhật ký và kiểm chứng
    MEMBER = "member"  # đảng viên: dữ liệu của mình và lịch chi bộ


ROLE_LABELS = {
    Role.TENANT_ADMIN: "quản trị tỉnh",
    Role.SECRETARY: "bí thư chi bộ",
    Role.SUPERIOR_MEMBER: "cấp ủy viên cấp trên",
    Role.INSPECTOR: "ủy ban kiểm tra",
    Role.AUDITOR: "kiểm toán viên",
    Role.MEMBER: "đảng viên",
}
"""Words a person reads for each role (refusals, audit sentences): never the code."""

TENANT_WIDE_ROLES = frozenset({Role.TENANT_ADMIN, Role.AUDITOR})
"""Roles that may be granted without a scope (the whole province)."""

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_ACCOUNT_NAMESPACE = UUID("8f0c2d56-0f4e-4a55-9b57-6c1f3c8f5a10")


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidUsername(
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang",
            "a username is 3–64 characters: a–z, digits, '.', '_' or '-', starting with a letter or digit",
            field="username",
        )
    return name


def account_id(username: str) -> UUID:
    """The account's id follows from its username, so the log itself keeps usernames unique."""
    return uuid.uuid5(_ACCOUNT_NAMESPACE, normalise_username(username))


def check_grant(role: Role, scope_unit_id: UUID | None, member_id: UUID | None) -> None:
    if scope_unit_id is None and role not in TENANT_WIDE_ROLES:
        raise ScopeRequired(
            f"Vai trò «{ROLE_LABELS[role]}» phải gắn với một tổ chức đảng (phạm vi)",
            f"role {role.value} needs a scope: an org unit",
            field="scope_unit_id",
        )
    if role is Role.MEMBER and member_id is None:
        raise MemberLinkRequired(
            "Tài khoản đảng viên phải gắn với hồ sơ đảng viên",
            "a member account must be linked to a member record",
            field="member_id",
        )


class UserAccount(ChiboAggregate):
    """A person who signs in to one province, with one role over one subtree."""

    class Opened(ChiboAggregate.Created):
        username: str
        display_name: str
        role: Role
        scope_unit_id: UUID | None
        member_id: UUID | None

    class RoleGranted(ChiboAggregate.Event):
        role: Role
        scope_unit_id: UUID | None
        member_id: UUID | None

        def apply(self, account: UserAccount) -> None:
            account.role = self.role
            account.scope_unit_id = self.scope_unit_id
            account.member_id = self.member_id

    class PasswordChanged(ChiboAggregate.Event):
        """Only the fact; the hash is kept outside the log."""

        def apply(self, account: UserAccount) -> None:
            account.credential_version += 1

    class Locked(ChiboAggregate.Event):
        reason: str
        until: datetime | None

        def apply(self, account: UserAccount) -> None:
            account.locked_until = self.until
            account.disabled = self.until is None

    class Unlocked(ChiboAggregate.Event):
        def apply(self, account: UserAccount) -> None:
            account.locked_until = None
            account.disabled = False

    def __init__(
        self,
        username: str,
        display_name: str,
        role: Role,
        scope_unit_id: UUID | None,
        member_id: UUID | None,
    ) -> None:
        self.username = username
        self.display_name = display_name
        self.role = role
        self.scope_unit_id = scope_unit_id
        self.member_id = member_id
        self.credential_version = 0
        self.locked_until: datetime | None = None
        self.disabled = False

    @classmethod
    def open(
        cls,
        username: str,
        display_name: str,
        role: Role,
        scope_unit_id: UUID | None,
        member_id: UUID | None,
        by: Actor,
    ) -> UserAccount:
        name = normalise_username(username)
        check_grant(role, scope_unit_id, member_id)
        shown = display_name.strip()[:200] or name
        return cls._found(
            cls.Opened,
            by,
            account_id(name),
            username=name,
            display_name=shown,
            role=role,
            scope_unit_id=scope_unit_id,
            member_id=member_id,
        )

    def grant(
        self, role: Role, scope_unit_id: UUID | None, member_id: UUID | None, by: Actor
    ) -> None:
        check_grant(role, scope_unit_id, member_id)
        self._record(
            self.RoleGranted, by, role=role, scope_unit_id=scope_unit_id, member_id=member_id
        )

    def password_changed(self, by: Actor) -> None:
        self._record(self.PasswordChanged, by)

    def lock(self, reason: str, until: datetime | None, by: Actor) -> None:
        """Lock until a time (after failed logins) or for good (``until`` is ``None``)."""
        self._record(self.Locked, by, reason=reason[:500], until=until)

    def unlock(self, by: Actor) -> None:
        if self.locked_until is None and not self.disabled:
            return
        self._record(self.Unlocked, by)

    def is_locked(self, now: datetime) -> bool:
        return self.disabled or (self.locked_until is not None and now < self.locked_until)

    def check_can_sign_in(self, now: datetime) -> None:
        if self.is_locked(now):
            raise AccountDisabled(
                "Tài khoản đang bị khóa; hãy thử lại sau hoặc liên hệ quản trị",
                "the account is locked; try again later or contact the administrator",
            )
