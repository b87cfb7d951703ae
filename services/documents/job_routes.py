"""Routes of report jobs (tác vụ lập báo cáo): ask for a large report, follow it, download it.

- ``POST …/views/report/jobs?unit_id=…&period=…&as_of=…&format=xlsx|pdf`` (the parameters of
  ``GET …/views/report``): 202 with the job at once;
  a worker makes the file (:mod:`services.documents.jobs`).
- ``GET …/views/report/jobs/{job_id}``: its state and progress (steps, rows, stage).
- ``GET …/views/report/jobs/{job_id}/file``: the finished file, streamed from the store.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4

import anyio
import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from domain.base import InvalidValue, NotFound, StateConflict
from infra.document_store import read_chunks
from services import workers
from services.context import Ctx
from services.documents import job_store
from services.documents.files import MEDIA, disposition
from services.documents.job_store import STATUS_VI, Job
from services.documents.jobs import steps_total
from services.documents.reports import author
from services.views.routes import BASE, Format, parse_period, today

JOBS = f"{BASE}/report/jobs"
STALE = timedelta(hours=2)
"""Twice the worker's time limit for a report: a job not done by then was interrupted."""


class Progress(msgspec.Struct, frozen=True):
    steps_done: int
    steps_total: int
    rows_written: int
    stage: str


class JobView(msgspec.Struct, frozen=True):
    id: UUID
    status: str
    status_vi: str
    format: str
    unit_id: UUID | None
    period: str
    as_of: date
    requested_by: str
    requested_at: datetime
    progress: Progress
    started_at: datetime | None = None
    finished_at: datetime | None = None
    file_name: str | None = None
    sha256: str | None = None
    size: int | None = None
    error: str | None = None
    file_url: str | None = None


class ReportNotReady(StateConflict):
    code = "report_not_ready"


class NoWorkers(StateConflict):
    code = "report_workers_unavailable"


def view(tenant: str, job: Job) -> JobView:
    done = job.status == "done"
    status, error = job.status, job.error
    if status in ("queued", "running") and datetime.now(UTC) - job.requested_at > STALE:
        # The worker that took it ended without a word (killed, restarted): say so, instead of
        # a progress that never moves.
        status = "failed"
        error = (
            "Tác vụ bị gián đoạn (quá 2 giờ chưa xong); hãy yêu cầu lập lại báo cáo"
            " / interrupted (not done after 2 hours); ask for the report again"
        )
    return JobView(
        job.id, status, STATUS_VI[status], job.output, job.unit_id, job.period,
        job.as_of, job.requested_by_name, job.requested_at,
        Progress(job.steps_done, job.steps_total, job.rows_written, job.stage),
        job.started_at, job.finished_at, job.file_name if done else None, job.sha256, job.size,
        error,
        f"/api/v1/t/{tenant}/views/report/jobs/{job.id}/file" if done else None,
    )  # fmt: skip


@post(JOBS, summary="Yêu cầu lập báo cáo lớn / ask for a report job", status_code=202)
async def ask(
    ctx: Ctx,
    unit_id: FromQuery[UUID | None] = None,
    period: Annotated[str | None, QueryParameter(max_length=10)] = None,
    as_of: FromQuery[date | None] = None,
    output: Format = "xlsx",
) -> JobView:
    """The same report as ``GET …/views/report`` (same parameters), made by a worker."""
    if output not in ("xlsx", "pdf"):
        raise InvalidValue(
            "Định dạng báo cáo phải là xlsx hoặc pdf", "format must be xlsx or pdf", field="format"
        )
    day = as_of or today()
    chosen = parse_period(period, day)
    by = await anyio.to_thread.run_sync(author, ctx)
    job = Job(uuid4(), output, unit_id or ctx.principal.scope_unit_id, str(chosen),
              day, ctx.principal.user_id, by, "queued", "", 0, steps_total(), 0, None, None,
              None, None, datetime.now(), None, None)  # fmt: skip
    await anyio.to_thread.run_sync(job_store.create, ctx.app, job)
    if not workers.send_report_job(ctx.app.slug, str(job.id)):
        await anyio.to_thread.run_sync(
            lambda: job_store.update(ctx.app, job.id, status="failed", error="no workers")
        )
        raise NoWorkers(
            "Máy chủ chưa chạy tác vụ nền; hãy thử lại sau hoặc tải báo cáo trực tiếp",
            "no background workers run here; retry later or download the report directly",
        )
    found = await anyio.to_thread.run_sync(job_store.find, ctx.app, job.id)
    assert found is not None
    return view(ctx.app.slug, found)


def _job(ctx: Ctx, job_id: UUID) -> Job:
    job = job_store.find(ctx.app, job_id)
    if job is None:
        raise NotFound("Không có tác vụ lập báo cáo này", "no such report job", job_id=str(job_id))
    return job


@get(JOBS + "/{job_id:uuid}", sync_to_thread=True, summary="Tiến độ / a report job's progress")
def show(ctx: Ctx, job_id: FromPath[UUID]) -> JobView:
    return view(ctx.app.slug, _job(ctx, job_id))


@get(
    JOBS + "/{job_id:uuid}/file",
    summary="Tải báo cáo đã lập / download a finished report",
    opt={"files": ("xlsx", "pdf")},
)
async def download(ctx: Ctx, job_id: FromPath[UUID]) -> Response[Any]:
    job = await anyio.to_thread.run_sync(_job, ctx, job_id)
    if job.status != "done" or job.sha256 is None or job.file_name is None:
        raise ReportNotReady(
            f"Báo cáo chưa lập xong ({STATUS_VI[job.status]}); xem tiến độ rồi tải lại",
            f"the report is not ready ({job.status}); follow its progress and retry",
            status=job.status,
        )
    chunks = read_chunks(ctx.app, job.sha256)
    return Stream(
        _in_threads(chunks),
        media_type=MEDIA[job.output],
        headers={**disposition(job.file_name, job.output), "X-Content-SHA256": job.sha256},
    )


async def _in_threads(chunks: Any) -> Any:
    """Each chunk read in a worker thread (the store is reached with a blocking driver)."""
    while True:
        piece = await anyio.to_thread.run_sync(next, chunks, None)
        if piece is None:
            return
        yield piece


ROUTES = [ask, show, download]
