"""Demo supervision: attendance plans (kế hoạch dự sinh hoạt) with visits fulfilled, missed
and to come, and petitions (kiến nghị) in every state, some overdue.

The visits a plan expects are attended through :class:`services.demo_activity.DemoActivity`'s
hook while the meeting is in progress (the assignee becomes its guest); the rest is recorded
after the year of meetings, through the application services.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

from domain.attendance_plan import Assignee, AssigneeRole, AttendancePlan
from domain.meeting import Meeting
from domain.petition import CompetentLevel
from domain.quality import Rating
from domain.user import UserAccount
from services.demo.activity import BY, DemoActivity, first_of
from services.membership.org import ancestors, load
from services.supervision import attendance, petitions
from services.supervision.common import PetitionInput

PROVINCIAL = Assignee(
    "tuv-tran-van-hung", "Trần Văn Hùng", AssigneeRole.PROVINCIAL_COMMITTEE_MEMBER, "Tỉnh ủy viên"
)
"""A provincial committee member without an account (recorded by name)."""


Outcomes = dict[UUID, tuple[UUID, str]]
"""Assignment → (its plan, what becomes of it)."""


def plan_visits(activity: DemoActivity, committee_member: UserAccount) -> Outcomes:
    """Two plans for the year: the first committee's, its member's visits linked to the demo
    account (so "my assignments" lists them), and the province's."""
    a = activity
    year = a.plan_year
    plan, _ = attendance.make_plan(
        a.app, BY, committee_id=a.directs[0].id, year=year, quarter=None, title=f"Kế hoạch {year}"
    )
    assignee = attendance.account_assignee(
        a.app, plan.id, committee_member.id, AssigneeRole.COMMITTEE_MEMBER, "Đảng ủy viên"
    )
    province, _ = attendance.make_plan(
        a.app, BY, committee_id=a.root.id, year=year, quarter=None, title=f"Kế hoạch tỉnh {year}"
    )
    plan = load(a.app, AttendancePlan, plan.id)
    province = load(a.app, AttendancePlan, province.id)
    outcomes: Outcomes = {}
    # (plan, assignee, cell index, months back, outcome); 0 months back is this month.
    visits = (
        (plan, assignee, 0, 10, "attended"),
        (plan, assignee, 1, 8, "reported"),
        (plan, assignee, 2, 6, "attended"),
        (plan, assignee, 3, 4, "missed"),
        (plan, assignee, 4, 3, "not_attended"),
        (plan, assignee, 5, 2, "attended"),
        (plan, assignee, 1, 1, "attended"),
        (plan, assignee, 2, 0, "contacted"),
        (plan, assignee, 5, 0, "assigned"),
        (province, PROVINCIAL, 6, 5, "attended"),
        (province, PROVINCIAL, 12, 7, "missed"),
    )
    for target, who, index, back, outcome in visits:
        year_, month = first_of(back, a.today)
        if year_ != year:
            continue
        cell = a.cells[index]
        assignment_id = uuid4()
        target.assign(
            assignment_id, who, cell.id, ancestors(a.app, cell), date(year_, month, 1), BY
        )
        outcomes[assignment_id] = (target.id, outcome)
        if outcome in ("attended", "reported"):
            a.visits[(cell.id, year_, month)] = (target, assignment_id, who)
    a.app.save_all(plan, province)
    return outcomes


def after_the_year(activity: DemoActivity, outcomes: Outcomes) -> None:
    """Misses with their reason, a contact before the month, and one visit's report."""
    a = activity
    for assignment_id, (target, outcome) in outcomes.items():
        if outcome == "missed":
            attendance.record_missed(
                a.app, BY, plan_id=target, assignment_id=assignment_id,
                reason="Trùng lịch họp của cấp ủy",
            )  # fmt: skip
        elif outcome == "contacted":
            on = a.today - timedelta(days=min(a.today.day - 1, 3))
            attendance.record_contact(
                a.app, BY, plan_id=target, assignment_id=assignment_id, on=on,
                note="Đã hẹn với bí thư",
            )  # fmt: skip
        elif outcome == "reported":
            plan = load(a.app, AttendancePlan, target)
            attended_on = plan.assignment(assignment_id).attended_on
            assert attended_on is not None
            road = PetitionInput(
                "Sửa đường vào khu dân cư", "hạ tầng", CompetentLevel.COMMUNE_DISTRICT
            )
            attendance.file_report(
                a.app, BY, plan_id=target, assignment_id=assignment_id,
                filed_on=attended_on + timedelta(days=3),
                observations="Chi bộ sinh hoạt đúng nội dung; cần tăng ý kiến đóng góp.",
                quality=Rating.KHA, petitions=[road],
            )  # fmt: skip


def raise_petitions(activity: DemoActivity, meetings: dict[UUID, list[Meeting]]) -> None:
    """Petitions raised at held meetings, taken to each state of their handling."""
    a = activity

    def at(index: int, back: int) -> tuple[UUID, date] | None:
        year, month = first_of(back, a.today)
        for meeting in meetings[a.cells[index].id]:
            if meeting.period == (year, month) and meeting.held_on is not None:
                return meeting.id, meeting.held_on
        return None

    answered = ("forward", "accept", "resolve", "answer")
    # (cell index, months back, content, category, steps, days between steps)
    script: tuple[tuple[int, int, str, str, tuple[str, ...], int], ...] = (
        (1, 0, "Lắp đèn chiếu sáng ngõ xóm", "dân sinh", (), 5),  # not yet due
        (8, 2, "Nạo vét kênh mương nội đồng", "nông nghiệp", (), 5),  # overdue
        (10, 3, "Cấp nước sạch cho tổ 5", "dân sinh", ("forward",), 5),
        (12, 4, "Sửa chữa nhà văn hóa", "hạ tầng", ("forward", "accept"), 5),
        (14, 2, "Hỗ trợ hộ nghèo", "an sinh", ("forward", "accept", "resolve"), 5),
        (16, 5, "Trồng cây xanh trường học", "giáo dục", answered, 3),  # answered in time
        (18, 6, "Thu gom rác thải", "môi trường", answered, 10),  # answered late
        (19, 4, "Cắm mốc đất công", "đất đai", (*answered, "reopen"), 4),  # reopened
    )
    for index, back, content, category, steps, gap in script:
        found = at(index, back)
        if found is None:  # this month's meeting is still to come
            continue
        meeting_id, day = found
        entry = PetitionInput(content, category, CompetentLevel.GRASSROOTS)
        pid = petitions.raise_at_meeting(a.app, BY, meeting_id=meeting_id, petition=entry)[0].id
        for name in steps:
            day += timedelta(days=gap)
            if name == "forward":
                petitions.forward(a.app, BY, petition_id=pid, on=day)
            elif name == "accept":
                petitions.accept(a.app, BY, petition_id=pid, on=day)
            elif name == "resolve":
                petitions.resolve(
                    a.app, BY, petition_id=pid, response="Đã giao UBND xã xử lý",
                    document_ref="15/CV-UBND", on=day,
                )  # fmt: skip
            elif name == "answer":
                petitions.answer_back(a.app, BY, petition_id=pid, on=day)
            else:
                petitions.reopen(
                    a.app, BY, petition_id=pid, cell_id=a.cells[index].id,
                    reason="Chưa thỏa đáng", on=day,
                )  # fmt: skip
