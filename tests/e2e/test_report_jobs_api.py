"""Report jobs over HTTP: asked for with 202, made by a dramatiq worker, followed, downloaded.

The province is the one of the views tests (P › D1, D2 › …). The worker runs in-process on the
stub broker; the file it keeps must hold what the direct report holds, read back with openpyxl
and pypdf, and its recorded SHA-256 must be the hash of the bytes downloaded.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import openpyxl
import pytest
from psycopg import sql
from pypdf import PdfReader

from domain.user import Role
from infra import document_store
from infra.settings import load_settings
from services import workers
from services.documents import job_store
from services.security import store
from services.security.store import execute
from tests.e2e import test_views_api as views
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.test_exports_api import table
from tests.e2e.test_views_api import Q1, url

pytestmark = pytest.mark.e2e
setup = views.setup  # the province of the views tests, caught up


@pytest.fixture
def runtime(container, setup):
    started = workers.configure(container.database, None, threads=2, tick_seconds=None)
    yield started
    workers.shutdown()


def ask(client, tenant, headers, **params):
    return client.post(url(tenant, "/report/jobs"), params={**Q1, **params}, headers=headers)


def finished(client, tenant, headers, job_id: str) -> dict:
    """Poll the job until it is done or failed; every answer's progress only moves forward."""
    seen = []
    for _ in range(600):
        body = client.get(url(tenant, f"/report/jobs/{job_id}"), headers=headers).json()
        progress = body["progress"]
        seen.append(progress["steps_done"])
        assert progress["steps_done"] <= progress["steps_total"]
        if body["status"] in ("done", "failed"):
            assert seen == sorted(seen)
            return body
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not finished: {body}")


def test_an_xlsx_job_is_made_by_a_worker_and_holds_the_whole_report(client, tenant, setup, runtime):
    _, _, headers = setup
    answer = ask(client, tenant, headers, format="xlsx")
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["status"] in ("queued", "running", "done")
    assert job["progress"]["steps_total"] == 10  # figures, eight appendices, the stored file
    assert job["requested_by"] == "test-inspector"

    done = finished(client, tenant, headers, job["id"])
    assert done["status"] == "done", done
    assert done["status_vi"] == "đã xong"
    assert done["progress"]["steps_done"] == done["progress"]["steps_total"]
    file = client.get(done["file_url"], headers=headers)
    assert file.status_code == 200
    assert file.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        "bao-cao-ket-qua-sinh-hoat-chi-bo-p-quy-i-2025.xlsx"
        in (file.headers["content-disposition"])
    )
    digest = hashlib.sha256(file.content).hexdigest()
    assert file.headers["x-content-sha256"] == digest == done["sha256"]
    assert done["size"] == len(file.content)

    direct = client.get(url(tenant, "/report"), params={**Q1, "format": "xlsx"}, headers=headers)
    made = openpyxl.load_workbook(io.BytesIO(file.content))
    asked = openpyxl.load_workbook(io.BytesIO(direct.content))
    assert made.sheetnames == asked.sheetnames
    rows_in_appendices = 0
    for name in made.sheetnames:
        labels, rows = table(made[name])
        assert (labels, rows) == table(asked[name]), name
        if name != "Báo cáo":
            rows_in_appendices += len(rows)
    assert rows_in_appendices > 0
    assert done["progress"]["rows_written"] == rows_in_appendices
    # The file stays: asked again later, the same bytes.
    again = client.get(done["file_url"], headers=headers)
    assert hashlib.sha256(again.content).hexdigest() == digest


def test_a_pdf_job_reads_as_the_report(client, tenant, setup, runtime):
    _, _, headers = setup
    answer = ask(client, tenant, headers, format="pdf")
    assert answer.status_code == 202, answer.text
    done = finished(client, tenant, headers, answer.json()["id"])
    assert done["status"] == "done", done
    file = client.get(done["file_url"], headers=headers)
    assert file.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(file.content)).pages
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in pages))
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BÁO CÁO KẾT QUẢ SINH HOẠT CHI BỘ",
        "Quý I/2025",
        "Tỷ lệ dự họp",
        "75,0%",
        "PHỤ LỤC 1. CHI BỘ KHÔNG SINH HOẠT THƯỜNG KỲ TRONG THÁNG (2)",
    ):
        assert expected in text, expected


def test_a_job_is_read_within_its_scope_and_its_file_only_when_done(
    client, container, tenant, setup, runtime
):
    _, app, headers = setup
    level = client.get(url(tenant, "/level"), params=Q1, headers=headers).json()
    d1, d2 = (c["id"] for c in level["children"])
    scoped = bearer(token(container, tenant.slug, Role.INSPECTOR, d2))
    answer = ask(client, tenant, scoped, format="xlsx")
    assert answer.status_code == 202, answer.text
    assert answer.json()["unit_id"] == d2  # the caller's own scope by default
    done = finished(client, tenant, scoped, answer.json()["id"])
    assert done["status"] == "done", done
    assert "D2" in done["file_name"]

    # The province-wide job of the tenant-wide inspector is not the D2 inspector's to read.
    wide = ask(client, tenant, headers, format="xlsx").json()
    refused = client.get(url(tenant, f"/report/jobs/{wide['id']}"), headers=scoped)
    assert refused.status_code == 403
    refused = client.get(url(tenant, f"/report/jobs/{wide['id']}/file"), headers=scoped)
    assert refused.status_code == 403
    # Asking for a unit outside one's scope is refused before any job is made.
    outside = ask(client, tenant, scoped, format="xlsx", unit_id=d1)
    assert outside.status_code == 403

    # A job not yet made: its file is a clear 409, not an empty download.
    waiting = job_store.Job(uuid4(), "xlsx", None, "2025-Q1", done["as_of"], "x", "x", "queued",
                            "", 0, 10, 0, None, None, None, None, None, None, None)  # fmt: skip
    job_store.create(app, waiting)
    response = client.get(url(tenant, f"/report/jobs/{waiting.id}/file"), headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "report_not_ready"
    missing = client.get(url(tenant, f"/report/jobs/{uuid4()}"), headers=headers)
    assert missing.status_code == 404

    # A job whose worker ended without a word reads as interrupted, not as forever queued.
    shown = client.get(url(tenant, f"/report/jobs/{waiting.id}"), headers=headers).json()
    assert shown["status"] == "queued"
    job_store.update(app, waiting.id, requested_at=datetime.now(UTC) - timedelta(hours=3))
    shown = client.get(url(tenant, f"/report/jobs/{waiting.id}"), headers=headers).json()
    assert shown["status"] == "failed"
    assert "gián đoạn" in shown["error"]


def test_without_workers_the_job_is_refused_clearly(client, tenant, setup):
    _, _, headers = setup
    workers.shutdown()
    answer = ask(client, tenant, headers, format="xlsx")
    assert answer.status_code == 409
    assert answer.json()["code"] == "report_workers_unavailable"
    bad = ask(client, tenant, headers, format="csv")
    assert bad.status_code == 400


def blob_written(app, body: bytes, transient: bool) -> str:
    writer = document_store.BlobWriter(app, 1 << 20, transient=transient)
    writer.write(body)
    return writer.finish("application/pdf").sha256


def backdate(app, sha256: str, days: float) -> None:
    execute(
        app,
        sql.SQL("UPDATE {} SET stored_at = now() - make_interval(days => %s) WHERE sha256 = %s")
        .format(store.table(app, "doc_blobs")),
        (int(days), sha256),
    )  # fmt: skip


def blob_id(app, sha256: str):
    rows = execute(
        app, sql.SQL("SELECT blob_id FROM {} WHERE sha256 = %s").format(store.table(app, "doc_blobs")),
        (sha256,),
    )  # fmt: skip
    return rows[0][0]


def chunks_of(app, blob: UUID) -> int:
    query = sql.SQL("SELECT count(*) FROM {} WHERE blob_id = %s").format(
        store.table(app, "doc_chunks")
    )
    return execute(app, query, (blob,))[0][0]


def test_finished_jobs_and_their_files_are_kept_for_the_set_days_then_dropped_by_the_tick(
    client, tenant, setup, runtime
):
    _, app, headers = setup
    old = finished(
        client, tenant, headers, ask(client, tenant, headers, format="xlsx").json()["id"]
    )
    assert old["status"] == "done", old
    ago = datetime.now(UTC) - timedelta(days=runtime.report_keep_days + 1)
    job_store.update(app, UUID(old["id"]), finished_at=ago, requested_at=ago)
    backdate(app, old["sha256"], runtime.report_keep_days + 1)

    # A job still within its days holds its file, however old the file itself is.
    held = blob_written(app, b"held by a recent job", transient=True)
    recent = job_store.Job(uuid4(), "pdf", None, "2025-Q1", ago.date(), "x", "x", "queued",
                           "", 0, 10, 0, None, None, None, None, None, None, None)  # fmt: skip
    job_store.create(app, recent)
    job_store.update(app, recent.id, status="done", sha256=held, stamp="finished_at")
    # The same bytes stored on purpose too (a paper uploaded with a report's bytes) stay.
    kept = blob_written(app, b"a report also uploaded as a paper", transient=True)
    assert blob_written(app, b"a report also uploaded as a paper", transient=False) == kept
    # A transient file no job holds any more goes.
    loose = blob_written(app, b"a report whose job is gone", transient=True)
    for sha in (held, kept, loose):
        backdate(app, sha, runtime.report_keep_days + 1)
    blobs = {sha: blob_id(app, sha) for sha in (old["sha256"], held, kept, loose)}
    assert all(chunks_of(app, b) > 0 for b in blobs.values())

    runtime.tick()
    runtime.broker.join(runtime.queue, timeout=60_000)

    assert client.get(url(tenant, f"/report/jobs/{old['id']}"), headers=headers).status_code == 404
    gone = client.get(url(tenant, f"/report/jobs/{old['id']}/file"), headers=headers)
    assert gone.status_code == 404
    for sha in (old["sha256"], loose):
        assert document_store.blob(app, sha) is None
        assert chunks_of(app, blobs[sha]) == 0  # no chunk of a dropped file is left behind
    shown = client.get(url(tenant, f"/report/jobs/{recent.id}"), headers=headers)
    assert shown.status_code == 200
    assert shown.json()["status"] == "done"
    for sha in (held, kept):
        assert document_store.blob(app, sha) is not None
        assert b"".join(document_store.read_chunks(app, sha))


def test_the_days_kept_are_set_by_the_environment():
    assert load_settings({}).report_keep_days == 7
    assert load_settings({"CHIBO_REPORT_KEEP_DAYS": "0.5"}).report_keep_days == 0.5
