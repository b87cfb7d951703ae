"""The meeting run (điều hành sinh hoạt): one screen in agenda order, each section saves alone.

``GET /t/{tenant}/meetings/{id}`` shows the whole meeting; each section posts to its own route
(``…/attendance``, ``…/opinions``…), which sends one API command and returns to the section
(with htmx the main area is swapped in place, so every form keeps a current version). Closing
goes through a check-your-answers page; after close, corrections ask for a reason.
"""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

import anyio
from litestar import Request, Response, get, post
from litestar.params import FromPath

from domain.meeting_vote_checks import base_for, rule_set_of
from domain.rules import RULES
from domain.voting import MotionKind, decide
from services.context import container_of
from services.meetings import commands as meetings
from services.meetings import quality_ballot
from services.meetings.policies import POLICIES as MEETING_POLICIES
from services.meetings.view_schemas import meeting_view
from services.security.policy import T
from services.web import data
from services.web.api import ApiError, call
from services.web.meeting_forms import QUALITY_FIELDS, QUALITY_LABELS, SECTIONS, FieldProblem
from services.web.nav import page_allowed
from services.web.pages import form_of, write
from services.web.render import Crumb, FormState, principal_of, render, today

ONE = "/t/{tenant:str}/meetings/{meeting_id:uuid}"
WRITER_ROLES = frozenset(
    role.value for role in MEETING_POLICIES[("POST", f"{T}/meetings/{{meeting_id}}/close")].roles
)
"""Who may record the meeting: the roles of the API's close route (the same policy table)."""


def meeting_facts(app: Any, tenant: str, meeting_id: UUID) -> dict[str, Any]:
    """Everything the run page shows, with names in place of ids."""
    meeting = meetings.load_meeting(app, meeting_id)
    view = meeting_view(meeting)
    roster_ids = [a.member_id for a in view.attendance]
    if not roster_ids:  # not opened yet: the cell's members today, to choose chair and secretary
        roster_ids = [row.id for row in data.cell_members(app, meeting.cell_id, today())]
    names = data.member_names(app, roster_ids)
    speakers = dict(names)
    speakers.update({g.id: f"{g.name} (khách mời)" for g in view.guests})
    present = {a.member_id for a in view.attendance if a.mark and a.mark.value == "present"}
    voters = [
        a.member_id
        for a in view.attendance
        if a.status == "official" and not a.suspended and a.member_id in present
    ]
    order = data.by_given_name(names)
    attendance = sorted(view.attendance, key=lambda a: order.index(a.member_id))
    probationers = [a.member_id for a in view.attendance if a.status == "probationary"]
    trail = data.crumbs(app, tenant, meeting.cell_id)
    # Before a motion is decided, show the base and the count it will need (the same rule).
    pending = {}
    if meeting.held_on is not None:
        rules = rule_set_of(meeting, RULES)
        for motion in meeting.motions.values():
            if motion.result is None:
                base = base_for(meeting, motion.kind)
                pending[motion.id] = (base, decide(motion.kind, 0, base, rules)[1])
    return {
        "pending": pending,
        "m": view,
        "meeting": meeting,
        "names": names,
        "speakers": speakers,
        "order": order,
        "attendance": attendance,
        "voters": data.by_given_name({v: names[v] for v in voters}),
        "present": present,
        "probationers": probationers,
        "superior": next((g for g in view.guests if g.is_superior), None),
        "crumbs": [*trail, Crumb(f"Sinh hoạt tháng {view.month}/{view.year}")],
        "cell_name": trail[-1].label if trail else "",
        "payers": set(view.dues_payer_ids),
        "unpaid": set(view.dues_unpaid_ids),
        "ballot": quality_ballot.find_ballot(app, meeting_id),
        "superiors": [g for g in view.guests if g.is_superior],
    }


async def meeting_page(
    request: Request[Any, Any, Any],
    meeting_id: UUID,
    state: FormState | None = None,
    status: int = 200,
    template: str = "meeting.html",
) -> Response[Any]:
    tenant = request.path_params["tenant"]
    app = container_of(request.app.state).applications.get(tenant)
    facts = await anyio.to_thread.run_sync(meeting_facts, app, tenant, meeting_id)
    rotation: dict[str, Any] = {}
    # A cell without a schedule yet: the section then offers every member present.
    with contextlib.suppress(ApiError):
        # with the meeting: while it runs, an absent member due is replaced, by name
        rotation = await call(
            request,
            "GET",
            f"/api/v1/t/{tenant}/supervision/cells/{facts['m'].cell_id}/rotation"
            f"?meeting_id={meeting_id}",
        )
    cell_page = "/t/{tenant}/units/{unit_id}/members"
    if not await page_allowed(request, cell_page, unit_id=str(facts["m"].cell_id)):
        # a member reads her meeting but not the cell's register: the crumb is text, not a link
        facts["crumbs"] = [Crumb(c.label) for c in facts["crumbs"]]
    principal = principal_of(request)
    return await render(
        request,
        template,
        status=status,
        state=state,
        # readers of the subtree and the cell's own members see the run; only writers change it
        readonly=principal is None or principal.role not in WRITER_ROLES,
        rotation=rotation,
        reload_href=f"/t/{tenant}/meetings/{meeting_id}",
        quality_fields=QUALITY_FIELDS,
        quality_labels=QUALITY_LABELS,
        motion_kinds=[k.value for k in MotionKind],
        print_heading=f"{facts['cell_name']} — sinh hoạt tháng {facts['m'].month}/{facts['m'].year}",
        **facts,
    )


@get(ONE, summary="Điều hành sinh hoạt / the meeting run")
async def run(
    request: Request[Any, Any, Any], tenant: FromPath[str], meeting_id: FromPath[UUID]
) -> Response[Any]:
    return await meeting_page(request, meeting_id)


@get(ONE + "/close", summary="Kiểm tra trước khi bế mạc / check your answers before closing")
async def check_before_close(
    request: Request[Any, Any, Any], tenant: FromPath[str], meeting_id: FromPath[UUID]
) -> Response[Any]:
    return await meeting_page(request, meeting_id, template="meeting_close.html")


def form_id(action: str, motion_id: UUID | None) -> str:
    return action.replace("{motion_id}", str(motion_id or "")).replace("/", "-")


async def submit(
    request: Request[Any, Any, Any], action: str, meeting_id: UUID, motion_id: UUID | None
) -> Response[Any]:
    section = SECTIONS[action]
    tenant = request.path_params["tenant"]
    values = await form_of(request)
    form = form_id(action, motion_id)
    back_to = "meeting_close.html" if action == "close" else "meeting.html"

    async def again(state: FormState, status: int) -> Response[Any]:
        return await meeting_page(request, meeting_id, state, status, back_to)

    try:
        body = section.body(values, form)
    except FieldProblem as problem:
        return await again(FormState(form, values, problem.problems), 422)
    api_path = (section.api or f"/meetings/{{meeting_id}}/{action}").format(
        meeting_id=meeting_id, motion_id=motion_id
    )
    return await write(
        request,
        form,
        values,
        f"/api/v1/t/{tenant}{api_path}",
        body,
        f"/t/{tenant}/meetings/{meeting_id}#{section.anchor}",
        again,
        main_field=section.main_field,
    )


def section_route(action: str) -> Any:
    """One POST route per section; the motion's id is in the path where the section has one."""
    path = f"{ONE}/{action}".replace("{motion_id}", "{motion_id:uuid}")
    summary = f"Ghi mục «{action}» của cuộc họp / save one section of the meeting"
    if "{motion_id}" in action:

        async def motion_handler(
            request: Request[Any, Any, Any],
            tenant: FromPath[str],
            meeting_id: FromPath[UUID],
            motion_id: FromPath[UUID],
        ) -> Response[Any]:
            return await submit(request, action, meeting_id, motion_id)

        handler: Any = motion_handler
    else:

        async def meeting_handler(
            request: Request[Any, Any, Any], tenant: FromPath[str], meeting_id: FromPath[UUID]
        ) -> Response[Any]:
            return await submit(request, action, meeting_id, None)

        handler = meeting_handler
    handler.__name__ = "save_" + form_id(action, None).replace("-", "_")
    return post(path, summary=summary, name=f"web-meeting-{form_id(action, None)}")(handler)


ROUTES: list[Any] = [run, check_before_close, *(section_route(a) for a in SECTIONS)]
