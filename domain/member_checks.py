"""Checks shared by the steps of a member's lifecycle (``domain.lifecycle``,
``domain.special_duty``, ``domain.temporary_transfer``): each step is
recorded by a role with standing for it, on a member still on the roll.
"""

from __future__ import annotations

from domain.admission_checks import require_role
from domain.base import Actor
from domain.member import Member


def step_on_active_member(
    member: Member, by: Actor, roles: frozenset[str], step_vi: str, step_en: str
) -> None:
    """The role first (a refusal names the missing standing), then the member's state."""
    require_role(by, roles, step_vi, step_en)
    member.check_active()
