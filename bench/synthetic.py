"""A synthetic province (tỉnh giả lập) at real scale, for the projection benchmark.

At scale 1: one province, about 100 directly subordinate committees (xã, phường, khối),
their grassroots committees and about 6,000 cells with about 120,000 members, then a year of
monthly meetings with attendance, votes, quality ratings and dues: a few million events.
Every event comes from the real aggregates' commands (``domain/``), so the data obeys the same
rules as real use, and the whole log is a pure function of ``(seed, scale)``: ids come from the
seeded generator and event timestamps from a simulated clock.

Memory is bounded by the province, never by the log: events are yielded one save at a time
and the loader streams them to PostgreSQL. The log is written month after month, cell after
cell within a month, as a real province's log would grow; between months only each cell's
roster aggregate and a few members with pending changes (recognition, transfer, departure)
are kept.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from bench.synthetic_meetings import ICT, YEAR, hold_month
from domain.base import Actor, ChiboAggregate
from domain.member import DepartureReason, Member, MemberStatus
from domain.org_unit import Level, MeetingWindow, OrgUnit
from domain.province import Province, ProvinceSettings
from domain.roster import CellRoster, Change
from services.demo.names import PLACES, full_name

BASE_CELLS = 6_000
BASE_DIRECT = 100
WINDOW = MeetingWindow(1, 5)
SYSTEM_ACTOR = Actor("bench-system", "system", "bench-import")
DIRECT_KINDS = ("Đảng bộ xã", "Đảng bộ xã", "Đảng bộ phường", "Đảng bộ khối")
CELL_KINDS = ("Chi bộ thôn", "Chi bộ khu phố", "Chi bộ tổ dân phố", "Chi bộ trường", "Chi bộ")
Events = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Shape:
    """How big the province is: ``scale`` 1 is the real size; tests use a tiny one."""

    seed: int = 2025
    scale: float = 1.0

    @property
    def cells(self) -> int:
        return max(4, round(BASE_CELLS * self.scale))

    @property
    def direct_committees(self) -> int:
        return max(1, round(BASE_DIRECT * self.scale))

    @property
    def slug(self) -> str:
        return "bench_x" + f"{self.scale:g}".replace(".", "_")


class SimClock:
    """The simulated "now" every event is stamped with, so the log repeats byte for byte."""

    def __init__(self) -> None:
        self.now = datetime(YEAR - 1, 12, 1, 8, 0, tzinfo=UTC)

    def at(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def tick(self) -> datetime:
        self.now += timedelta(milliseconds=7)
        return self.now


@contextmanager
def simulated_time(clock: SimClock) -> Iterator[None]:
    """Stamp events with the simulated clock; the library's wall clock is put back after."""
    event = ChiboAggregate.Event
    saved = event.__dict__.get("create_timestamp")
    event.create_timestamp = staticmethod(clock.tick)  # type: ignore[method-assign]  # a test clock, restored below
    try:
        yield
    finally:
        if saved is None:
            del event.create_timestamp
        else:
            event.create_timestamp = saved  # type: ignore[method-assign]  # a test clock, restored below


@dataclass
class Cell:
    """What the year's simulation keeps of one cell (chi bộ) between months."""

    id: UUID
    name: str
    roster: CellRoster
    window: MeetingWindow
    secretary: UUID  # bí thư chi bộ: chairs the meetings
    clerk: UUID  # đảng viên ghi biên bản
    committee: tuple[UUID, ...]  # chi ủy (cells with 9+ official members), else ()
    weak: bool  # a cell whose meetings are often poor
    thematic_months: tuple[int, ...]
    probation: dict[UUID, tuple[date, Member]] = field(default_factory=dict)


class Generator:
    """Yields the province's log one save (a list of events, in save order) at a time."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.rng = random.Random(shape.seed)
        self.clock = SimClock()
        self.cells: list[Cell] = []
        self.chronic: set[UUID] = set()  # members who are often absent without reason
        self.fates: dict[int, list[tuple[str, Member]]] = {}  # month → member changes
        self.counter = 0

    def uuid(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def actor(self, role: str = "secretary") -> Actor:
        self.counter += 1
        return Actor(f"bench-{role}", role, f"bench-req-{self.counter}")

    def saves(self) -> Iterator[Events]:
        with simulated_time(self.clock):
            yield from self._tree()
            for month in range(1, 13):
                yield from self._month(month)

    # -- the organisation and its members ---------------------------------------------------

    def _tree(self) -> Iterator[Events]:
        shape, rng = self.shape, self.rng
        province = Province.register(shape.slug, "Đảng bộ tỉnh Minh Sơn (giả lập)", SYSTEM_ACTOR)
        province.change_settings(ProvinceSettings(), date(YEAR - 1, 1, 1), SYSTEM_ACTOR)
        root = self._found("Đảng bộ tỉnh Minh Sơn", Level.PROVINCE, None)
        yield [*province.collect_events(), *root.collect_events()]
        # Wards and communes differ a lot in size: split the cells with skewed weights.
        weights = [rng.paretovariate(2.5) for _ in range(shape.direct_committees)]
        total = sum(weights)
        shares = [max(1, round(shape.cells * w / total)) for w in weights]
        shares[-1] = max(1, shares[-1] + shape.cells - sum(shares))
        for number, share in enumerate(shares, 1):
            place = f"{PLACES[number % len(PLACES)]} {number // len(PLACES) + 1}"
            direct = self._found(f"{rng.choice(DIRECT_KINDS)} {place}", Level.DIRECT, root)
            yield [*direct.collect_events(), *root.collect_events()]
            yield from self._direct(direct, share, place)

    def _direct(self, direct: OrgUnit, cells: int, place: str) -> Iterator[Events]:
        rng = self.rng
        # About one cell in ten is a grassroots cell (chi bộ cơ sở) right under the committee.
        grassroots_cells = sum(1 for _ in range(cells) if rng.random() < 0.1)
        for _ in range(grassroots_cells):
            yield from self._cell(direct, Level.GRASSROOTS_CELL, place)
        left, number = cells - grassroots_cells, 0
        while left > 0:
            number += 1
            take = min(left, rng.randint(3, 15))
            left -= take
            parent = self._found(f"Đảng bộ cơ sở số {number} {place}",
                                 Level.GRASSROOTS_COMMITTEE, direct)  # fmt: skip
            yield [*parent.collect_events(), *direct.collect_events()]
            if rng.random() < 0.05 and take > 1:  # a sub-committee (đảng bộ bộ phận)
                sub = self._found(f"Đảng bộ bộ phận {number} {place}", Level.SUB_COMMITTEE, parent)
                yield [*sub.collect_events(), *parent.collect_events()]
                parent = sub
            for _ in range(take):
                yield from self._cell(parent, Level.CELL, place)

    def _found(self, name: str, level: Level, parent: OrgUnit | None) -> OrgUnit:
        return OrgUnit.found(self.uuid(), name, level, parent, date(2020, 10, 1), SYSTEM_ACTOR)

    def _cell(self, parent: OrgUnit, level: Level, place: str) -> Iterator[Events]:
        rng = self.rng
        name = f"{rng.choice(CELL_KINDS)} {rng.randint(1, 30)} {place}"
        unit = self._found(name, level, parent)
        window = WINDOW
        if rng.random() < 0.1:  # some cells meet mid-month by their own resolution
            first = rng.randint(8, 15)
            window = MeetingWindow(first, first + rng.randint(0, 5))
            unit.set_meeting_window(window, SYSTEM_ACTOR)
        yield [*unit.collect_events(), *parent.collect_events()]
        # Sizes skew small (median ≈ 18, mean ≈ 20) with a long tail up to 60 members.
        size = min(60, max(5, round(rng.lognormvariate(2.9, 0.55))))
        roster = CellRoster.open(unit.id, SYSTEM_ACTOR)
        officials: list[UUID] = []
        probation: dict[UUID, tuple[date, Member]] = {}
        for index in range(size):
            member, due = self._member(unit.id, roster, leader=index < 3)
            yield [*member.collect_events(), *roster.collect_events()]
            if due is not None:
                probation[member.id] = (due, member)
            elif member.exemption is None:
                officials.append(member.id)
                if index >= 3:
                    self._plan_fate(member, rng)
        quarter_month = [3 * q + rng.randint(1, 3) for q in range(4)]
        cell = Cell(
            id=unit.id, name=name, roster=roster, window=window,
            secretary=officials[0], clerk=officials[1],
            committee=tuple(officials[:3]) if len(officials) >= 9 else (),
            weak=rng.random() < 0.03,
            thematic_months=tuple(m for m in quarter_month if rng.random() < 0.85),
            probation=probation,
        )  # fmt: skip
        self.cells.append(cell)

    def _member(
        self, cell_id: UUID, roster: CellRoster, leader: bool
    ) -> tuple[Member, date | None]:
        rng = self.rng
        name, gender = full_name(rng)
        onboarding = date(YEAR - 1, 12, 1)
        probationary = not leader and rng.random() < 0.03
        if probationary:  # admitted within the last year; recognised when the year is up
            admitted = onboarding - timedelta(days=rng.randint(1, 360))
        else:
            admitted = date(1975, 1, 1) + timedelta(days=rng.randint(0, 48 * 365))
        birth = admitted - timedelta(days=rng.randint(19 * 365, 45 * 365))
        status = MemberStatus.PROBATIONARY if probationary else MemberStatus.OFFICIAL
        official_on = None if probationary else admitted + timedelta(days=365)
        joined = max(admitted, date(2020, 10, 1))
        member = Member.enrol(self.uuid(), name, birth, gender, cell_id, status, admitted,
                              official_on, joined, SYSTEM_ACTOR)  # fmt: skip
        roster.enrol(member.id, status, joined, SYSTEM_ACTOR)
        if not leader and not probationary and birth.year < 1952 and rng.random() < 0.5:
            start = date(YEAR - 1, rng.randint(1, 11), 1)  # elderly: miễn sinh hoạt
            member.exempt(start, None, "Tuổi cao, sức yếu", SYSTEM_ACTOR)
            roster.record(member.id, Change.EXEMPTED, start, SYSTEM_ACTOR)
        elif not leader and rng.random() < 0.012:
            self.chronic.add(member.id)
        return member, admitted + timedelta(days=365) if probationary else None

    def _plan_fate(self, member: Member, rng: random.Random) -> None:
        """A few members move to another cell (0.6%) or leave the roster (0.4%) in the year."""
        roll = rng.random()
        if roll < 0.010:
            kind = "transfer" if roll < 0.006 else "leave"
            self.fates.setdefault(rng.randint(1, 12), []).append((kind, member))

    # -- the year ---------------------------------------------------------------------------

    def _month(self, month: int) -> Iterator[Events]:
        yield from hold_month(self, month)
        yield from self._fates(month)

    def _fates(self, month: int) -> Iterator[Events]:
        by_id = {c.id: c for c in self.cells}
        on = date(YEAR, month, 20)
        for kind, member in self.fates.pop(month, []):
            self.clock.at(datetime.combine(on, time(9), ICT))
            source = by_id[member.cell_id]
            if kind == "transfer":
                target = self.rng.choice(self.cells)
                if target is source:
                    continue
                standing = source.roster.standing(member.id, on)
                member.transfer(target.id, on, self.actor())
                source.roster.record(member.id, Change.LEFT, on, self.actor())
                status = standing.status if standing else MemberStatus.OFFICIAL
                target.roster.enrol(member.id, status, on, self.actor())
                yield [*member.collect_events(), *source.roster.collect_events(),
                       *target.roster.collect_events()]  # fmt: skip
            else:
                reason = self.rng.choice(
                    (DepartureReason.DECEASED, DepartureReason.TRANSFERRED_OUT)
                )
                member.leave(reason, on, "", self.actor())
                source.roster.record(member.id, Change.LEFT, on, self.actor())
                yield [*member.collect_events(), *source.roster.collect_events()]


def official_member(
    roster: CellRoster, name: str, admitted_on: date, joined_on: date, by: Actor
) -> Member:
    """A man born in 1980, admitted ``admitted_on`` and official a year later, enrolled in the
    roster's cell on ``joined_on`` (the audit benchmark's members, the rollup tests')."""
    official_on = admitted_on.replace(year=admitted_on.year + 1)
    member = Member.enrol(
        uuid4(),
        name,
        date(1980, 1, 1),
        "nam",
        roster.cell_id,
        MemberStatus.OFFICIAL,
        admitted_on,
        official_on,
        joined_on,
        by,
    )
    roster.enrol(member.id, MemberStatus.OFFICIAL, joined_on, by)
    return member


def generate(shape: Shape) -> Iterator[Events]:
    """The province's log, one save at a time (each a list of events in save order)."""
    return Generator(shape).saves()
