"""The demo province: a realistic tree, a few hundred members and recent meetings.

Seeding is idempotent: if the demo province is already registered in its log, nothing is
written again. Everything goes through the same domain commands as real use.
"""

from __future__ import annotations

import logging
import random
import secrets
from datetime import date, timedelta
from uuid import uuid4

from eventsourcing.application import AggregateNotFoundError

from domain.base import SYSTEM
from domain.member import Member, MemberStatus
from domain.org_unit import Level, OrgUnit
from domain.province import Province, ProvinceSettings, province_id
from domain.roster import CellRoster
from infra.application import TenantApplication
from services.bootstrap import Container
from services.demo.meetings import seed_meetings
from services.demo.names import PLACES, full_name
from services.identity.auth import ensure_demo_admin

log = logging.getLogger(__name__)

DEMO_SLUG = "demo"
DEMO_NAME = "Đảng bộ tỉnh Minh Sơn (demo)"

# (name of the directly subordinate committee, grassroots committees with their cell counts)
TREE = (
    ("Đảng ủy xã Hợp Lý", (("Đảng bộ các thôn xã Hợp Lý", 6),)),
    ("Đảng ủy phường Quang Yên", (("Đảng bộ khu dân cư phường Quang Yên", 5),)),
    (
        "Đảng ủy các cơ quan Đảng tỉnh",
        (("Đảng bộ Văn phòng Tỉnh ủy", 4), ("Đảng bộ Ban Tổ chức Tỉnh ủy", 5)),
    ),
)


def seed_demo(container: Container, password: str | None = None) -> tuple[str, str]:
    """Seed the demo province once; (re)set its administrator; return username and password."""
    container.provision(DEMO_SLUG, DEMO_NAME)
    app = container.applications.get(DEMO_SLUG)
    try:
        app.repository.get(province_id(DEMO_SLUG))
        log.info("demo province already seeded")
    except AggregateNotFoundError:
        seed_province(app, random.Random(2025))  # noqa: S311 — demo data, not security
        log.info("demo province seeded at position %s", app.log_position)
    return ensure_demo_admin(app, SYSTEM, password=password or secrets.token_urlsafe(9))


def seed_province(app: TenantApplication, rng: random.Random) -> list[OrgUnit]:
    """Found the tree and enrol members; return the cells."""
    province = Province.register(DEMO_SLUG, DEMO_NAME, SYSTEM)
    province.change_settings(ProvinceSettings(), date(2021, 1, 1), SYSTEM)
    root = OrgUnit.found(uuid4(), DEMO_NAME, Level.PROVINCE, None, date(2020, 10, 1), SYSTEM)
    cells: list[OrgUnit] = []
    units: list[OrgUnit] = [root]
    places = iter(PLACES * 4)
    for direct_name, grassroots in TREE:
        direct = OrgUnit.found(uuid4(), direct_name, Level.DIRECT, root, date(2020, 10, 1), SYSTEM)
        units.append(direct)
        for grassroots_name, cell_count in grassroots:
            committee = OrgUnit.found(
                uuid4(),
                grassroots_name,
                Level.GRASSROOTS_COMMITTEE,
                direct,
                date(2020, 10, 1),
                SYSTEM,
            )
            units.append(committee)
            for _ in range(cell_count):
                cell = OrgUnit.found(
                    uuid4(),
                    f"Chi bộ {next(places)}",
                    Level.CELL,
                    committee,
                    date(2020, 10, 1),
                    SYSTEM,
                )
                units.append(cell)
                cells.append(cell)
    app.save_all(province, *units)
    rosters = [enrol_cell(app, cell, rng) for cell in cells]
    seed_meetings(app, rosters, rng)
    return cells


def enrol_cell(app: TenantApplication, cell: OrgUnit, rng: random.Random) -> CellRoster:
    roster = CellRoster.open(cell.id, SYSTEM)
    members: list[Member] = []
    for _ in range(rng.randint(9, 22)):
        name, gender = full_name(rng)
        admitted = date(1985, 1, 1) + timedelta(days=rng.randint(0, 38 * 365))
        probationary = admitted > date(2025, 11, 1)
        birth = admitted - timedelta(days=rng.randint(20 * 365, 40 * 365))
        joined = max(admitted, date(2020, 10, 1))
        status = MemberStatus.PROBATIONARY if probationary else MemberStatus.OFFICIAL
        member = Member.enrol(
            uuid4(), name, birth, gender, cell.id, status, admitted,
            None if probationary else admitted + timedelta(days=365), joined, SYSTEM,
        )  # fmt: skip
        roster.enrol(member.id, status, joined, SYSTEM)
        members.append(member)
    app.save_all(roster, *members)
    return roster
