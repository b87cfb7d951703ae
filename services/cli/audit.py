"""Audit sub-commands: ``audit verify``, ``audit seal``, ``audit seals`` and ``replay``.

``chibo audit verify <tenant> [--against seal.json …]`` recomputes the hash chain and every
seal and names the first altered, removed or inserted event (exit code 1 if anything does not
hold). ``chibo audit seal <tenant>`` chains new events and seals them, printing the seal an
inspector keeps (``--out`` writes it to a file). ``chibo replay <tenant> --until <date|position>``
rebuilds every read model as of that point into a separate schema; ``--list`` lists the replays
kept and ``--drop <position>`` drops one.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.base import DomainError
from infra.audit.keys import key_store_for
from infra.audit.seals import Seal, create_seal, stored_seals
from infra.audit.verify import render, verify
from infra.tenancy import find_tenant
from services.audit.replay import drop_replay, position_at, replay_infos, replay_until
from services.cli import wiring


def register(subparsers: Any) -> None:
    audit = subparsers.add_parser("audit", help="kiểm tra toàn vẹn / tamper evidence")
    sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = sub.add_parser("verify", help="kiểm chứng chuỗi băm và niêm phong / verify")
    verify.add_argument("tenant")
    verify.add_argument(
        "--against", action="append", default=[], type=Path, metavar="SEAL_JSON",
        help="niêm phong do thanh tra lưu giữ / a seal kept by an inspector (repeatable)",
    )  # fmt: skip
    verify.set_defaults(handler=run_verify)
    seal = sub.add_parser("seal", help="niêm phong phần nhật ký mới / seal the new events")
    seal.add_argument("tenant")
    seal.add_argument("--out", type=Path, help="ghi niêm phong ra tệp / write the seal here")
    seal.set_defaults(handler=run_seal)
    seals = sub.add_parser("seals", help="xuất các niêm phong / export every seal")
    seals.add_argument("tenant")
    seals.add_argument("--dir", type=Path, required=True, help="one <tenant>-seal-<n>.json each")
    seals.set_defaults(handler=run_export)

    replay = subparsers.add_parser("replay", help="dựng lại bảng đọc đến một thời điểm / replay")
    replay.add_argument("tenant")
    what = replay.add_mutually_exclusive_group(required=True)
    what.add_argument("--until", help="YYYY-MM-DD, ISO date-time or a position")
    what.add_argument(
        "--list", action="store_true", help="liệt kê các bản dựng lại / list the replays"
    )
    what.add_argument(
        "--drop", type=int, metavar="POSITION", help="xóa bản dựng lại / drop a replay"
    )
    replay.set_defaults(handler=run_replay)


VN = ZoneInfo("Asia/Ho_Chi_Minh")


def parse_until(text: str) -> int | date | datetime:
    """A log position (digits), a date (``2025-03-31``) or a date-time (ISO 8601)."""
    if text.isdigit():
        return int(text)
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(
            f"--until phải là ngày, thời điểm hoặc vị trí / not a date or position: {text}"
        ) from None


def _open(slug: str) -> tuple[Any, Any]:
    container = wiring.open_container()
    try:
        return container, find_tenant(container.database, slug)
    except BaseException:
        container.close()
        raise


def _domain_errors(run: Any) -> Any:
    def wrapped(args: argparse.Namespace) -> int:
        try:
            result: int = run(args)
        except DomainError as error:
            print(f"{error.vi}\n{error.en}", file=sys.stderr)
            return 2
        return result

    wrapped.__doc__ = run.__doc__
    return wrapped


@_domain_errors
def run_verify(args: argparse.Namespace) -> int:
    try:
        external = [Seal.from_json(path.read_bytes()) for path in args.against]
    except (OSError, ValueError) as error:
        print(
            f"Không đọc được tệp niêm phong / cannot read the seal file: {error}", file=sys.stderr
        )
        return 2
    container, tenant = _open(args.tenant)
    try:
        keys = key_store_for(container.settings.data_dir)
        report = verify(container.database_of(tenant), tenant.schema, external, keys)
    finally:
        container.close()
    print(render(report))
    return 0 if report.ok else 1


@_domain_errors
def run_seal(args: argparse.Namespace) -> int:
    container, tenant = _open(args.tenant)
    try:
        with container.database_of(tenant).connect() as conn:
            seal = create_seal(conn, tenant.schema, key_store_for(container.settings.data_dir))
    finally:
        container.close()
    if seal is None:
        print("Không có sự kiện mới để niêm phong / nothing new to seal")
        return 0
    text = seal.to_json()
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
        print(f"Niêm phong #{seal.seq} (#{seal.first}–#{seal.last}) → {args.out}")
    else:
        print(text)
    return 0


@_domain_errors
def run_export(args: argparse.Namespace) -> int:
    container, tenant = _open(args.tenant)
    try:
        with container.database_of(tenant).connect() as conn:
            seals = stored_seals(conn, tenant.schema)
    finally:
        container.close()
    args.dir.mkdir(parents=True, exist_ok=True)
    for seal in seals:
        (args.dir / f"{tenant.slug}-seal-{seal.seq}.json").write_text(
            seal.to_json() + "\n", encoding="utf-8"
        )
    print(f"Đã xuất {len(seals)} niêm phong / exported {len(seals)} seals to {args.dir}")
    return 0


@_domain_errors
def run_replay(args: argparse.Namespace) -> int:
    if args.list or args.drop is not None:
        return _replays(args)
    until = parse_until(args.until)
    container, tenant = _open(args.tenant)
    try:
        position = (
            until
            if isinstance(until, int)
            else position_at(container.database_of(tenant), tenant.schema, until)
        )
        result = replay_until(container.database_of(tenant), tenant.schema, position)
    finally:
        container.close()
    print(
        f"Đã dựng lại {len(result.projections)} bảng đọc đến vị trí #{result.position}"
        f" ({result.events} sự kiện, {result.seconds:.1f} s) vào schema {result.schema}\n"
        f"replayed {', '.join(result.projections)} up to #{result.position} into {result.schema}"
    )
    return 0


def _replays(args: argparse.Namespace) -> int:
    """``--list``: every replay kept, with its position and when it was made (Vietnam time);
    ``--drop N``: drop the replay at position N (exit code 1 if there is none)."""
    container, tenant = _open(args.tenant)
    try:
        database = container.database_of(tenant)
        if args.drop is not None:
            if not drop_replay(database, tenant.schema, args.drop):
                print(
                    f"Không có bản dựng lại ở vị trí #{args.drop} / no replay at #{args.drop}",
                    file=sys.stderr,
                )
                return 1
            print(f"Đã xóa bản dựng lại #{args.drop} / dropped the replay at #{args.drop}")
            return 0
        infos = replay_infos(database, tenant.schema)
    finally:
        container.close()
    if not infos:
        print("Chưa có bản dựng lại nào / no replays")
    for info in infos:
        made = info.replayed_at.astimezone(VN)
        print(
            f"#{info.position}\t{info.schema}\tdựng lúc {made:%d/%m/%Y %H:%M}"
            f" ({len(info.projections)} bảng đọc)"
        )
    return 0
