"""Rendering pages: the Jinja2 environment, Vietnamese formats, the layout's context, form state.

Dates read dd/mm/yyyy and times are shown in Asia/Ho_Chi_Minh whatever the server's zone;
amounts in đồng with dot separators. Every form gets a CSRF token and a fresh
``Idempotency-Key`` (one per render, so a double click sends the same key twice).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response
from litestar.enums import MediaType

from services.context import PRINCIPAL_KEY, Principal, container_of
from services.web.dates import MONTH_PATTERN, TIME_PATTERN, typed_day, typed_month
from services.web.dates import PATTERN as DAY_PATTERN
from services.web.session import csrf_token, seed_of

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact."""

ROLE_LABELS = {
    "tenant_admin": "Quản trị tỉnh",
    "secretary": "Bí thư chi bộ",
    "superior_member": "Cấp ủy viên cấp trên",
    "inspector": "Ủy ban kiểm tra",
    "auditor": "Kiểm toán",
    "member": "Đảng viên",
}
MARK_LABELS = {"present": "Có mặt", "excused": "Vắng có lý do", "unexcused": "Vắng không lý do"}
RATING_LABELS = {
    "tot": "Tốt",
    "kha": "Khá",
    "trung_binh": "Trung bình",
    "kem": "Kém",
}
RESULT_LABELS = {"passed": "Được thông qua", "failed": "Không được thông qua"}
KIND_LABELS = {
    "regular": "Sinh hoạt thường kỳ",
    "thematic": "Sinh hoạt chuyên đề",
    "extraordinary": "Sinh hoạt bất thường",
    "committee_premeeting": "Họp chi ủy",
}
MOTION_LABELS = {
    "general": "Nghị quyết, chủ trương",
    "admission": "Kết nạp đảng viên",
    "recognition": "Công nhận đảng viên chính thức",
    "minutes": "Thông qua biên bản",
    "discipline": "Kỷ luật đảng viên",
}
METHOD_LABELS = {
    "show_of_hands": "Giơ tay",
    "secret_ballot": "Bỏ phiếu kín",
    "roll_call": "Ghi phiếu từng người",
}
CHOICE_LABELS = {"for": "Tán thành", "against": "Không tán thành", "abstain": "Không biểu quyết"}
STATUS_LABELS = {"official": "Chính thức", "probationary": "Dự bị"}


def today() -> date:
    """Today in Vietnam, not on the server's clock."""
    return datetime.now(VIETNAM).date()


def day(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def clock(value: datetime | str | None) -> str:
    """``14:00 ngày 03/11/2023`` in Vietnamese time."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(VIETNAM) if value.tzinfo else value
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def local(value: datetime) -> datetime:
    return value.astimezone(VIETNAM) if value.tzinfo else value


def iso_day(value: datetime | None) -> str:
    """For ``<input type=date>``: the Vietnamese day as YYYY-MM-DD."""
    return local(value).date().isoformat() if value else ""


def hm(value: datetime | None) -> str:
    """For a time field (``time_input``): HH:MM, 24-hour, in Vietnamese time."""
    return f"{local(value):%H:%M}" if value else ""


def vnd(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value:,}".replace(",", ".") + " đ"


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(day=day, clock=clock, vnd=vnd, iso_day=iso_day, hm=hm)
    env.filters.update(typed_day=typed_day, typed_month=typed_month)  # the typed fields' values
    env.globals.update(
        ROLE_LABELS=ROLE_LABELS,
        MARK_LABELS=MARK_LABELS,
        RATING_LABELS=RATING_LABELS,
        RESULT_LABELS=RESULT_LABELS,
        CHOICE_LABELS=CHOICE_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        KIND_LABELS=KIND_LABELS,
        MOTION_LABELS=MOTION_LABELS,
        METHOD_LABELS=METHOD_LABELS,
        DAY_PATTERN=DAY_PATTERN,
        TIME_PATTERN=TIME_PATTERN,
        MONTH_PATTERN=MONTH_PATTERN,
    )
    return env


ENV = make_env()


@dataclass
class FormState:
    """A submitted form that failed: which form, its values, and the errors by field id."""

    form: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    stale: bool = False

    def error_for(self, name: str) -> str:
        return next((message for field_id, message in self.errors if field_id == name), "")


@dataclass(frozen=True)
class Crumb:
    label: str
    href: str | None = None


def principal_of(request: Request[Any, Any, Any]) -> Principal | None:
    found = request.scope.get(PRINCIPAL_KEY)
    return found if isinstance(found, Principal) else None


def province_name(request: Request[Any, Any, Any], slug: str) -> str:
    from infra.tenancy import find_tenant

    cache: dict[str, str] = request.app.state.setdefault("web_province_names", {})
    if slug not in cache:
        with contextlib.suppress(Exception):
            cache[slug] = find_tenant(container_of(request.app.state).database, slug).name
    return cache.get(slug, slug)


def user_label(request: Request[Any, Any, Any], principal: Principal) -> str:
    from services.identity.auth import load_account

    app = container_of(request.app.state).applications.get(principal.tenant)
    with contextlib.suppress(Exception):
        account = load_account(app, UUID(principal.user_id))
        return account.display_name or account.username
    return ROLE_LABELS.get(principal.role, principal.role)


def nav_of(request: Request[Any, Any, Any], principal: Principal | None, tenant: str | None) -> Any:
    """The navigation bar's links: only the pages the policy lets this user open."""
    if principal is None or not tenant:
        return []
    from services.policies import POLICIES
    from services.web.nav import nav_links

    app = container_of(request.app.state).applications.get(tenant)
    return nav_links(app, POLICIES, principal, tenant, request.url.path)


def layout_sync(request: Request[Any, Any, Any]) -> dict[str, Any]:
    principal = principal_of(request)
    tenant = request.path_params.get("tenant") or (principal.tenant if principal else None)
    return {
        "principal": principal,
        "tenant": tenant,
        "province": province_name(request, tenant) if tenant else "",
        "user": user_label(request, principal) if principal else "",
        "role": ROLE_LABELS.get(principal.role, "") if principal else "",
        "nav": nav_of(request, principal, tenant),
    }


async def render(
    request: Request[Any, Any, Any],
    template: str,
    status: int = 200,
    **context: Any,
) -> Response[str]:
    layout = await anyio.to_thread.run_sync(layout_sync, request)
    seed = seed_of(request.scope)
    token = csrf_token(request.app.state.signer, seed) if seed else ""
    html = ENV.get_template(template).render(
        **layout,
        csrf_token=token,
        new_key=lambda: uuid4().hex,
        path=request.url.path,
        **context,
    )
    return Response(html, status_code=status, media_type=MediaType.HTML)
