"""What the pages read, after the policy guard has let the request through: names, not ids.

Reads come from the write model (current to the last write, so the page shown after a save
has it) except lists over many records, which come from the read side's projection tables.
Every function here runs in a worker thread; none of them decides who may see what.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.member import Member
from domain.org_unit import Level, OrgUnit
from infra.application import TenantApplication
from services.membership.org import find, load_many
from services.web.render import Crumb

MAX_DEPTH = 16


def aggregate(app: TenantApplication, aggregate_id: UUID | None, kind: type[Any]) -> Any:
    return None if aggregate_id is None else find(app, kind, aggregate_id)


def unit_chain(app: TenantApplication, unit_id: UUID) -> list[OrgUnit]:
    """The unit and its ancestors, root first (Tỉnh › Đảng ủy xã › Chi bộ)."""
    chain: list[OrgUnit] = []
    current: UUID | None = unit_id
    for _ in range(MAX_DEPTH):
        unit = aggregate(app, current, OrgUnit)
        if unit is None:
            break
        chain.append(unit)
        current = unit.parent_id
    return list(reversed(chain))


def crumbs(app: TenantApplication, tenant: str, unit_id: UUID, *extra: Crumb) -> list[Crumb]:
    trail = [
        Crumb(u.name, f"/t/{tenant}/units/{u.id}/members" if u.level is Level.CELL else None)
        for u in unit_chain(app, unit_id)
    ]
    return trail + list(extra)


def member_names(app: TenantApplication, ids: list[UUID]) -> dict[UUID, str]:
    found = load_many(app, Member, ids)
    return {m: member.full_name if member else "(không rõ tên)" for m, member in found.items()}


ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
"""The Vietnamese alphabet's order: Đ after D, Ư after U, not after Z as in Unicode."""
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
"""Tone order in dictionaries: ngang, huyền, hỏi, ngã, sắc, nặng (a second key)."""
SHAPES = frozenset("\u0306\u0302\u031b")  # breve (ă), circumflex (â ê ô), horn (ơ ư)


def vi_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key for Vietnamese words: letters first, tones to break ties."""
    letters: list[int] = []
    tones: list[int] = []
    for char in text.casefold():
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", parts[0] + "".join(c for c in parts[1:] if c in SHAPES))
        tone = next((c for c in parts[1:] if c in TONES), "")
        rank = ALPHABET.find(base)
        letters.append(rank if rank >= 0 else 100 + ord(base[0]))
        tones.append(TONES.index(tone))
    return tuple(letters), tuple(tones)


def name_key(name: str) -> tuple[Any, ...]:
    """Vietnamese lists are ordered by given name (tên), then by the whole name."""
    words = name.split() or [""]
    return vi_key(words[-1]), vi_key(name)


def by_given_name(names: dict[UUID, str]) -> list[UUID]:
    return sorted(names, key=lambda m: name_key(names[m]))


@dataclass(frozen=True)
class MemberRow:
    id: UUID
    name: str
    status: str
    exempted: bool
    suspended: bool
    birth_date: date | None
    admitted_on: date | None
    official_on: date | None
    away_since: date | None = None
    """Sinh hoạt tạm thời ở chi bộ khác từ ngày (on the roll here, active elsewhere)."""
    temporary_since: date | None = None
    """Đảng viên chi bộ khác sinh hoạt tạm thời ở đây từ ngày (listed, no vote here)."""
    duty_since: date | None = None
    """Lực lượng vũ trang làm nhiệm vụ đặc biệt từ ngày."""
    exempted_from: date | None = None
    exempted_until: date | None = None
    """Miễn sinh hoạt: from the roster's day; the planned end, if any, from the member."""


def cell_members(
    app: TenantApplication, cell_id: UUID, on: date, with_temporary: bool = False
) -> list[MemberRow]:
    """The cell's members on ``on`` in Vietnamese order, each with the states she is in and the
    days they began; with ``with_temporary`` also the members of other cells active here."""
    from domain.base import SYSTEM
    from services.membership.org import load_roster

    roster = load_roster(app, cell_id, SYSTEM)
    standings = roster.members_on(on, with_temporary)
    found = load_many(app, Member, standings)
    rows = []
    for member_id, standing in standings.items():
        member = found[member_id]
        began = roster.began(member_id, on, standing)
        exemption = member.exemption if member and standing.exempted else None
        rows.append(
            MemberRow(
                member_id,
                member.full_name if member else "(không rõ tên)",
                standing.status.value,
                standing.exempted,
                standing.suspended,
                member.birth_date if member else None,
                member.admitted_on if member else None,
                member.official_on if member else None,
                began.get("transferred_out"),
                began.get("temporary"),
                began.get("special_duty"),
                began.get("exempted"),
                exemption[1] if exemption else None,
            )
        )
    return sorted(rows, key=lambda r: name_key(r.name))


def home_cell(app: TenantApplication, scope_unit_id: UUID | None) -> OrgUnit | None:
    """The secretary's own cell: her scope when it is a cell."""
    unit = aggregate(app, scope_unit_id, OrgUnit)
    return unit if unit is not None and unit.level is Level.CELL else None
