"""Application services for organisation units and members: load, decide, save, return.

Commands touching several aggregates (a member and the rosters of the cells concerned, a unit
and its parents) save them in one transaction, so the log never holds half a change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from domain.base import Actor, ChiboAggregate, NotFound
from domain.member import DepartureReason, Member, MemberStatus
from domain.org_unit import MeetingWindow, OrgUnit
from domain.province import Province, ProvinceSettings, province_id
from domain.roster import CellRoster, Change, roster_id
from infra.application import TenantApplication
from services.errors import StaleWrite

T = TypeVar("T", bound=ChiboAggregate)


class UnknownUnit(NotFound):
    code = "unknown_unit"


class UnknownMember(NotFound):
    code = "unknown_member"


def find(app: TenantApplication, kind: type[T], id: UUID) -> T | None:
    """The aggregate ``id`` if it exists and is a ``kind``; otherwise ``None``."""
    try:
        found: object = app.repository.get(id)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, kind) else None


def load(
    app: TenantApplication,
    kind: type[T],
    id: UUID,
    expected_version: int | None = None,
    *,
    missing: type[NotFound] | None = None,
    name: tuple[str, str] | None = None,
) -> T:
    """Load an aggregate of ``kind``; a wrong kind is 'not found' too, never a 500.

    ``missing`` is the rule's own exception and ``name`` its (Vietnamese, English) noun, so
    that every feature says "no meeting …" or "no admission case …" in the same way.
    """
    aggregate = find(app, kind, id)
    if aggregate is None:
        error = missing or (
            UnknownMember if kind is Member else UnknownUnit if kind is OrgUnit else NotFound
        )
        vi, en = name or (kind.__name__, kind.__name__)
        raise error(f"Không tìm thấy {vi} {id}", f"no {en} with id {id}", id=str(id))
    check_version(aggregate, expected_version)
    return aggregate


def changed(
    app: TenantApplication,
    kind: type[T],
    id: UUID,
    expected: int | None,
    decide: Callable[[T], object],
) -> tuple[T, int]:
    """Load one aggregate, let it decide, save it: the whole of a command that changes one."""
    aggregate = load(app, kind, id, expected)
    decide(aggregate)
    return aggregate, app.save_all(aggregate)


AT_ONCE = 4
"""Records one reader fetches at a time. A page naming a cell's thirty members waits on thirty
database round trips, not on the CPU; a few at once cut that wait, and no more than a few,
so one page does not take the whole connection pool from the other requests."""


def load_many(app: TenantApplication, kind: type[T], ids: Iterable[UUID]) -> dict[UUID, T | None]:
    """Each record of ``kind`` by id (``None``: none of that kind), fetched a few at a time."""

    def one(id: UUID) -> T | None:
        with contextlib.suppress(NotFound):
            return load(app, kind, id)
        return None

    unique = list(dict.fromkeys(ids))
    if len(unique) < 2:
        return {id: one(id) for id in unique}
    with ThreadPoolExecutor(max_workers=min(AT_ONCE, len(unique))) as pool:
        return dict(zip(unique, pool.map(one, unique), strict=True))


def settings_on(app: TenantApplication, day: date) -> ProvinceSettings:
    """The province's settings in force on ``day`` (the defaults before it set any)."""
    province = find(app, Province, province_id(app.slug))
    return province.settings_on(day) if province is not None else ProvinceSettings()


def check_version(aggregate: ChiboAggregate, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != aggregate.version:
        raise StaleWrite(
            f"Bản ghi đã đổi (phiên bản {aggregate.version}, bạn gửi {expected_version}); "
            "hãy tải lại",
            f"stale write: the record is at version {aggregate.version}, "
            f"you sent {expected_version}; reload and retry",
            current_version=aggregate.version,
        )


def load_cell(app: TenantApplication, cell_id: UUID) -> OrgUnit:
    cell = load(app, OrgUnit, cell_id)
    cell.check_is_cell()
    return cell


def load_roster(app: TenantApplication, cell_id: UUID, by: Actor) -> CellRoster:
    """The cell's roster; opened on first use (a cell without members has no roster yet)."""
    roster: object
    try:
        roster = app.repository.get(roster_id(cell_id))
    except AggregateNotFoundError:
        return CellRoster.open(cell_id, by)
    assert isinstance(roster, CellRoster)
    return roster


def ancestors(app: TenantApplication, unit: OrgUnit) -> set[UUID]:
    seen: set[UUID] = set()
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent_id = load(app, OrgUnit, parent_id).parent_id
    return seen


# -- organisation units --------------------------------------------------------------------


def found_unit(
    app: TenantApplication,
    by: Actor,
    *,
    name: str,
    level: Any,
    founded_on: date,
    parent_id: UUID | None,
) -> tuple[OrgUnit, int]:
    parent = load(app, OrgUnit, parent_id) if parent_id else None
    unit = OrgUnit.found(uuid4(), name, level, parent, founded_on, by)
    return unit, app.save_all(unit, *([parent] if parent else []))


def rename_unit(
    app: TenantApplication, by: Actor, *, unit_id: UUID, name: str, expected: int | None
) -> tuple[OrgUnit, int]:
    return changed(app, OrgUnit, unit_id, expected, lambda unit: unit.rename(name, by))


def move_unit(
    app: TenantApplication,
    by: Actor,
    *,
    unit_id: UUID,
    new_parent_id: UUID,
    on: date,
    expected: int | None,
) -> tuple[OrgUnit, int]:
    unit = load(app, OrgUnit, unit_id, expected)
    if unit.parent_id is None:
        raise UnknownUnit("Tổ chức gốc không thể chuyển", "the root unit cannot be moved")
    old_parent = load(app, OrgUnit, unit.parent_id)
    new_parent = load(app, OrgUnit, new_parent_id)
    unit.move(old_parent, new_parent, ancestors(app, new_parent), on, by)
    return unit, app.save_all(unit, old_parent, new_parent)


def dissolve_unit(
    app: TenantApplication, by: Actor, *, unit_id: UUID, on: date, reason: str, expected: int | None
) -> tuple[OrgUnit, int]:
    unit = load(app, OrgUnit, unit_id, expected)
    parent = load(app, OrgUnit, unit.parent_id) if unit.parent_id else None
    members = load_roster(app, unit_id, by).active_count(on) if unit.level.holds_meetings else 0
    unit.dissolve(parent, members, on, reason, by)
    return unit, app.save_all(unit, *([parent] if parent else []))


def set_meeting_window(
    app: TenantApplication,
    by: Actor,
    *,
    cell_id: UUID,
    window: MeetingWindow | None,
    expected: int | None,
) -> tuple[OrgUnit, int]:
    return changed(
        app, OrgUnit, cell_id, expected, lambda cell: cell.set_meeting_window(window, by)
    )


# -- members -------------------------------------------------------------------------------


def enrol_member(
    app: TenantApplication,
    by: Actor,
    *,
    full_name: str,
    birth_date: date,
    gender: str,
    cell_id: UUID,
    status: MemberStatus,
    admitted_on: date,
    official_on: date | None,
    joined_cell_on: date,
    party_card_number: str | None = None,
) -> tuple[Member, int]:
    from services.membership.cards import save_enrolled  # it imports this module

    cell = load_cell(app, cell_id)
    cell.check_active()
    member = Member.enrol(
        uuid4(),
        full_name,
        birth_date,
        gender,
        cell_id,
        status,
        admitted_on,
        official_on,
        joined_cell_on,
        by,
    )
    return save_enrolled(app, member, status, joined_cell_on, party_card_number, by)


def transfer_member(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    to_cell_id: UUID,
    on: date,
    expected: int | None,
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    target = load_cell(app, to_cell_id)
    target.check_active()
    old_roster = load_roster(app, member.cell_id, by)
    standing = old_roster.standing(member.id, on)
    member.transfer(to_cell_id, on, by)
    old_roster.record(member.id, Change.LEFT, on, by)
    new_roster = load_roster(app, to_cell_id, by)
    new_roster.enrol(member.id, standing.status if standing else member.status, on, by)
    return member, app.save_all(member, old_roster, new_roster)


def exempt_member(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    start: date,
    end: date | None,
    reason: str,
    expected: int | None,
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    member.exempt(start, end, reason, by)
    roster.record(member.id, Change.EXEMPTED, start, by)
    if end is not None:
        roster.record(member.id, Change.EXEMPTION_ENDED, end, by)
    return member, app.save_all(member, roster)


def end_exemption(
    app: TenantApplication, by: Actor, *, member_id: UUID, on: date, expected: int | None
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    member.end_exemption(on, by)
    roster.record(member.id, Change.EXEMPTION_ENDED, on, by)
    return member, app.save_all(member, roster)


def member_leaves(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    reason: DepartureReason,
    on: date,
    note: str,
    expected: int | None,
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    member.leave(reason, on, note, by)
    roster.record(member.id, Change.LEFT, on, by)
    return member, app.save_all(member, roster)
