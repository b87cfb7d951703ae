"""``chibo import tree|members <tenant> FILE`` (dry run, then ``--confirm <sha256>``),
``chibo export tree|members <tenant>`` and ``chibo tenant migrate``."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from projections.engine import catch_up_all
from projections.registry import all_projections
from services.cli import wiring
from services.cli.migrate import migrate_tables
from services.cli.users import cli_actor
from services.imports import export as exporting
from services.imports import service
from services.imports.reading import parse_day
from services.imports.report import Report


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser("import", help="nhập dữ liệu / import a province's files")
    kinds = command.add_subparsers(dest="import_kind", required=True)
    for kind, help_text in (("tree", "cây tổ chức / organisation tree"),
                            ("members", "đảng viên / members")):  # fmt: skip
        sub = kinds.add_parser(kind, help=help_text)
        sub.add_argument("tenant")
        sub.add_argument("file", type=Path)
        sub.add_argument(
            "--dry-run",
            action="store_true",
            help="chỉ kiểm tra / check only (also the default without --confirm)",
        )
        sub.add_argument(
            "--confirm",
            metavar="SHA256",
            help="nhập tệp có mã băm này / import the file with this hash",
        )
        sub.add_argument("--on", help="ngày nhập (dd/mm/yyyy) / the day changes take effect")
        sub.set_defaults(handler=run_import, kind=kind)

    out = subparsers.add_parser("export", help="xuất dữ liệu / export in the import's shape")
    out_kinds = out.add_subparsers(dest="export_kind", required=True)
    for kind in ("tree", "members"):
        sub = out_kinds.add_parser(kind)
        sub.add_argument("tenant")
        sub.add_argument("--on", help="tại ngày (dd/mm/yyyy), mặc định hôm nay / as of a day")
        sub.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        sub.add_argument("-o", "--output", type=Path, help="tệp ra (mặc định: stdout)")
        sub.set_defaults(handler=run_export, kind=kind)


def register_migrate(tenant_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = tenant_sub.add_parser(
        "migrate", help="tạo bảng mới cho các tỉnh đã có / add new tables to existing provinces"
    )
    migrate.add_argument("--tenant", action="append", default=[], help="chỉ tỉnh này / only this")
    migrate.set_defaults(handler=run_migrate)


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    day = parse_day(text)
    if day is None:
        raise SystemExit(f"ngày không hợp lệ / not a date: {text}")
    return day


def run_import(args: argparse.Namespace) -> int:
    data = args.file.read_bytes()
    container = wiring.open_container()
    try:
        app = container.applications.get(args.tenant)
        day = _day(args.on)
        if args.dry_run or not args.confirm:
            _, report = service.check(app, args.kind, data, args.file.name, cli_actor(), day)
            print_report(report)
            if report.ok:
                print(
                    f"\nĐể nhập, chạy lại với / to import, run again with: --confirm {report.sha256}"
                )
            return 0 if report.ok else 1
        started = time.perf_counter()
        _, report = service.run(app, args.kind, data, args.file.name, args.confirm,
                                cli_actor(), day, progress_bar)  # fmt: skip
        print(file=sys.stderr)
        print_report(report)
        print(f"Thời gian nhập / import time: {time.perf_counter() - started:.1f} s")
        if report.counts.get("events"):
            started = time.perf_counter()
            catch_up_all(container.database, app.schema, all_projections())
            print(f"Cập nhật báo cáo / views caught up: {time.perf_counter() - started:.1f} s")
        return 0 if report.ok else 1
    finally:
        container.close()


def print_report(report: Report) -> None:
    for problem in sorted(report.problems, key=lambda p: (p.row, p.column)):
        print(problem.line())
    print(report.summary())


def progress_bar(done: int, total: int) -> None:
    width = 30
    share = done / total if total else 1.0
    filled = int(width * share)
    bar = "#" * filled + "." * (width - filled)
    end = "\r" if sys.stderr.isatty() else "\n"
    print(f"[{bar}] {share:4.0%} {done}/{total} dòng / rows", end=end, file=sys.stderr, flush=True)


def run_export(args: argparse.Namespace) -> int:
    container = wiring.open_container()
    try:
        app = container.applications.get(args.tenant)
        data = exporting.export(app, args.kind, _day(args.on), args.format)
    finally:
        container.close()
    if args.output:
        args.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    container = wiring.open_container()
    try:
        done, missed = migrate_tables(container, args.tenant)
        for tenant in done:
            print(f"{tenant.slug}: đã cập nhật bảng / tables up to date")
    finally:
        container.close()
    return 1 if missed else 0
