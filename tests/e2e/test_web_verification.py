"""The auditor's page of the verification: the demo's seal checked, the verdict in words,
the signed files downloaded with the session; a scoped user is refused it (tenant-wide)."""

from __future__ import annotations

import json
import re

import pytest

from services.demo import DEMO_SLUG
from tests.e2e.test_web_roles import follow, signed_in

pytestmark = pytest.mark.e2e
PAGE = f"/t/{DEMO_SLUG}/audit/verification"


def test_the_auditor_runs_the_verification_and_reads_its_result(seeded):
    client = signed_in(seeded, "kiemtoan")
    trail = follow(client, f"/t/{DEMO_SLUG}/audit")
    assert "Niêm phong số 1" in trail.text  # the demo's first seal
    assert f'href="{PAGE}"' in trail.text
    checked = follow(client, PAGE + "?run=1")
    assert "Kết luận: toàn vẹn" in checked.text
    assert "Còn nguyên" in checked.text  # seal 1 recomputed from the events
    assert f"/t/{DEMO_SLUG}/audit/seals/1" in checked.text
    again = follow(client, PAGE)  # the last result is shown without running it again
    assert "Kết luận: toàn vẹn" in again.text
    signed = client.get(PAGE + "/json")
    assert signed.status_code == 200
    assert "attachment" in signed.headers["content-disposition"]
    body = json.loads(signed.content)
    assert body["report"]["verdict"] == "intact"
    assert [s["seq"] for s in body["report"]["seals"]][:1] == [1]
    pdf = client.get(PAGE + "/pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert client.get(PAGE + "/xml").status_code == 404


def test_a_scoped_inspector_and_a_secretary_are_refused_it(seeded):
    for username in ("kiemtra", "bithu"):  # kiemtra is scoped to the province root
        client = signed_in(seeded, username)
        assert client.get(PAGE).status_code == 403, username
        assert client.get(PAGE + "/json").status_code == 403, username


def test_the_last_result_is_kept_for_another_server_with_who_ran_it(seeded, database):
    """Kept in the province's schema, not in a process: a second app instance (its own state,
    its own applications) shows the same last run, the auditor's name and the time."""
    from litestar.testing import TestClient

    from infra.readside import ReadSide
    from infra.tenancy import TenantApplications
    from services.app import create_app
    from services.bootstrap import Container
    from tests.e2e.web_helpers import sign_in

    *_, logins, _, container = seeded
    client = signed_in(seeded, "kiemtoan")
    ran = follow(client, PAGE + "?run=1")
    assert "Kết luận: toàn vẹn" in ran.text
    other = Container(
        container.settings, database, TenantApplications(database, 2), ReadSide(database)
    )
    try:
        with TestClient(create_app(other)) as second:
            assert sign_in(second, DEMO_SLUG, "kiemtoan", logins.password).status_code in (302, 303)
            page = follow(second, PAGE)
    finally:
        other.applications.close()
    assert "Kết luận: toàn vẹn" in page.text
    assert "Lần kiểm chứng gần nhất" in page.text
    assert re.search(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}, do [^<]+ chạy", page.text), page.text
    assert "Chưa ai kiểm chứng" not in page.text
