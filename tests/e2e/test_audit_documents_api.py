"""The audit trail as XLSX and PDF, and the verifier's result as signed JSON and as PDF."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime

import openpyxl
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pypdf import PdfReader

from domain.user import Role
from services.documents.audit_docs import canonical_json
from tests.e2e import doc_pictures
from tests.e2e import test_audit_api as audit
from tests.e2e.test_audit_api import as_role, url

pytestmark = pytest.mark.e2e
world = audit.world  # a tree of two cells, two members, one exemption with its reason

PERIOD = {"since": "2020-01-01", "until": "2099-12-31"}


def pdf_text(body: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    return re.sub(r"\s+", " ", text)


def test_the_trail_exports_with_names_and_sentences(client, tenant, container, world):
    headers = as_role(container, tenant, Role.INSPECTOR)
    response = client.get(
        url(tenant, "/trail/export"), params={**PERIOD, "format": "xlsx"}, headers=headers
    )
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Nhật ký kiểm tra"
    top = int(re.match(r"A(\d+)", sheet.freeze_panes).group(1)) - 1
    rows = list(sheet.iter_rows(min_row=top, values_only=True))
    labels, body = rows[0], rows[1:]
    assert labels[:4] == ("Số thứ tự sự kiện", "Ngày", "Giờ", "Người thực hiện")
    col = {name: labels.index(name) for name in labels}
    exempted = [r for r in body if r[col["Loại sự kiện"]] == "Member.Exempted"]
    assert len(exempted) == 1
    row = exempted[0]
    assert "Trần Thị Bình" in row[col["Nội dung"]]
    assert row[col["Lý do"]] == "Ốm dài ngày"
    assert row[col["Vai trò"]] == "bí thư chi bộ"
    assert row[col["Người thực hiện"]] == "Nguyễn Thị An"  # the account's holder, not its id
    assert row[col["Tổ chức"]] == "Chi bộ thôn Một"
    assert isinstance(row[col["Ngày"]], datetime)
    ids = [r[col["Số thứ tự sự kiện"]] for r in body]
    assert ids == sorted(ids)  # oldest first, as a register reads

    # A scoped inspector's export holds only their subtree.
    scoped = as_role(container, tenant, Role.INSPECTOR, scope=world["tree"].committee_b)
    other = client.get(
        url(tenant, "/trail/export"), params={**PERIOD, "format": "pdf"}, headers=scoped
    )
    assert other.status_code == 200, other.text
    doc_pictures.keep("audit-trail", other.content)
    text = pdf_text(other.content)
    assert "NHẬT KÝ KIỂM TRA" in text
    assert "Lê Văn Cường" in text
    assert "Trần Thị Bình" not in text
    assert "Ốm dài ngày" not in text

    bad = client.get(
        url(tenant, "/trail/export"),
        params={"since": "2025-03-01", "until": "2025-01-01"},
        headers=headers,
    )
    assert bad.status_code == 400


def test_the_verification_is_signed_json_and_a_pdf(client, tenant, container, world):
    headers = as_role(container, tenant, Role.AUDITOR)
    client.post(url(tenant, "/seals"), headers=as_role(container, tenant, Role.TENANT_ADMIN))
    response = client.get(url(tenant, "/verification"), headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    signed = json.loads(response.content)
    report = signed["report"]
    assert report["verdict"] == "intact"
    assert report["events_checked"] >= 4
    assert report["chain_head"] >= report["events_checked"] - report["unchained"]
    assert [s["holds"] for s in report["seals"]] == [True]
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signed["public_key"]))
    public.verify(bytes.fromhex(signed["signature"]), canonical_json(report))  # raises if not
    # The key is the one that signs the province's seals.
    seal = client.get(url(tenant, "/seals"), headers=headers).json()[0]
    assert seal["public_key"] == signed["public_key"]
    tampered = {**report, "verdict": "tampered"}
    with pytest.raises(InvalidSignature):
        public.verify(bytes.fromhex(signed["signature"]), canonical_json(tampered))

    pdf = client.get(url(tenant, "/verification"), params={"format": "pdf"}, headers=headers)
    assert pdf.status_code == 200
    doc_pictures.keep("verification", pdf.content)
    text = pdf_text(pdf.content)
    for expected in ("KẾT QUẢ KIỂM CHỨNG NHẬT KÝ", "Đầu chuỗi băm", "còn nguyên", "TOÀN VẸN"):
        assert expected in text, expected
    assert signed["key_id"] in text
    # The province by its name where a person reads, not by its slug (the JSON keeps the slug).
    assert f"Tỉnh: {tenant.name}" in text
    assert tenant.name.upper() in text
    assert tenant.slug not in text.lower()
    assert report["tenant"] == tenant.slug
