"""The OpenAPI document: the bearer login scheme, a tag per feature, and a description for
every operation and every parameter, from one glossary rather than repeated in each handler.

:func:`describe` completes the document Litestar generates, once, in place, the first time it
is rendered (as JSON or in Swagger UI); handler docstrings stay the first source of an
operation's description.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from services.apidocs.swagger import LocalSwagger

BEARER = "BearerToken"
T = "/api/v1/t/{tenant}"

TAGS: tuple[tuple[str, str, str], ...] = (
    # (tag, path prefix after /api/v1/t/{tenant} or the absolute prefix, description)
    (
        "Tài khoản / identity",
        "/auth",
        "Đăng nhập, phiên, tài khoản và vai trò / sign-in, users, roles",
    ),
    ("Tài khoản / identity", "/users", ""),
    ("Đảng viên / members", "/units/{unit_id}/members", "Hồ sơ đảng viên / member records"),
    ("Đảng viên / members", "/units/{unit_id}/roster", ""),
    ("Đảng viên / members", "/members", ""),
    ("Đảng viên / members", "/transfers", ""),
    (
        "Sinh hoạt chi bộ / meetings",
        "/units/{unit_id}/meetings",
        "Cuộc sinh hoạt chi bộ / meetings",
    ),
    ("Sinh hoạt chi bộ / meetings", "/meetings", ""),
    ("Tổ chức / org tree", "/units", "Cây tổ chức đảng / the org tree"),
    ("Kết nạp đảng viên / admissions", "/admissions", "Hồ sơ kết nạp / admission cases"),
    ("Kết nạp đảng viên / admissions", "/deadlines", ""),
    (
        "Giám sát / supervision",
        "/supervision",
        "Dự sinh hoạt, kiến nghị, tự phê bình / supervision",
    ),
    ("Báo cáo theo cấp / views", "/views", "Báo cáo theo cấp, danh sách kiểm tra / reports, lists"),
    ("Nhật ký, kiểm chứng / audit", "/audit", "Nhật ký kiểm tra, niêm phong / audit trail, seals"),
)
SERVICE_TAG = ("Dịch vụ / service", "Tình trạng dịch vụ / liveness and readiness")
OPERATOR_TAG = ("Quản trị nền tảng / operator", "Tạo tỉnh (mã quản trị) / provisioning")

OPERATIONS: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "Dịch vụ còn chạy (không cần đăng nhập) / the process is alive.",
    ("GET", "/readyz"): "Dịch vụ sẵn sàng: cơ sở dữ liệu trả lời / ready: the database answers.",
    ("POST", "/api/v1/tenants"): (
        "Tạo một tỉnh mới; cần mã quản trị nền tảng (X-Chibo-Operator-Token) / provision a"
        " province; the platform operator's token only."
    ),
    ("GET", f"{T}/supervision/units/{{unit_id}}/petitions"): (
        "Số liệu kiến nghị của cây con: đang mở, quá hạn, đã trả lời / petition figures of the"
        " subtree."
    ),
    ("GET", f"{T}/supervision/units/{{unit_id}}/attendance"): (
        "Số liệu dự sinh hoạt của cấp ủy cấp trên trong cây con / superior attendance figures."
    ),
    ("GET", f"{T}/supervision/units/{{unit_id}}/rotation"): (
        "Độ phủ lượt tự phê bình luân phiên trong cây con / rotation coverage of the subtree."
    ),
    ("GET", f"{T}/views/level"): (
        "Báo cáo theo cấp: số liệu của một tổ chức và từng tổ chức trực thuộc trong kỳ, tính đến"
        " ngày ``as_of``; json, csv hoặc xlsx / per-level figures with drill-down."
    ),
    ("GET", f"{T}/views/lists"): "Các danh sách kiểm tra có sẵn / the inspection lists available.",
    ("GET", f"{T}/views/lists/{{list_name}}"): (
        "Một danh sách kiểm tra (vi phạm) của cây con: lọc, sắp xếp, phân trang, xuất csv/xlsx /"
        " one non-compliance list, filtered, sorted, paged or exported."
    ),
    ("GET", f"{T}/audit/trail"): (
        "Nhật ký kiểm tra của cây con, lọc theo người thực hiện, loại và thời gian / the audit"
        " trail, filtered by subtree, actor, kind and period."
    ),
    ("GET", f"{T}/audit/seals"): "Các lần niêm phong chuỗi băm / the seals of the hash chain.",
    ("GET", f"{T}/audit/seals/{{seq}}"): "Một lần niêm phong, để tải về / one seal, to download.",
    ("GET", "/api/v1/tenants"): "Các tỉnh trên nền tảng / the provinces on the platform.",
    ("POST", f"{T}/auth/login"): (
        "Đăng nhập bằng tên và mật khẩu; trả về access_token (dán vào Authorize) và"
        " refresh_token. Sai nhiều lần thì tài khoản bị khóa tạm thời / sign in; wrong passwords"
        " lock the account for a while."
    ),
    ("POST", f"{T}/auth/refresh"): (
        "Đổi refresh_token lấy cặp mới; dùng lại một refresh_token cũ thì cả phiên bị thu hồi /"
        " rotate the refresh token; reusing an old one revokes the session."
    ),
    ("GET", f"{T}/meetings/{{meeting_id}}"): (
        "Toàn bộ cuộc sinh hoạt: điểm danh, ý kiến, biểu quyết, biên bản, xếp loại, đảng phí."
        " Đảng viên của chi bộ cũng xem được / the whole meeting; the cell's members may read it."
    ),
    ("POST", f"{T}/auth/logout"): (
        "Thu hồi phiên hiện tại (refresh_token không dùng được nữa) / revoke this session."
    ),
    ("GET", f"{T}/auth/me"): (
        "Tài khoản đang đăng nhập: vai trò, phạm vi, hồ sơ đảng viên gắn kèm / the signed-in"
        " account's role, scope and member record."
    ),
    ("GET", f"{T}/units/{{unit_id}}"): (
        "Một tổ chức đảng: tên, cấp, trực thuộc, ngày thành lập, khung ngày sinh hoạt / one unit."
    ),
    ("GET", f"{T}/units/{{unit_id}}/roster"): (
        "Danh sách đảng viên của chi bộ vào một ngày, chính thức và dự bị, người được miễn /"
        " the cell's roster on a day, official and probationary, with exemptions."
    ),
    ("GET", f"{T}/members/{{member_id}}"): (
        "Hồ sơ một đảng viên; tài khoản đảng viên chỉ xem được hồ sơ của mình / one member's"
        " record; a member's account reads only its own."
    ),
    ("GET", f"{T}/admissions/{{case_id}}"): (
        "Hồ sơ kết nạp: các bước đã làm, bước hiện tại và hạn của nó / an admission case, its"
        " steps done, the current one and its deadline."
    ),
    ("GET", f"{T}/supervision/plans/{{plan_id}}"): (
        "Kế hoạch dự sinh hoạt, các phân công và định mức của từng người / a plan, its"
        " assignments and each person's quota."
    ),
    ("GET", f"{T}/supervision/petitions/{{petition_id}}"): (
        "Một kiến nghị và lịch sử xử lý, hạn trả lời / a petition, its handling and due date."
    ),
    ("GET", f"{T}/supervision/cells/{{cell_id}}/rotation"): (
        "Lượt tự phê bình luân phiên: ai đến lượt tiếp theo và vì sao, độ bao phủ của chu kỳ."
        " Đảng viên của chi bộ cũng xem được / the rotation: who is next and why; the cell's"
        " members may read it."
    ),
    ("GET", f"{T}/audit/aggregates/{{aggregate_id}}"): (
        "Trạng thái của một bản ghi tại một vị trí nhật ký, một phiên bản hoặc một ngày, và các"
        " sự kiện đến đó / a record's state as of a position, version or date, with its events."
    ),
    ("GET", f"{T}/meetings/{{meeting_id}}/documents/{{kind}}"): (
        "Dự thảo và các phiên bản của một văn bản của cuộc họp (biên bản, nghị quyết) /"
        " a meeting document's draft and its versions."
    ),
    ("GET", f"{T}/meetings/{{meeting_id}}/documents/{{kind}}/file"): (
        "Tải một phiên bản dưới dạng DOCX hoặc PDF / download one version as DOCX or PDF."
    ),
    ("GET", f"{T}/views/report"): (
        "Báo cáo kết quả sinh hoạt chi bộ của cây con trong kỳ, XLSX hoặc PDF / the report of"
        " the subtree for a period."
    ),
    ("GET", f"{T}/audit/trail/export"): (
        "Nhật ký kiểm tra, đã lọc, dưới dạng XLSX hoặc PDF / the filtered trail as a file."
    ),
    ("GET", f"{T}/audit/verification"): (
        "Kết quả kiểm chứng chuỗi băm và niêm phong, JSON có chữ ký hoặc PDF / the verification"
        " of the hash chain and seals."
    ),
}
"""Descriptions of the operations whose handler has no docstring (others get the notes below)."""

WRITE_NOTE = (
    "Ghi thành sự kiện mới trong nhật ký; lịch sử không bao giờ bị sửa. Gửi kèm"
    " `Idempotency-Key` để bấm hai lần chỉ ghi một lần / recorded as a new event, never an edit;"
    " send an `Idempotency-Key` so a retry records once."
)
CORRECTION_NOTE = (
    "Đính chính sau khi bế mạc, kèm lý do; bản ghi gốc vẫn còn trong nhật ký / a correction after"
    " the close, with its reason; the original stays in the log."
)

PARAMETERS: dict[str, tuple[str, Any]] = {
    # name: (description, example or None)
    "tenant": ("Mã tỉnh (đảng bộ tỉnh) / the province's slug", "demo"),
    "unit_id": (
        "Tổ chức đảng; mặc định: phạm vi của bạn / an org unit (default: your scope)",
        None,
    ),
    "cell_id": ("Chi bộ / the party cell", None),
    "member_id": ("Đảng viên / the member", None),
    "meeting_id": ("Cuộc sinh hoạt chi bộ / the meeting", None),
    "motion_id": ("Vấn đề biểu quyết / the motion", None),
    "case_id": ("Hồ sơ kết nạp / the admission case", None),
    "plan_id": ("Kế hoạch dự sinh hoạt / the attendance plan", None),
    "assignment_id": ("Phân công / the assignment", None),
    "petition_id": ("Kiến nghị / the petition", None),
    "user_id": ("Tài khoản / the user account", None),
    "aggregate_id": ("Bản ghi (tổ chức, đảng viên, cuộc họp…) / any record's id", None),
    "file_name": ("Tên tệp được nhập / the imported file's name", None),
    "import_id": ("Lần nhập dữ liệu / the import", None),
    "job_id": ("Tác vụ lập báo cáo / the report job", None),
    "paper_id": ("Tài liệu của cuộc họp / the meeting paper", None),
    "title": ("Tiêu đề tài liệu / the paper's title", None),
    "name": ("Tên tệp / the file's name", None),
    "reason": ("Lý do / the reason", None),
    "number": ("Số thẻ đảng viên / the party card number", None),
    "secret": (
        "Mã bí mật của địa chỉ lịch, đuôi .ics (POST /me/calendar-feed) / the feed URL's secret",
        None,
    ),
    "seq": ("Số thứ tự lần niêm phong / the seal's number", 1),
    "list_name": (
        "Tên danh sách (xem /views/lists) / a list's name",
        "cells_without_regular_meeting",
    ),
    "period": ("Kỳ: 2026-03, 2026-Q1 hoặc 2026 / the period", "2026-Q1"),
    "as_of": ("Tính đến ngày (yyyy-mm-dd) / as of this day", "2026-04-15"),
    "replay": (
        "Đọc bản dựng lại đến vị trí này (chibo replay --until; xem chibo replay --list) / read"
        " the replay made up to this log position",
        None,
    ),
    "q": ("Tên chứa chuỗi này, không phân biệt hoa thường / name contains", None),
    "sort": ("Cột sắp xếp / the column to sort by", None),
    "order": ("asc (tăng dần) hoặc desc (giảm dần) / sort order", "asc"),
    "limit": ("Số dòng một trang / page size", 50),
    "cursor": (
        "Con trỏ trang sau: next_cursor của trang trước / the previous page's next_cursor",
        None,
    ),
    "format": ("json, csv hoặc xlsx / the output format", "json"),
    "min_position": (
        "Chờ đến khi bảng đọc đã tới vị trí nhật ký này (đọc ngay sau ghi) / read-your-writes:"
        " the log position the answer must include",
        None,
    ),
    "wait_ms": ("Chờ tối đa (mili giây, ≤ 5000) / how long to wait for min_position", 0),
    "actor": ("Người thực hiện (tài khoản) / who did it", None),
    "kind": ("Loại / the kind", None),
    "since": ("Từ thời điểm / from", None),
    "until": ("Đến thời điểm / until", None),
    "start": ("Từ ngày / from the day", None),
    "end": ("Đến ngày / until the day", None),
    "before": ("Trước vị trí này (trang trước) / before this position (paging back)", None),
    "position": ("Vị trí trong nhật ký sự kiện / a position in the event log", None),
    "version": ("Phiên bản của bản ghi / the record's version", None),
    "on": ("Vào ngày / on the day", None),
    "today": (
        "Ngày được coi là hôm nay (mặc định: hôm nay ở Việt Nam) / the day taken as today",
        None,
    ),
    "soon": ("Số ngày tới coi là sắp đến hạn / days ahead counted as due soon", 7),
    "year": ("Năm / the year", 2026),
    "removal_months": (
        "Số tháng bỏ sinh hoạt hoặc không đóng đảng phí để xem xét xóa tên / months that flag"
        " removal",
        None,
    ),
    "depth": ("Số cấp bên dưới tổ chức / levels below the unit", 1),
    "level": ("Cấp tổ chức / the unit's level", "cell"),
    "include_dissolved": ("Gồm cả tổ chức đã giải thể / include dissolved units", False),
    "include_departed": ("Gồm cả đảng viên đã ra khỏi chi bộ / include members who left", False),
    "status": ("Loại đảng viên / official or probationary", None),
    "state": ("Tình trạng / the state", None),
    "step": ("Bước của hồ sơ / the case's step", None),
    "overdue": ("Chỉ những mục quá hạn / only overdue ones", False),
    "assignee_id": ("Người được phân công / the assignee", None),
    "role": ("Vai trò / the role", None),
}
"""The glossary of parameters: one meaning per name across the API."""


def tag_of(path: str) -> str:
    if path.startswith(T):
        rest = path[len(T) :]
        for tag, prefix, _ in TAGS:
            if rest == prefix or rest.startswith(prefix + "/"):
                return tag
    if path.startswith("/api/v1/tenants"):
        return OPERATOR_TAG[0]
    return SERVICE_TAG[0]


def access_note(policy: Any) -> str:
    """Who may call, in the words of the policy table (deny by default)."""
    if policy is None:
        return "**Quyền / access:** không ai / nobody."
    if policy.public:
        return "**Quyền / access:** không cần đăng nhập / no sign-in needed."
    if policy.operator:
        return "**Quyền / access:** mã quản trị nền tảng / the platform operator's token."
    roles = ", ".join(sorted(role.value for role in policy.roles)) or "không ai / nobody"
    if policy.units:
        where = (
            "tổ chức được chạm tới phải thuộc phạm vi của bạn / the unit touched must be inside"
            " your scope"
        )
    elif policy.own_data:
        where = "chỉ dữ liệu của chính bạn / your own data only"
    else:
        where = "chỉ tài khoản toàn tỉnh / province-wide accounts only"
    return f"**Quyền / access:** {roles}; {where}."


def operation_text(method: str, path: str, operation: dict[str, Any], policy: Any) -> str:
    """The handler's docstring or the text above, the write and correction notes, the access."""
    # Without a docstring the operation's summary (Vietnamese / English) says what it does.
    parts = [
        operation.get("description")
        or OPERATIONS.get((method, path))
        or operation.get("summary", "")
    ]
    if "/corrections/" in path:
        parts.append(CORRECTION_NOTE)
    recorded = policy is not None and not (policy.public or policy.operator or "/auth/" in path)
    if method != "GET" and recorded:
        parts.append(WRITE_NOTE)
    parts.append(access_note(policy))
    return "\n\n".join(part for part in parts if part)


def describe(schema: dict[str, Any]) -> dict[str, Any]:
    """Complete the generated document in place (once): tags, descriptions, examples, and no
    login asked of the public operations (health, sign-in, token refresh)."""
    from services.policies import policy_for

    if schema.get("x-chibo-described"):
        return schema
    schema["x-chibo-described"] = True
    used: set[str] = set()
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            tag = tag_of(path)
            operation["tags"] = [tag]
            used.add(tag)
            policy = policy_for(method, path)
            operation["description"] = operation_text(method.upper(), path, operation, policy)
            if policy is not None and (policy.public or policy.operator):
                operation["security"] = []
            for parameter in operation.get("parameters", []):
                meaning, example = PARAMETERS.get(parameter["name"], ("", None))
                if not parameter.get("description"):
                    parameter["description"] = meaning
                if example is not None and "example" not in parameter:
                    parameter["example"] = example
    described = {tag: text for tag, _, text in TAGS if text}
    described.update(dict([SERVICE_TAG, OPERATOR_TAG]))
    schema["tags"] = [{"name": name, "description": described.get(name, "")} for name in used]
    schema["tags"].sort(
        key=lambda t: list(described).index(t["name"]) if t["name"] in described else 99
    )
    return schema


class DescribedJson(JsonRenderPlugin):
    """``/schema/openapi.json``, completed by :func:`describe`."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, describe(openapi_schema))


class DescribedSwagger(LocalSwagger):
    """Swagger UI over the completed document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, describe(openapi_schema))


def openapi_config(more: str = "") -> OpenAPIConfig:
    """The document's settings; ``more`` is appended to its description."""
    return OpenAPIConfig(
        title="Chibo API",
        version="0.1.0",
        description=(
            "Sinh hoạt chi bộ — hoạt động và giám sát chi bộ, theo từng tỉnh. Đăng nhập bằng"
            " `POST /api/v1/t/{tenant}/auth/login`, rồi bấm **Authorize** và dán `access_token`."
            "\n\nParty-cell activity and its supervision, per province. Sign in with"
            " `POST /api/v1/t/{tenant}/auth/login`, then press **Authorize** and paste the"
            " `access_token`." + (f"\n\n{more}" if more else "")
        ),
        path="/schema",
        render_plugins=[DescribedSwagger(), DescribedJson()],
        use_handler_docstrings=True,
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="access_token từ /auth/login / the access token from /auth/login",
                )
            }
        ),
        security=[{BEARER: []}],
    )
