"""The province settings (cấu hình của tỉnh) as a page: the rules in force on a day, their dated
history, and the administrator's form to change them from a day.

Read through ``GET …/settings?on=`` and written through ``POST …/settings`` as the signed-in
user, so the same policy decides (every role may read them, but the policy names no unit, so
only province-wide accounts pass; only the province's administrator changes them). The form sends only the groups whose values differ from
those in force on the day the change takes effect (a value left out stays as it is, as the
API says); nothing changed is said beside the date instead of recording an empty change. The
yearly rating rule and the province's extra days off are shown, not edited here (the API and
``chibo settings set`` change them).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, post
from litestar.params import FromPath

from services.web.api import ApiError, call
from services.web.dates import form_days, query_day
from services.web.nav import page_allowed
from services.web.pages import again_on, form_of, form_route, write
from services.web.render import Crumb, FormState, render, today

PAGE = "/t/{tenant:str}/admin/settings"
GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "meeting_window": (("first_day", "Từ ngày"), ("last_day", "Đến ngày")),
    "quality": (("good", "Tốt từ (điểm)"), ("fair", "Khá từ"), ("average", "Trung bình từ")),
    "quality_weights": (
        ("attendance", "Dự họp"), ("preparation", "Chuẩn bị"), ("conduct", "Điều hành"),
        ("principles", "Nguyên tắc"), ("implementation", "Thực hiện"),
    ),
}  # fmt: skip
GROUP_LABELS = {
    "meeting_window": "Ngày sinh hoạt chi bộ định kỳ trong tháng",
    "quality": "Ngưỡng điểm xếp loại chất lượng sinh hoạt",
    "quality_weights": "Trọng số các nhóm tiêu chí (tổng 100)",
}
SINGLES = {
    "rotation_turns_per_meeting": "Số đảng viên tự phê bình mỗi kỳ",
    "petition_response_working_days": "Hạn trả lời kiến nghị (ngày làm việc)",
    "provincial_member_visits_per_year": "Số lần dự sinh hoạt mỗi năm của cấp ủy viên tỉnh",
    "other_member_visits_per_year": "Số lần dự sinh hoạt mỗi năm của cấp ủy viên khác",
}


def api(tenant: str, **query: Any) -> str:
    return f"/api/v1/t/{tenant}/settings" + (f"?{urlencode(query)}" if query else "")


async def settings_page(
    request: Request[Any, Any, Any], tenant: str, state: FormState | None = None, status: int = 200
) -> Response[Any]:
    on = query_day(request.query_params.get("on"), today(), "on")
    view = await call(request, "GET", api(tenant, on=on))
    may_change = await page_allowed(request, "/t/{tenant}/admin/settings/change", "POST")
    return await render(
        request,
        "admin_settings.html",
        status=status,
        state=state,
        view=view,
        s=view["settings"],
        on=on,
        groups=GROUPS,
        group_labels=GROUP_LABELS,
        singles=SINGLES,
        may_change=may_change,
        crumbs=[Crumb("Cấu hình của tỉnh")],
        reload_href=f"/t/{tenant}/admin/settings",
        print_heading="Cấu hình của tỉnh",
    )


settings_read = form_route(PAGE, "Cấu hình của tỉnh / the province settings", settings_page)


def as_int(values: dict[str, Any], name: str, errors: list[tuple[str, str]]) -> int | None:
    text = str(values.get(name) or "").strip()
    if text.isdigit():
        return int(text)
    errors.append((f"settings-{name}", "Nhập một số nguyên không âm"))
    return None


def changes(values: dict[str, Any], current: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The groups and values that differ from those in force that day, and the fields' errors."""
    body: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for group, fields in GROUPS.items():
        given = {f: as_int(values, f"{group}.{f}", errors) for f, _ in fields}
        if None not in given.values() and given != {f: current[group][f] for f, _ in fields}:
            body[group] = given
    for name in SINGLES:
        number = as_int(values, name, errors)
        if number is not None and number != current[name]:
            body[name] = number
    return body, errors


@post(PAGE + "/change", summary="Đổi cấu hình từ một ngày / change the settings from a day")
async def settings_change(request: Request[Any, Any, Any], tenant: FromPath[str]) -> Response[Any]:
    values = await form_of(request)
    again = again_on(request, settings_page)
    days, wrong = form_days("settings", values, ("effective_on",))
    effective_on = days.get("effective_on", "")
    if not effective_on:
        why = wrong or [("settings-effective_on", "Nhập ngày áp dụng")]
        return await again(FormState("settings", values, why), 422)
    try:
        then = await call(request, "GET", api(tenant, on=effective_on))
    except ApiError as error:
        problem = ("settings-effective_on", error.message)
        return await again(FormState("settings", values, [problem]), 422)
    body, errors = changes(values, then["settings"])
    if not errors and not body:
        errors = [("settings-effective_on", "Không có giá trị nào khác với cấu hình đang áp dụng ngày đó")]  # fmt: skip
    if errors:
        return await again(FormState("settings", values, errors), 422)
    return await write(
        request, "settings", values, api(tenant), {"effective_on": effective_on, **body},
        f"/t/{tenant}/admin/settings?on={effective_on}", again, main_field="effective_on",
    )  # fmt: skip


ROUTES: list[Any] = [settings_read, settings_change]
