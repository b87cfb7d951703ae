"""The record of report jobs (``report_jobs``): what was asked, by whom, how far it is, the file.

Not events: asking for a file changes no record of the party's work. Kept ``report_keep_days``
(``CHIBO_REPORT_KEEP_DAYS``, 7 by default), then forgotten with their files (:func:`expire`).
Installed by provisioning
and, for provinces provisioned before it, by ``chibo tenant migrate`` / the server's start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from infra.application import TenantApplication
from infra.document_store import drop_transient
from services.security.store import execute, on_table, row_by, table

TABLE = "report_jobs"
STATUS_VI = {
    "queued": "đang chờ",
    "running": "đang lập",
    "done": "đã xong",
    "failed": "không lập được",
}


def install_report_jobs(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part (idempotent); before the tenant role, which grants on every table."""
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (id uuid PRIMARY KEY, output text NOT NULL,"
            " unit_id uuid, period text NOT NULL, as_of date NOT NULL,"
            " requested_by text NOT NULL, requested_by_name text NOT NULL,"
            " status text NOT NULL DEFAULT 'queued', stage text NOT NULL DEFAULT '',"
            " steps_done int NOT NULL DEFAULT 0, steps_total int NOT NULL DEFAULT 0,"
            " rows_written bigint NOT NULL DEFAULT 0, file_name text, sha256 text, size bigint,"
            " error text, requested_at timestamptz NOT NULL DEFAULT now(),"
            " started_at timestamptz, finished_at timestamptz)"
        ).format(sql.Identifier(schema), sql.Identifier(TABLE))
    )


@dataclass
class Job:
    id: UUID
    output: str
    unit_id: UUID | None
    period: str
    as_of: date
    requested_by: str
    requested_by_name: str
    status: str
    stage: str
    steps_done: int
    steps_total: int
    rows_written: int
    file_name: str | None
    sha256: str | None
    size: int | None
    error: str | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


FIELDS = tuple(Job.__dataclass_fields__)


def create(app: TenantApplication, job: Job) -> None:
    on_table(
        app,
        TABLE,
        "INSERT INTO {} (id, output, unit_id, period, as_of, requested_by, requested_by_name,"
        " steps_total) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            job.id,
            job.output,
            job.unit_id,
            job.period,
            job.as_of,
            job.requested_by,
            job.requested_by_name,
            job.steps_total,
        ),
    )


def find(app: TenantApplication, job_id: UUID) -> Job | None:
    row = row_by(app, TABLE, FIELDS, "id", job_id)
    return Job(**row) if row else None


def update(app: TenantApplication, job_id: UUID, stamp: str = "", **values: Any) -> None:
    """Set ``values`` on the job (and the column ``stamp`` to the database's now)."""
    parts = [sql.SQL("{} = %s").format(sql.Identifier(k)) for k in values]
    if stamp:
        parts.append(sql.SQL("{} = now()").format(sql.Identifier(stamp)))
    execute(
        app,
        sql.SQL("UPDATE {} SET {} WHERE id = %s").format(
            table(app, TABLE), sql.SQL(", ").join(parts)
        ),
        (*values.values(), job_id),
    )


def expire(app: TenantApplication, keep_days: float) -> tuple[int, int]:
    """Retention (thời hạn lưu): forget the jobs finished (or asked for, if never finished)
    more than ``keep_days`` ago, and drop their files unless a job still kept holds the same
    file or it was stored on purpose elsewhere (``infra.document_store.drop_transient``).

    The worker's tick calls it (``services.workers``); a report is made again on request, so
    its file is a convenience, not a record. Returns (jobs forgotten, files dropped)."""
    seconds = keep_days * 86400
    jobs = on_table(
        app,
        TABLE,
        "DELETE FROM {} WHERE coalesce(finished_at, requested_at)"
        " < now() - make_interval(secs => %s) RETURNING 1",
        (seconds,),
    )
    held = sql.SQL("SELECT sha256 FROM {}").format(table(app, TABLE))
    return len(jobs), drop_transient(app, seconds, held)
