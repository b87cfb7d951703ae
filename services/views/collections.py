"""Collections of the JSON API (danh mục): the lists a page needs to show and pick from.

Units as a tree, the members of a unit searchable by name, the meetings of a cell by month,
admission cases, petitions, attendance plans and assignments ("my assignments" for an assigned
committee member), user accounts. Each reads projection tables through the asyncpg read pool
as the province's database role, pages with ``limit`` and ``cursor``, sorts with ``sort`` and
``order`` and filters by ``q`` (name contains) and its own fields. The policy table decides who
may call each and checks the unit asked for against the caller's scope; the queries keep to
that unit's subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.base import InvalidValue
from domain.user import Role
from infra.db_roles import tenant_read_connection
from projections import collections as c
from projections import lists, rollups
from projections.deadlines import STEP_KINDS
from projections.lists import ListSpec
from services.context import Ctx
from services.views.collection_schemas import CollectionPage
from services.views.routes import WaitMs, parse_period, readside_of, today, wait

T = "/api/v1/t/{tenant:str}"

Q = Annotated[
    str | None, QueryParameter(max_length=100, description="Tên chứa chuỗi này / name contains")
]
Sort = Annotated[str | None, QueryParameter(description="Cột sắp xếp / column to sort by")]
Order = Annotated[
    str, QueryParameter(pattern="^(asc|desc)$", description="asc (tăng) hoặc desc (giảm)")
]
Limit = Annotated[int, QueryParameter(ge=1, le=500, description="Số dòng một trang / page size")]
Cursor = Annotated[
    str | None,
    QueryParameter(max_length=1000, description="Con trỏ trang sau / next_cursor of the last page"),
]
UnitQuery = Annotated[
    UUID | None,
    QueryParameter(description="Tổ chức gốc của cây con; mặc định: phạm vi của bạn / subtree root"),
]


def one_of(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidValue(
            f"«{name}» phải là một trong: {', '.join(allowed)}",
            f"{name} must be one of {', '.join(allowed)}",
            field=name,
        )
    return value


@dataclass(frozen=True, slots=True)
class Paging:
    """The query parameters every collection shares: the name filter, the sort, the page and
    the read-your-writes wait."""

    q: str | None
    sort: str | None
    order: str
    limit: int
    cursor: str | None
    min_position: int | None
    wait_ms: int


def paging_of(
    q: Q = None,
    sort: Sort = None,
    order: Order = "asc",
    limit: Limit = 100,
    cursor: Cursor = None,
    min_position: FromQuery[int | None] = None,
    wait_ms: WaitMs = 0,
) -> Paging:
    return Paging(q, sort, order, limit, cursor, min_position, wait_ms)


PAGING = {"paging": Provide(paging_of, sync_to_thread=False)}
"""Each collection's handler declares ``paging: Paging`` and gets these parameters."""


async def serve(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    spec: ListSpec,
    params: tuple[Any, ...],
    paging: Paging,
    needs_unit: bool = True,
) -> CollectionPage:
    """One page of ``spec``; ``params[0]`` (the unit) defaults to the scope, then the root."""
    one_of(paging.sort, spec.sorts, "sort")
    reached = await wait(request, ctx, spec.projections, paging.min_position, paging.wait_ms)
    async with tenant_read_connection(readside_of(request), ctx.app.schema) as conn:
        if needs_unit and params[0] is None:
            unit = ctx.principal.scope_unit_id
            if unit is None:
                roots = await conn.fetch(rollups.qualify(ctx.app.schema, rollups.ROOT_SQL))
                unit = roots[0]["id"] if roots else None
            params = (unit, *params[1:])
        try:
            rows, next_cursor = await lists.page(
                conn.fetch,
                ctx.app.schema,
                spec,
                params,
                q=paging.q,
                sort=paging.sort,
                descending=paging.order == "desc",
                limit=paging.limit,
                cursor=paging.cursor,
            )
        except (ValueError, TypeError):
            raise InvalidValue(
                "Con trỏ trang không hợp lệ", "invalid cursor", field="cursor"
            ) from None
    return CollectionPage(spec.name, rows, next_cursor, reached)


LEVELS = (
    "province",
    "direct",
    "grassroots_committee",
    "grassroots_cell",
    "sub_committee",
    "cell",
)


@get(f"{T}/units", summary="Cây tổ chức / units as a tree", dependencies=PAGING)
async def list_units(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: UnitQuery = None,
    depth: Annotated[
        int, QueryParameter(ge=0, le=16, description="Số cấp bên dưới / levels below the unit")
    ] = 1,
    level: Annotated[
        str | None, QueryParameter(description="Chỉ cấp này / only this level")
    ] = None,
    include_dissolved: FromQuery[bool] = False,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """The unit (default: the caller's scope, or the province root) and the units below it to
    ``depth`` levels, in tree order (a unit right after its parent), each with its breadcrumb
    ``path``, the number of units under it and of members in its subtree, for drill-down."""
    one_of(level, LEVELS, "level")
    unit = unit_id or ctx.principal.scope_unit_id
    params = (unit, depth, level, include_dissolved)
    return await serve(request, ctx, c.UNITS, params, paging, needs_unit=False)


STATUSES = ("official", "probationary")


@get(
    f"{T}/units/{{unit_id:uuid}}/members",
    summary="Đảng viên của tổ chức / members of a unit",
    dependencies=PAGING,
)
async def list_members(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: FromPath[UUID],
    status: Annotated[
        str | None, QueryParameter(description="official (chính thức) | probationary (dự bị)")
    ] = None,
    include_departed: FromQuery[bool] = False,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """The members of the cells in the unit's subtree, searchable by name (``q``)."""
    params = (unit_id, one_of(status, STATUSES, "status"), include_departed)
    return await serve(request, ctx, c.MEMBERS, params, paging)


KINDS = ("regular", "thematic", "extraordinary")


@get(
    f"{T}/units/{{unit_id:uuid}}/meetings",
    summary="Sinh hoạt của chi bộ theo tháng / meetings of a cell by month",
    dependencies=PAGING,
)
async def list_meetings(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: FromPath[UUID],
    period: Annotated[
        str | None,
        QueryParameter(description="2026-03, 2026-Q1 hoặc 2026; mặc định tháng này / this month"),
    ] = None,
    kind: Annotated[
        str | None, QueryParameter(description="regular | thematic | extraordinary")
    ] = None,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """The meetings of the cell (or of every cell under a committee) in the period, with their
    kind, time, attendance and rating. A member of the cell may read it."""
    chosen = parse_period(period, today())
    params = (unit_id, chosen.first_day, chosen.last_day, one_of(kind, KINDS, "kind"))
    return await serve(request, ctx, c.MEETINGS, params, paging)


@get(f"{T}/admissions", summary="Hồ sơ kết nạp / admission cases", dependencies=PAGING)
async def list_admission_cases(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: UnitQuery = None,
    step: Annotated[
        str | None,
        QueryParameter(description="Bước hiện tại / current step: " + ", ".join(STEP_KINDS)),
    ] = None,
    overdue: Annotated[
        bool, QueryParameter(description="Chỉ hồ sơ quá hạn / only cases past a deadline")
    ] = False,
    case_state: Annotated[
        str | None, QueryParameter(name="state", description="open (đang xét) | ended")
    ] = None,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """Admission cases in the subtree with the applicant's name, the current step, its due date
    and whether it is overdue today (Vietnamese date)."""
    params = (
        unit_id,
        today(),
        one_of(step, STEP_KINDS, "step"),
        overdue,
        one_of(case_state, ("open", "ended"), "state"),
    )
    return await serve(request, ctx, c.ADMISSION_CASES, params, paging)


PETITION_STATES = ("raised", "forwarded", "accepted", "resolved", "answered", "reopened")


@get(
    f"{T}/supervision/petitions",
    summary="Theo dõi kiến nghị / petitions tracker",
    dependencies=PAGING,
)
async def list_petitions(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: UnitQuery = None,
    wanted_state: Annotated[
        str | None,
        QueryParameter(
            name="state", description="Tình trạng / state: " + ", ".join(PETITION_STATES)
        ),
    ] = None,
    overdue: Annotated[
        bool, QueryParameter(description="Chỉ kiến nghị quá hạn / only overdue petitions")
    ] = False,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """Petitions raised in the subtree's cells, with their state, due date and whether they are
    overdue today; ``q`` searches the category."""
    params = (unit_id, today(), one_of(wanted_state, PETITION_STATES, "state"), overdue)
    return await serve(request, ctx, c.PETITIONS, params, paging)


@get(
    f"{T}/supervision/plans",
    summary="Kế hoạch dự sinh hoạt / attendance plans",
    dependencies=PAGING,
)
async def list_plans(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: UnitQuery = None,
    year: Annotated[int | None, QueryParameter(ge=2000, le=2100, description="Năm / year")] = None,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """Attendance plans of the committees in the subtree, with assignments fulfilled and missed."""
    return await serve(request, ctx, c.PLANS, (unit_id, year), paging)


ASSIGNMENT_STATES = ("assigned", "contacted", "attended", "missed", "reported")


@get(
    f"{T}/supervision/assignments",
    summary="Phân công dự sinh hoạt / attendance assignments",
    dependencies=PAGING,
)
async def list_assignments(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: UnitQuery = None,
    plan_id: Annotated[
        UUID | None, QueryParameter(description="Chỉ kế hoạch này / one plan")
    ] = None,
    wanted_state: Annotated[
        str | None,
        QueryParameter(
            name="state", description="Tình trạng / state: " + ", ".join(ASSIGNMENT_STATES)
        ),
    ] = None,
    assignee_id: Annotated[
        str | None, QueryParameter(max_length=100, description="Người được phân công / assignee")
    ] = None,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """Assignments to attend the meetings of the subtree's cells; ``q`` searches the assignee."""
    params = (unit_id, plan_id, one_of(wanted_state, ASSIGNMENT_STATES, "state"), assignee_id)
    return await serve(request, ctx, c.ASSIGNMENTS, params, paging)


@get(
    f"{T}/supervision/my-assignments",
    summary="Phân công của tôi / my assignments",
    dependencies=PAGING,
)
async def my_assignments(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    wanted_state: Annotated[
        str | None,
        QueryParameter(
            name="state", description="Tình trạng / state: " + ", ".join(ASSIGNMENT_STATES)
        ),
    ] = None,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """The caller's own assignments (an assignment made to their user account)."""
    params = (ctx.principal.user_id, one_of(wanted_state, ASSIGNMENT_STATES, "state"))
    return await serve(request, ctx, c.MY_ASSIGNMENTS, params, paging, needs_unit=False)


@get(f"{T}/users", summary="Tài khoản người dùng / user accounts", dependencies=PAGING)
async def list_users(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    unit_id: UnitQuery = None,
    role: Annotated[
        str | None,
        QueryParameter(description="Vai trò / role: " + ", ".join(r.value for r in Role)),
    ] = None,
    *,
    paging: NamedDependency[Paging],
) -> CollectionPage:
    """User accounts with their role and the unit of their scope (no passwords, ever).

    Without ``unit_id`` a province-wide administrator sees every account, province-wide ones
    too; otherwise the accounts scoped inside the unit's subtree."""
    unit = unit_id or ctx.principal.scope_unit_id
    params = (unit, one_of(role, tuple(r.value for r in Role), "role"))
    return await serve(request, ctx, c.USERS, params, paging, needs_unit=False)


ROUTES: list[Any] = [
    list_units,
    list_members,
    list_meetings,
    list_admission_cases,
    list_petitions,
    list_plans,
    list_assignments,
    my_assignments,
    list_users,
]
