"""The import's two steps: the dry run (kiểm tra) and, for the same file, the import (nhập).

``check`` reads and checks every row, plans every batch without saving it (so the report also
says how many members are new, changed or unchanged) and records the run with the file's
SHA-256. ``run`` writes only a file whose hash the operator confirms and whose dry run found no
error. Its events carry ``import:<hash>:<file name>`` as request id, which the audit trail
shows as "(nhập từ tệp «…»)".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.base import Actor, InvalidValue, RuleViolated
from infra.application import TenantApplication
from infra.bulk_write import write_events
from projections.audit_sentences import import_request_id
from services.imports import store
from services.imports.members import Planner, apply_members, check_members
from services.imports.reading import read_rows
from services.imports.report import Report
from services.imports.tree import apply_tree, check_tree
from services.imports.units import UnitIndex

KINDS = ("tree", "members")
Progress = Callable[[int, int], None]
"""Told (rows done, rows in the file) after each batch: the CLI's bar, the API's record."""
Writer = Callable[[TenantApplication, list[Any], Callable[[Any], object]], object]
"""Saves one batch's aggregates and runs the callable's statements (the batch's details and
progress) with a cursor, in the same transaction."""


def bulk_save(app: TenantApplication, aggregates: list[Any], also: Callable[[Any], object]) -> int:
    """The import's writer: ``COPY``, one commit per batch that does not wait for the disk
    (``infra.bulk_write``); ``run``'s final status mark is the synchronous commit after them."""
    return write_events(app, aggregates, also, durable=False)


def library_save(
    app: TenantApplication, aggregates: list[Any], also: Callable[[Any], object]
) -> None:
    """The library's own save, then ``also`` in a transaction of its own: the benchmark's
    same-run baseline, and a fallback that needs nothing beyond the library."""
    app.save_all(*aggregates)
    with app.datastore.transaction(commit=True) as cursor:
        also(cursor)


class UnknownImportKind(InvalidValue):
    code = "unknown_import_kind"


class HashMismatch(InvalidValue):
    code = "import_hash_mismatch"


class NotChecked(RuleViolated):
    code = "import_not_checked"


class ImportHasErrors(RuleViolated):
    code = "import_has_errors"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(
    app: TenantApplication,
    kind: str,
    data: bytes,
    file_name: str,
    by: Actor,
    today: date,
    keep_file: bool = False,
) -> tuple[UUID, Report]:
    """The dry run: nothing is written but its record (and, for the API, the file)."""
    report = _execute(app, kind, data, file_name, by, today, None)
    import_id = uuid4()
    store.record_check(
        app, import_id=import_id, kind=kind, sha256=report.sha256, file_name=file_name,
        encoding=report.encoding, by=by.user_id, rows=report.rows, errors=report.errors,
        warnings=report.warnings, counts=report.counts, report=report.stored_problems(),
        file=data if keep_file else None,
    )  # fmt: skip
    return import_id, report


def run(
    app: TenantApplication,
    kind: str,
    data: bytes,
    file_name: str,
    confirmed_sha256: str,
    by: Actor,
    today: date,
    progress: Progress | None = None,
    writer: Writer = bulk_save,
    import_id: UUID | None = None,
) -> tuple[UUID, Report]:
    """Import the file the operator confirmed by its hash, after a clean dry run of it
    (``import_id``'s, or the latest of this file).

    ``writer`` saves one batch in one transaction (the benchmark's baseline passes the
    library's own save)."""
    sha = sha256_of(data)
    if confirmed_sha256.strip().lower() != sha:
        raise HashMismatch(
            f"Mã băm xác nhận không khớp tệp (tệp có SHA-256 {sha}); hãy kiểm tra lại đúng tệp",
            f"the confirmed hash does not match the file (its SHA-256 is {sha})",
            sha256=sha,
        )
    found = store.checked(app, kind, sha, import_id)
    if found is None:
        raise NotChecked(
            "Tệp này chưa được kiểm tra (chạy thử); hãy kiểm tra trước khi nhập",
            "this file has not been checked (dry run) yet; check it first",
        )
    checked_id, errors = found
    if errors:
        raise ImportHasErrors(
            f"Lần kiểm tra tệp này còn {errors} lỗi; hãy sửa tệp rồi kiểm tra lại",
            f"the dry run of this file found {errors} errors; fix the file and check it again",
            import_id=str(checked_id),
        )
    store.mark(app, checked_id, "running", run_by=by.user_id, started_at=True)
    try:
        report = _execute(app, kind, data, file_name, by, today, checked_id, progress, writer)
    except BaseException:
        store.mark(app, checked_id, "failed", finished_at=True)
        raise
    status = "done" if report.ok else "failed"
    store.mark(app, checked_id, status, finished_at=True, counts=report.counts, file=None)
    return checked_id, report


def _execute(
    app: TenantApplication,
    kind: str,
    data: bytes,
    file_name: str,
    by: Actor,
    today: date,
    import_id: UUID | None,
    progress: Progress | None = None,
    writer: Writer = bulk_save,
) -> Report:
    if kind not in KINDS:
        raise UnknownImportKind(
            f"Loại nhập «{kind}» không có (tree, members)", f"no import kind '{kind}'"
        )
    sha = sha256_of(data)
    encoding, rows = read_rows(data)
    report = Report(kind, file_name, sha, encoding)
    actor = Actor(by.user_id, by.role, import_request_id(sha, file_name))
    units = UnitIndex.load(app)
    writing = import_id is not None
    total = [0]

    def save(aggregates: list[Any], details: list[tuple[Any, ...]], done: int) -> None:
        events = sum(len(a.pending_events) for a in aggregates)
        report.count("events", events)
        if not writing:
            for aggregate in aggregates:
                aggregate.collect_events()  # a dry run forgets what it planned
            return
        assert import_id is not None

        def in_batch(cursor: Any) -> None:
            # the details and the progress commit with the batch's events, or not at all
            if details:
                report.count("details", store.save_details(cursor, app.schema, details))
            store.progress_in(cursor, app.schema, import_id, done)

        if events:
            writer(app, aggregates, in_batch)
        else:
            write_events(app, [], in_batch, durable=False)
        if progress is not None:
            progress(done, total[0] or report.rows)

    if kind == "tree":
        ordered = check_tree(rows, units, report)
        total[0] = len(ordered)
        if not report.ok:  # planning would only repeat the same problems
            return report
        apply_tree(app, ordered, units, actor, today, report,
                   lambda batch, done: save(batch, [], done))  # fmt: skip
        return report
    planner = Planner(app, actor, today, report)
    apply_members(planner, check_members(rows, units, today, report), save)
    return report
