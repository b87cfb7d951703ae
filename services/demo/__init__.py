"""The demo province: a realistic tree, a few hundred members, a year of activity, and a
demo account for each role (their logins printed at start).

Seeding is idempotent: if the demo province is already registered in its log, nothing is
written again. Everything goes through the same domain commands as real use; the activity
(:mod:`services.demo_meetings`, :mod:`services.demo_activity`,
:mod:`services.demo_supervision`) is counted back from today, so the demo always looks current.
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

from eventsourcing.application import AggregateNotFoundError

from domain.base import SYSTEM, NotFound
from domain.member import Member, MemberStatus
from domain.org_unit import Level, OrgUnit
from domain.province import Province, ProvinceSettings, province_id
from domain.roster import CellRoster
from domain.user import Role, UserAccount, account_id
from infra.application import TenantApplication
from services.audit.sealing import seal_new_events
from services.bootstrap import Container
from services.demo import contacts as demo_contacts
from services.demo import supervision as demo_supervision
from services.demo.activity import DemoActivity
from services.demo.meetings import seed_meetings
from services.demo.names import PLACES, full_name
from services.demo.supervision import PROVINCIAL
from services.identity.auth import DEMO_ADMIN, load_account, revoke_all, store_password_hash
from services.identity.passwords import hash_password
from services.membership.org import load

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


DEMO_USERS = (
    ("bithu", Role.SECRETARY, "bí thư chi bộ / cell secretary"),
    ("capuy", Role.SUPERIOR_MEMBER, "cấp ủy viên cấp trên / superior committee member"),
    ("kiemtra", Role.INSPECTOR, "ủy ban kiểm tra / inspection commission"),
    ("kiemtoan", Role.AUDITOR, "kiểm toán / auditor"),
    ("dangvien", Role.MEMBER, "đảng viên / party member"),
)
"""One demo account per role besides the administrator; all share the password printed."""


@dataclass(frozen=True, slots=True)
class DemoLogins:
    password: str
    accounts: list[tuple[str, str]]
    """(username, what the account is for)."""


def seed_demo(container: Container, password: str | None = None) -> DemoLogins:
    """Seed the demo province once; (re)set its accounts' password; return the logins."""
    container.provision(DEMO_SLUG, DEMO_NAME)
    app = container.applications.get(DEMO_SLUG)
    try:
        app.repository.get(province_id(DEMO_SLUG))
        log.info("demo province already seeded")
        give_missing_addresses(app)
    except AggregateNotFoundError:
        seed_province(app, random.Random(2025), today())  # noqa: S311 — demo data
        log.info("demo province seeded at position %s", app.log_position)
        # A first seal (niêm phong) of the year just seeded, so the auditor's pages have a
        # seal to download and the verifier one to check from the first minute.
        seal_new_events(container, only=[DEMO_SLUG])
    password = password or secrets.token_urlsafe(9)
    if not exists(app, DEMO_ADMIN):
        app.save_all(UserAccount.open(DEMO_ADMIN, "Demo", Role.TENANT_ADMIN, None, None, SYSTEM))
    accounts = [(DEMO_ADMIN, "quản trị tỉnh / province administrator")]
    accounts += [(name, label) for name, _, label in DEMO_USERS if exists(app, name)]
    reset_passwords(app, [name for name, _ in accounts], password)
    return DemoLogins(password, accounts)


def give_missing_addresses(app: TenantApplication) -> int:
    """A demo seeded before its people had addresses gets them at its next start, once."""
    capuy = load_account(app, account_id("capuy")) if exists(app, "capuy") else None
    people = [(PROVINCIAL.assignee_id, PROVINCIAL.name)]
    if capuy is not None:
        people.append((str(capuy.id), capuy.display_name))
    return demo_contacts.backfill(app, people, today())


def exists(app: TenantApplication, username: str) -> bool:
    try:
        load_account(app, account_id(username))
    except NotFound:  # e.g. a demo seeded before the account was added
        return False
    return True


def reset_passwords(app: TenantApplication, usernames: list[str], password: str) -> None:
    """The password printed at this start, for every demo account, unlocked.

    One hash for all of them: argon2 is slow on purpose, and this runs at every start.
    """
    password_hash = hash_password(password)
    for username in usernames:
        account = load_account(app, account_id(username))
        account.password_changed(SYSTEM)
        account.unlock(SYSTEM)
        app.save_all(account)
        store_password_hash(app, account, password_hash)  # also clears failed attempts
        revoke_all(app, account.id)


def today() -> date:
    """Today in Vietnam, which the demo's dates count back from."""
    return datetime.now(timezone(timedelta(hours=7))).date()


def seed_province(app: TenantApplication, rng: random.Random, on: date) -> list[OrgUnit]:
    """Found the tree, enrol members, and a year of activity up to ``on``; return the cells."""
    province = Province.register(DEMO_SLUG, DEMO_NAME, SYSTEM)
    province.change_settings(ProvinceSettings(), date(2021, 1, 1), SYSTEM)
    root = OrgUnit.found(uuid4(), DEMO_NAME, Level.PROVINCE, None, date(2020, 10, 1), SYSTEM)
    cells: list[OrgUnit] = []
    directs: list[OrgUnit] = []
    units: list[OrgUnit] = [root]
    places = iter(PLACES * 4)
    for direct_name, grassroots in TREE:
        direct = OrgUnit.found(uuid4(), direct_name, Level.DIRECT, root, date(2020, 10, 1), SYSTEM)
        units.append(direct)
        directs.append(direct)
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
    accounts = open_accounts(app, rng, root, directs[0], cells[0])
    activity = DemoActivity(app, root, directs, cells, rosters, on, rng)
    activity.open_cases()
    activity.recognition_votes()
    # The ceremonies before the year enrolled new members: the rosters as saved now.
    activity.rosters = {r.cell_id: app.repository.get(r.id) for r in rosters}
    outcomes = demo_supervision.plan_visits(activity, accounts["capuy"])
    meetings = seed_meetings(
        app, list(activity.rosters.values()), rng, on, activity.hook, full=activity.full
    )
    activity.after_the_year()
    demo_supervision.after_the_year(activity, outcomes)
    demo_supervision.raise_petitions(activity, meetings)
    # The member account: whoever is next in her cell's rotation, so "my turn" shows.
    schedule = activity.schedules.get(cells[0].id)
    queue = schedule.queue() if schedule else sorted(rosters[0].members_on(on))
    name = load(app, Member, queue[0]).full_name
    account = UserAccount.open("dangvien", name, Role.MEMBER, cells[0].id, queue[0], SYSTEM)
    app.save_all(account)
    # The year written above is history, never announced; then the addresses, so that only
    # what is scheduled from now on mails the capture.
    demo_contacts.history_announced(app)
    capuy = accounts["capuy"]
    demo_contacts.give_all(
        app,
        units,
        rosters,
        [(str(capuy.id), capuy.display_name), (PROVINCIAL.assignee_id, PROVINCIAL.name)],
        on,
    )
    return cells


def open_accounts(
    app: TenantApplication, rng: random.Random, root: OrgUnit, direct: OrgUnit, cell: OrgUnit
) -> dict[str, UserAccount]:
    """The demo accounts but the member's (her record is chosen after the meetings); their
    password is set at each start (:func:`reset_passwords`)."""
    scopes = {"bithu": cell.id, "capuy": direct.id, "kiemtra": root.id, "kiemtoan": None}
    made: dict[str, UserAccount] = {}
    for username, role, _ in DEMO_USERS:
        if username in scopes:
            made[username] = UserAccount.open(
                username, full_name(rng)[0], role, scopes[username], None, SYSTEM
            )
    app.save_all(*made.values())
    return made


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
