"""The audit trail and the verifier's result as files an inspector can file (hồ sơ kiểm tra).

- ``GET …/audit/trail/export``: the trail of a subtree for a period, oldest first, as XLSX (every
  row, written as it comes from a server-side cursor into a constant-memory workbook) or PDF
  (the first ``PDF_ROWS`` rows kept, the rest only counted; the file says how many more the
  XLSX holds; compiled in a child process). Each row: the time in Vietnam,
  the actor and role in Vietnamese, the unit by name, the Vietnamese sentence and the reason.
- ``GET …/audit/verification``: the verifier run now, as JSON signed with the province's audit
  key (Ed25519, the key that signs the seals) or as a PDF report (chain head, seals checked,
  verdict, and the signature to check it by).
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import psycopg
from litestar import Request, Response, get
from litestar.params import FromQuery, QueryParameter

from domain.base import DomainError, InvalidValue
from infra.audit import timetravel
from infra.audit.keys import key_id, key_store_for, raw_public
from infra.audit.verify import Report, verify
from infra.db_roles import tenant_read_connection
from infra.readside import qualified
from infra.tenancy import find_tenant
from projections.audit_sentences import ROLE_VI
from services.context import Ctx, container_of
from services.documents.files import attachment, file_name
from services.documents.model import (
    VN,
    Block,
    Document,
    Heading,
    Signature,
    Signatures,
    Table,
    bold,
    para,
    place_and_date,
    vn_date,
)
from services.documents.render import to_pdf, to_pdf_parts
from services.documents.reports import author, unit_name
from services.documents.sheets import Book, Col
from services.documents.sheets import Heading as SheetHeading

BASE = "/api/v1/t/{tenant:str}/audit"
PDF_ROWS = 3000
TRAIL_COLUMNS = [
    Col("notification_id", "Số thứ tự sự kiện"),
    Col("occurred_on", "Ngày"),
    Col("occurred_time", "Giờ"),
    Col("actor", "Người thực hiện"),
    Col("role", "Vai trò"),
    Col("unit_name", "Tổ chức"),
    Col("sentence", "Nội dung"),
    Col("reason", "Lý do"),
    Col("kind", "Loại sự kiện"),
]


def _trail_sql(schema: str, has_unit: bool) -> str:
    closure, units = qualified(schema, "org_closure"), qualified(schema, "org_units")
    where = "t.occurred_at >= $1 AND t.occurred_at < $2"
    if has_unit:
        where += (
            f" AND t.org_unit_id IN (SELECT descendant_id FROM {closure} WHERE ancestor_id = $3)"
        )
    return (
        "SELECT t.notification_id, t.occurred_at, t.actor_name, t.actor_role, t.kind, t.reason,"
        f" t.sentence, u.name AS unit_name FROM {qualified(schema, 'audit_trail')} AS t"
        f" LEFT JOIN {units} AS u ON u.id = t.org_unit_id WHERE {where}"
        " ORDER BY t.notification_id"
    )


def _row(record: Any) -> dict[str, Any]:
    at = record["occurred_at"].astimezone(VN)
    return {
        "notification_id": record["notification_id"],
        "occurred_on": at.date(),
        "occurred_time": f"{at:%H:%M:%S}",
        "actor": record["actor_name"],
        "role": ROLE_VI.get(record["actor_role"], record["actor_role"]),
        "unit_name": record["unit_name"] or "",
        "sentence": record["sentence"],
        "reason": record["reason"] or "",
        "kind": record["kind"],
    }


@get(
    f"{BASE}/trail/export",
    summary="Xuất nhật ký kiểm tra / the audit trail as XLSX or PDF",
    opt={"files": ("xlsx", "pdf")},
)
async def export_trail(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    since: FromQuery[date],
    until: FromQuery[date],
    unit_id: FromQuery[UUID | None] = None,
    output: Annotated[str, QueryParameter(name="format")] = "xlsx",
) -> Response[Any]:
    if output not in ("xlsx", "pdf"):
        raise InvalidValue(
            "Định dạng phải là xlsx hoặc pdf", "format must be xlsx or pdf", field="format"
        )
    if until < since:
        raise InvalidValue(
            "Ngày kết thúc phải sau ngày bắt đầu", "until must not be before since", field="until"
        )
    node = unit_id or ctx.principal.scope_unit_id
    schema = ctx.app.schema
    start = timetravel.end_of_day(since - timedelta(days=1))
    args: list[Any] = [start, timetravel.end_of_day(until)] + ([node] if node else [])
    readside = container_of(request.app.state).readside
    period = f"Từ {vn_date(since)} đến {vn_date(until)}"
    shown = [c for c in TRAIL_COLUMNS if c.name not in ("kind", "notification_id")]
    kept: list[dict[str, Any]] = []
    count = 0
    buffer = io.BytesIO()
    async with tenant_read_connection(readside, schema) as conn:
        unit = await unit_name(conn.fetch, schema, node) if node else "Toàn tỉnh"
        now = datetime.now(VN)
        heading = SheetHeading(
            "Nhật ký kiểm tra", unit, period, min(until, now.date()), author(ctx), now
        )
        book = Book(buffer) if output == "xlsx" else None
        sheet = book.sheet("Báo cáo", heading, TRAIL_COLUMNS) if book else None
        # Row by row from the server-side cursor: into the sheet (every row), or the first
        # PDF_ROWS kept for the PDF and the rest only counted.
        async for record in conn.cursor(_trail_sql(schema, node is not None), *args):
            count += 1
            if sheet is not None:
                sheet.write(_row(record))
            elif len(kept) < PDF_ROWS:
                kept.append(_row(record))
    name = file_name("Nhật ký kiểm tra", unit, f"{since:%d-%m-%Y} đến {until:%d-%m-%Y}")
    if book is not None and sheet is not None:
        sheet.close()
        book.close()
        return attachment(buffer.getvalue(), name, "xlsx")
    body = tuple(
        tuple(vn_date(r[c.name]) if isinstance(r[c.name], date) else str(r[c.name]) for c in shown)
        for r in kept
    )
    blocks: list[Block] = [
        para(*_pairs(heading.lines())),
        para(bold("Số sự kiện: "), f"{count}."),
        Table(tuple(c.label for c in shown), body, (), (1.35, 0.95, 1.4, 1.2, 1.6, 5, 1.6)),
    ]
    if count > PDF_ROWS:
        blocks.append(para(f"… và {count - PDF_ROWS} sự kiện nữa (xem bản XLSX)."))
    doc = Document("", unit.upper(), "", place_and_date("", until),
                   "Nhật ký kiểm tra", period, tuple(blocks), landscape=True)  # fmt: skip
    out = io.BytesIO()  # in a child process: 3,000 rows are a few hundred MiB of Typst layout
    to_pdf_parts([doc], f"Nhật ký kiểm tra — {unit} — {period}", out)
    return attachment(out.getvalue(), name, "pdf")


def report_body(report: Report, checked_at: datetime) -> dict[str, Any]:
    """The verifier's result as the signed JSON holds it."""
    return {
        "format": "chibo-verification-v1",
        "tenant": report.tenant,
        "checked_at": checked_at.isoformat(),
        "events_checked": report.events,
        "chain_head": report.chain_head,
        "unchained": report.unchained,
        "findings": [
            {"kind": f.kind, "notification_id": f.notification_id, "description": f.describe()}
            for f in report.findings
        ],
        "finding_count": report.finding_count,
        "seals": [
            {
                "seq": s.seq,
                "source": s.source,
                "first": s.first,
                "last": s.last,
                "holds": s.holds,
                "problems": s.problems,
            }
            for s in report.seals
        ],
        "verdict": "intact" if report.ok else "tampered",
        "verdict_vi": "TOÀN VẸN" if report.ok else "CÓ CAN THIỆP",
    }


def canonical_json(body: dict[str, Any]) -> bytes:
    """The exact bytes the signature covers (as for the seals: sorted keys, no spaces)."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@get(
    f"{BASE}/verification",
    sync_to_thread=True,
    summary="Kiểm chứng / verify, signed JSON or PDF",
    opt={"files": ("json", "pdf")},
)
def verification(
    request: Request[Any, Any, Any],
    ctx: Ctx,
    output: Annotated[str, QueryParameter(name="format")] = "json",
) -> Response[Any]:
    if output not in ("json", "pdf"):
        raise InvalidValue(
            "Định dạng phải là json hoặc pdf", "format must be json or pdf", field="format"
        )
    container = container_of(request.app.state)
    keys = key_store_for(container.settings.data_dir)
    report = verify(ctx.app.database, ctx.app.schema, [], keys)
    checked_at = datetime.now(VN)
    body = report_body(report, checked_at)
    key = keys.signing_key(ctx.app.slug)
    public = raw_public(key.public_key())
    signed = {
        "report": body,
        "public_key": public.hex(),
        "key_id": key_id(public),
        "signature": key.sign(canonical_json(body)).hex(),
        "signature_covers": "canonical JSON of 'report' (sorted keys, no spaces, UTF-8)",
    }
    province = province_name(ctx.app.database, ctx.app.slug)
    name = file_name("Kết quả kiểm chứng", province, f"{checked_at:%d-%m-%Y %H%M}")
    if output == "json":
        text = json.dumps(signed, ensure_ascii=False, sort_keys=True, indent=2)
        return attachment(text.encode(), name, "json")
    return attachment(to_pdf(verification_document(signed, checked_at, province)), name, "pdf")


def province_name(database: Any, slug: str) -> str:
    """The province's name as a person reads it (the catalog's), not its slug; the slug when the
    catalog cannot say (a second cluster). The signed JSON keeps the slug, its identifier."""
    try:
        return find_tenant(database, slug).name
    except (DomainError, psycopg.Error):
        return slug


def verification_document(signed: dict[str, Any], checked_at: datetime, province: str) -> Document:
    body = signed["report"]
    seals = tuple(
        (str(s["seq"]), f"#{s['first']}–#{s['last']}", "còn nguyên" if s["holds"] else "không còn đúng",
         "; ".join(s["problems"]))
        for s in body["seals"]
    )  # fmt: skip
    blocks: list[Block] = [
        para(bold("Tỉnh: "), province),
        para(
            bold("Thời điểm kiểm chứng: "), f"{checked_at:%H:%M} ngày {vn_date(checked_at.date())}"
        ),
        para(bold("Số sự kiện đã kiểm: "), str(body["events_checked"])),
        para(
            bold("Đầu chuỗi băm: "), f"#{body['chain_head']}; chưa vào chuỗi: {body['unchained']}"
        ),
        para(bold("Số phát hiện can thiệp: "), str(body["finding_count"])),
        *(para(f["description"]) for f in body["findings"][:50]),
        Heading("CÁC NIÊM PHONG ĐÃ KIỂM"),
        Table(
            ("Số", "Khoảng sự kiện", "Kết quả", "Vấn đề"), seals or (("—", "—", "—", "—"),), (0,)
        ),
        Heading("KẾT LUẬN"),
        para(bold(body["verdict_vi"]), center=True),
        Heading("CHỮ KÝ SỐ (Ed25519)"),
        Table(
            ("Mục", "Giá trị (chia nhóm 16 ký tự cho dễ đọc)"),
            (
                ("Khóa công khai", _grouped(signed["public_key"])),
                ("Mã khóa", signed["key_id"]),
                ("Chữ ký", _grouped(signed["signature"])),
            ),
            (),
            (1, 4),
        ),
        para("Chữ ký phủ nội dung JSON của báo cáo; tải bản JSON để kiểm chứng độc lập."),
        Signatures((Signature("", "", ""), Signature("", "NGƯỜI KIỂM CHỨNG", ""))),
    ]
    return Document("", province.upper(), "", place_and_date("", checked_at.date()),
                    "Kết quả kiểm chứng nhật ký", "Chuỗi băm và niêm phong", tuple(blocks))  # fmt: skip


def _grouped(hex_text: str) -> str:
    """Long hex in groups of 16, so it wraps on paper and reads aloud in pieces."""
    return " ".join(hex_text[i : i + 16] for i in range(0, len(hex_text), 16))


def _pairs(lines: list[tuple[str, str]]) -> list[Any]:
    out: list[Any] = []
    for label, value in lines:
        out += [bold(f"{label}: "), f"{value}. "]
    return out


ROUTES = [export_trail, verification]
