"""Report jobs (tác vụ lập báo cáo): a large report made by a worker and kept for download.

A province-wide yearly report takes longer than a request should wait. ``POST …/views/report/
jobs`` records a job in ``report_jobs`` and sends ``make_report(tenant, job_id)`` to the
dramatiq workers (:mod:`services.workers`); it answers 202 with the job's id at once. The
worker then:

1. gathers the node's figures and its children (in one read-only transaction as the
   province's database role, which the appendices are read in too);
2. streams each appendix list from a server-side cursor (``prefetch`` rows at a time) straight
   into the file: every row into the XLSX, which xlsxwriter writes to a temporary file in
   constant-memory mode; for the PDF only the first ``APPENDIX_ROWS`` rows of each list are
   kept (the rest are counted, and the PDF says how many are in the XLSX), and it is compiled
   one part at a time (``render.to_pdf_parts``), so Typst's memory is that of one appendix;
3. stores the file in the document store (content-addressed chunks, ``infra.document_store``)
   and records its SHA-256, size and name.

After each step the job's row says how far it is (steps done of steps total, rows written, the
stage in Vietnamese), which ``GET …/jobs/{job_id}`` reads; the file stays downloadable from
``GET …/jobs/{job_id}/file``. A job is not an event: asking for a file changes no record.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.base import DomainError
from infra.application import TenantApplication
from infra.database import Database
from infra.db_roles import tenant_read_connection
from infra.document_store import BlobWriter
from infra.readside import ReadSide
from projections import rollups
from projections.lists import ListSpec
from projections.registry import list_named
from services.documents import sheets
from services.documents.files import MEDIA
from services.documents.job_store import Job, find, update
from services.documents.render import to_pdf_parts
from services.documents.report_routes import TITLE, Report, gather
from services.documents.reports import APPENDICES, APPENDIX_ROWS, parts, report_document
from services.documents.sheets import Col

log = logging.getLogger(__name__)

PREFETCH = 500
"""Rows the server-side cursor sends per round trip: memory is this many rows, not the list."""
PROGRESS_EVERY = 5000
"""Rows between two progress updates within one appendix."""
MAX_FILE = 2 * 1024**3


def specs() -> list[ListSpec]:
    return [s for s in map(list_named, APPENDICES) if s is not None]


def steps_total() -> int:
    """The figures, each appendix, and storing the file."""
    return len(specs()) + 2


def run_job(app: TenantApplication, database: Database, job_id: UUID) -> None:
    """Make the job's file (the worker's entry); a failure is recorded on the job, not raised."""
    job = find(app, job_id)
    if job is None or job.status != "queued":
        return  # unknown, or a duplicate delivery of a job already taken
    update(app, job_id, status="running", stage="Số liệu chung", stamp="started_at")
    try:
        with tempfile.TemporaryDirectory(prefix="chibo-report-") as folder:
            path = Path(folder) / f"report.{job.output}"
            name = asyncio.run(_make(app, database, job, path))
            stored = _store(app, path, job.output)
        update(app, job_id, status="done", stage="Đã lưu tệp", steps_done=steps_total(),
               file_name=name, sha256=stored.sha256, size=stored.size,
               stamp="finished_at")  # fmt: skip
    except DomainError as error:
        update(app, job_id, status="failed", error=f"{error.vi} / {error.en}",
               stamp="finished_at")  # fmt: skip
    except Exception as error:
        log.exception("report job %s of %s failed", job_id, app.slug)
        update(app, job_id, status="failed", stamp="finished_at",
               error=f"Lỗi hệ thống khi lập báo cáo / internal error ({type(error).__name__})")  # fmt: skip


async def _make(app: TenantApplication, database: Database, job: Job, path: Path) -> str:
    readside = ReadSide(database, 1, 1)
    try:
        async with tenant_read_connection(readside, app.schema) as conn:
            period = rollups.Period.parse(job.period)
            report = await gather(conn.fetch, app.schema, job.unit_id, period, job.as_of,
                                  job.requested_by_name, appendices=False)  # fmt: skip
            update(app, job.id, steps_done=1, stage="Phụ lục")
            node = report.rows[0]["id"]
            args = (UUID(node), period.first_day, period.last_day, job.as_of)
            if job.output == "xlsx":
                await _xlsx(app, job, conn, report, args, path)
            else:
                await _pdf(app, job, conn, report, args, path)
    finally:
        await readside.close()
    return report.file_name


def _query(schema: str, spec: ListSpec) -> str:
    """The whole list in its first sort order (as the paged list reads it, without a limit)."""
    return rollups.qualify(
        schema, f"SELECT * FROM ({spec.sql}) AS x ORDER BY x.{spec.sorts[0]}, x.{spec.key}"
    )


async def _rows(app: TenantApplication, job: Job, conn: Any, args: tuple[Any, ...]) -> Any:
    """Each appendix's spec and an async iterator of its rows from a server-side cursor."""
    written = 0
    for i, spec in enumerate(specs(), start=1):
        update(app, job.id, steps_done=i, stage=f"Phụ lục {i}: {spec.title_vi}",
               rows_written=written)  # fmt: skip

        async def stream(spec: ListSpec = spec) -> Any:
            nonlocal written
            async for record in conn.cursor(_query(app.schema, spec), *args, prefetch=PREFETCH):
                written += 1
                if written % PROGRESS_EVERY == 0:
                    update(app, job.id, rows_written=written)
                yield dict(record)

        yield spec, stream()
    update(app, job.id, steps_done=len(specs()) + 1, stage="Lưu tệp", rows_written=written)


async def _xlsx(
    app: TenantApplication, job: Job, conn: Any, report: Report, args: tuple[Any, ...], path: Path
) -> None:
    book = sheets.Book(str(path))
    book.table("Báo cáo", report.heading, report.columns, report.rows)
    async for spec, rows in _rows(app, job, conn, args):
        cols = [Col(c.name, c.vi) for c in spec.columns]
        sheet = book.sheet(spec.title_vi, book.sub_heading(report.heading, spec.title_vi), cols)
        async for row in rows:
            sheet.write(row)
        sheet.close()
    book.close()


async def _pdf(
    app: TenantApplication, job: Job, conn: Any, report: Report, args: tuple[Any, ...], path: Path
) -> None:
    appendices: list[tuple[str, list[Col], list[dict[str, Any]]]] = []
    totals: list[int] = []
    async for spec, rows in _rows(app, job, conn, args):
        kept: list[dict[str, Any]] = []
        count = 0
        async for row in rows:
            count += 1
            if len(kept) < APPENDIX_ROWS:
                kept.append(row)  # the rest are counted, not kept: the XLSX carries them
        appendices.append((spec.title_vi, [Col(c.name, c.vi) for c in spec.columns], kept))
        totals.append(count)
    doc = report_document(report.heading, report.columns, report.rows, appendices,
                          report.superior, report.place, totals)  # fmt: skip
    h = report.heading
    with path.open("wb") as out:
        to_pdf_parts(parts(doc), f"{TITLE} — {h.unit} — {h.period}", out)


def _store(app: TenantApplication, path: Path, output: str) -> Any:
    writer = BlobWriter(app, MAX_FILE, transient=True)  # made again on request: see expire
    try:
        with path.open("rb") as file:
            while piece := file.read(1024 * 1024):
                writer.write(piece)
        return writer.finish(MEDIA[output])
    except BaseException:
        writer.abort()
        raise
