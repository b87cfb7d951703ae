"""Demo activity beyond the meetings, so every page and list has something from the first
minute: admission cases at every step (some overdue), attendance plans with fulfilled and
missed assignments, a self-criticism rotation in progress, petitions in every state (some
overdue), and a demo account for each role.

Everything goes through the domain's own commands and the application services, with dates
counted back from today (the Vietnamese date), so the demo always looks current.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.admission_values import DossierItem, Education, IntroductionBasis
from domain.attendance_plan import Assignee, AttendancePlan
from domain.base import SYSTEM
from domain.meeting import Meeting
from domain.meeting_values import MeetingKind
from domain.org_unit import OrgUnit
from domain.province import ProvinceSettings
from domain.roster import CellRoster
from domain.rotation import RotationSchedule
from domain.voting import MotionKind, VotingMethod
from infra.application import TenantApplication
from services.admissions import commands as admissions
from services.demo.meetings import held, month_back
from services.demo.names import full_name
from services.supervision import rotation

BY = SYSTEM
Key = tuple[UUID, int, int]
"""(cell, year, month) of a regular meeting."""

# (cell index, applicant, months back of the cell's vote or None, what happens after it)
CASES = (
    (2, "application", None),  # đơn mới: before the course
    (5, "introduced", None),  # ready for the cell's vote
    (8, "decision_pending", 1),  # voted last month; decision not yet due
    (9, "decision_overdue", 8),  # voted 8 months ago; the decision is late
    (11, "ceremony_overdue", 9),  # decided; the ceremony is late
    (13, "probationary", 15),  # probation ends about now
    (15, "recognition_overdue", 19),  # probation ended months ago; no vote
    (17, "recognition_voted", 18),  # the cell voted; the decision is awaited
    (0, "recognised", 20),  # official member
    (4, "closed", None),  # stopped by the cell
)
BEFORE_THE_YEAR = 13
"""A cell vote this many months back or more is held in an extra meeting, before the year."""


def first_of(months_back: int, today: date) -> tuple[int, int]:
    return month_back(today.replace(day=1), months_back)


class DemoActivity:
    """Builds the demo's cases, plans, rotation and petitions around the year of meetings."""

    def __init__(
        self,
        app: TenantApplication,
        root: OrgUnit,
        directs: list[OrgUnit],
        cells: list[OrgUnit],
        rosters: list[CellRoster],
        today: date,
        rng: random.Random,
    ) -> None:
        self.app, self.root, self.directs, self.cells = app, root, directs, cells
        self.rosters = {r.cell_id: r for r in rosters}
        self.today, self.rng = today, rng
        self.plan_year = first_of(1, today)[0]
        self.cases: dict[str, UUID] = {}
        self.motions: dict[Key, tuple[str, MotionKind, UUID]] = {}
        """Votes to hold at a cell's regular meeting: (case, kind, subject)."""
        self.voted: dict[str, tuple[UUID, UUID]] = {}
        """Case → (meeting, motion) of the vote the hook held."""
        self.visits: dict[Key, tuple[AttendancePlan, UUID, Assignee]] = {}
        self.schedules: dict[UUID, RotationSchedule] = {}
        self.rotating = {cells[i].id for i in (0, 1, 2)}

    @property
    def full(self) -> frozenset[Key]:
        return frozenset(self.motions)

    # -- the hook, while each meeting of the year is in progress ----------------------------

    def hook(self, meeting: Meeting, roster: CellRoster, present: list[UUID]) -> list[Any]:
        year, month = meeting.period
        key = (meeting.cell_id, year, month)
        held_on = meeting.held_on
        assert held_on is not None
        changed: list[Any] = []
        if meeting.kind is not MeetingKind.REGULAR:
            return changed
        if key in self.motions:
            self.hold_vote(meeting, roster, present, *self.motions[key])
        if key in self.visits:
            plan, assignment_id, assignee = self.visits[key]
            settled = plan.record_attendance(
                assignee, meeting.id, meeting.cell_id, held_on, uuid4(), BY, assignment_id
            )
            meeting.add_guest(assignee.name, assignee.position, True, settled, BY)
            changed.append(plan)
        if meeting.cell_id in self.rotating and held_on.year == self.plan_year:
            changed.append(self.take_turn(meeting, present, held_on))
        return changed

    def hold_vote(
        self,
        meeting: Meeting,
        roster: CellRoster,
        present: list[UUID],
        case: str,
        kind: MotionKind,
        subject: UUID,
    ) -> None:
        assert meeting.held_on is not None
        members = roster.members_on(meeting.held_on)
        official = [m for m in present if members[m].status.value == "official"]
        motion_id = uuid4()
        title = "Kết nạp đảng viên" if kind is MotionKind.ADMISSION else "Công nhận chính thức"
        meeting.propose_motion(motion_id, kind, title, subject, BY)
        meeting.record_tally(motion_id, VotingMethod.SHOW_OF_HANDS, len(official), 0, 0, BY)
        self.voted[case] = (meeting.id, motion_id)

    def take_turn(self, meeting: Meeting, present: list[UUID], held_on: date) -> RotationSchedule:
        schedule = self.schedules.get(meeting.cell_id)
        if schedule is None:
            schedule = rotation.schedule_for(self.app, meeting.cell_id, held_on, BY)
            self.schedules[meeting.cell_id] = schedule
        due = [m for m in schedule.queue() if m in present]
        if due:
            schedule.take_turn(due[0], meeting.id, held_on, True, 1, BY)
            meeting.record_self_criticism(due[0], BY)
        return schedule

    # -- admission cases (kết nạp đảng viên) ------------------------------------------------

    def open_cases(self) -> None:
        """Open every case; hold the votes and ceremonies that fall before the year."""
        for index, name, vote_back in CASES:
            cell = self.cells[index]
            opened = (
                self.today - timedelta(days=20)
                if vote_back is None
                else date(*first_of(vote_back, self.today), 3) - timedelta(days=100)
            )
            if name == "introduced":
                opened = self.today - timedelta(days=90)
            if name == "closed":
                opened = self.today - timedelta(days=200)
            self.cases[name] = self.open_case(cell, opened, prepared=name != "application")
            if vote_back is None:
                continue
            year, month = first_of(vote_back, self.today)
            key = (cell.id, year, month)
            self.motions[key] = (name, MotionKind.ADMISSION, self.cases[name])
            if vote_back >= BEFORE_THE_YEAR:
                self.vote_before_the_year(cell, year, month)
                self.decide_and_admit(name, self.voted[name])

    def open_case(self, cell: OrgUnit, opened: date, prepared: bool) -> UUID:
        name, gender = full_name(self.rng)
        case, _ = admissions.open_case(
            self.app, BY, full_name=name, birth_date=date(1985, 4, 12), gender=gender,
            education=Education.HIGHER, special_area=False, cell_id=cell.id, opened_on=opened,
        )  # fmt: skip
        if not prepared:
            return case.id
        admissions.certify_course(
            self.app, BY, case_id=case.id, certificate_no="GCN-2-DEMO",
            completed_on=opened + timedelta(7),
        )  # fmt: skip
        for item in DossierItem:
            admissions.file_dossier_item(
                self.app, BY, case_id=case.id, item=item, on=opened + timedelta(14)
            )
        on = opened + timedelta(21)
        for introducer in self.officials(cell.id, on)[:2]:
            admissions.assign_introducer(
                self.app, BY, case_id=case.id, member_id=introducer,
                basis=IntroductionBasis.WORK, together_since=date(2021, 1, 4), on=on,
            )  # fmt: skip
        return case.id

    def officials(self, cell_id: UUID, on: date) -> list[UUID]:
        members = self.rosters[cell_id].members_on(on)
        return sorted(m for m, s in members.items() if s.status.value == "official")

    def vote_before_the_year(self, cell: OrgUnit, year: int, month: int) -> None:
        roster = self.rosters[cell.id]
        meeting, _ = held(
            roster, MeetingKind.REGULAR, year, month, self.rng, ProvinceSettings(), self.hook,
            day=3, full=True,
        )  # fmt: skip
        self.app.save_all(meeting)

    def decide_and_admit(self, name: str, vote: tuple[UUID, UUID]) -> None:
        """The cell's vote, the committee's vote and decision, the ceremony (lễ kết nạp)."""
        case_id = self.cases[name]
        case, _ = admissions.record_cell_vote(
            self.app, BY, case_id=case_id, meeting_id=vote[0], motion_id=vote[1]
        )
        voted_on = case.cell_vote_on
        assert voted_on is not None
        admissions.record_committee_vote(
            self.app, BY, case_id=case_id, on=voted_on + timedelta(7), votes_for=5,
            committee_members=5,
        )  # fmt: skip
        if name in ("decision_pending", "decision_overdue"):
            return
        decided = voted_on + timedelta(30)
        admissions.record_decision(
            self.app, BY, case_id=case_id, number="125-QĐ/ĐU", decided_on=decided,
            received_on=decided + timedelta(2),
        )  # fmt: skip
        if name == "ceremony_overdue":
            return
        cell = admissions.load_case(self.app, case_id).cell_id
        mentor = self.officials(cell, decided)[0]
        admissions.hold_ceremony(
            self.app, BY, case_id=case_id, on=decided + timedelta(22), mentor_id=mentor
        )

    def recognition_votes(self) -> None:
        """Probation over: the cell votes at the next month's meeting (two of the cases)."""
        for name in ("recognition_voted", "recognised"):
            case = admissions.load_case(self.app, self.cases[name])
            assert case.probation_ends_on is not None
            assert case.member_id is not None
            after = case.probation_ends_on.replace(day=1) + timedelta(days=32)
            self.motions[(case.cell_id, after.year, after.month)] = (
                name, MotionKind.RECOGNITION, case.member_id,
            )  # fmt: skip

    def after_the_year(self) -> None:
        """The votes the year's meetings held, and what followed them."""
        for name in ("decision_pending", "decision_overdue", "ceremony_overdue"):
            self.decide_and_admit(name, self.voted[name])
        for name in ("recognition_voted", "recognised"):
            case, _ = admissions.record_recognition_vote(
                self.app,
                BY,
                case_id=self.cases[name],
                meeting_id=self.voted[name][0],
                motion_id=self.voted[name][1],
            )
        case = admissions.load_case(self.app, self.cases["recognised"])
        voted_on = case.recognition_votes[-1][0]
        admissions.record_recognition_decision(
            self.app,
            BY,
            case_id=case.id,
            number="88-QĐ/ĐU",
            decided_on=voted_on + timedelta(20),
            recognised=True,
        )
        admissions.close_case(
            self.app, BY, case_id=self.cases["closed"], on=self.today - timedelta(days=100),
            reason="Quần chúng xin rút đơn vì chuyển công tác",
        )  # fmt: skip
