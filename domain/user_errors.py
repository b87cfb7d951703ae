"""Account refusals (tài khoản người dùng) of ``domain.user``, by stable code."""

from __future__ import annotations

from domain.base import InvalidValue, RuleViolated, StateConflict


class InvalidUsername(InvalidValue):
    code = "invalid_username"


class ScopeRequired(RuleViolated):
    code = "scope_required"


class MemberLinkRequired(RuleViolated):
    code = "member_link_required"


class AccountDisabled(StateConflict):
    code = "account_disabled"
