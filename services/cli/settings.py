"""``chibo settings show|set``: a province's settings as of a day, and dated changes.

``set`` takes ``name=value`` pairs whose values are JSON, the same names and shapes as the
API's ``POST /api/v1/t/{t}/settings`` body, e.g.::

    chibo settings set thanh_hoa --from 2026-01-01 rotation_turns_per_meeting=2 \\
        'quality_weights={"attendance":15,"preparation":20,"conduct":45,"principles":20,
                          "implementation":0}'

The change is recorded as the console operator (``cli:<user>``), like ``chibo user``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import msgspec

from domain.base import InvalidValue
from services.cli import wiring
from services.cli.users import cli_actor
from services.tenants import settings

T = TypeVar("T")


def register(subparsers: Any) -> None:
    top = subparsers.add_parser("settings", help="cấu hình của tỉnh / province settings")
    sub = top.add_subparsers(dest="settings_command", required=True)

    show = sub.add_parser("show", help="cấu hình có hiệu lực vào một ngày / settings on a day")
    show.add_argument("tenant")
    show.add_argument("--on", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    show.set_defaults(handler=run_show)

    change = sub.add_parser("set", help="đổi cấu hình từ một ngày / change from a day")
    change.add_argument("tenant")
    change.add_argument(
        "--from", dest="effective_on", type=date.fromisoformat, required=True, help="YYYY-MM-DD"
    )
    change.add_argument("values", nargs="+", metavar="name=json")
    change.set_defaults(handler=run_set)


def parse_values(pairs: list[str], effective_on: date) -> settings.SettingsChange:
    body: dict[str, Any] = {"effective_on": effective_on.isoformat()}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise InvalidValue(
                f"«{pair}» thiếu dấu '=': hãy viết tên=giá_trị",
                f"'{pair}' has no '=': write name=value",
            )
        try:
            body[name.strip()] = json.loads(text)
        except json.JSONDecodeError:
            body[name.strip()] = text  # a bare word, e.g. a date without quotes
    try:
        return msgspec.convert(body, settings.SettingsChange, strict=False)
    except msgspec.ValidationError as e:
        raise InvalidValue(f"Giá trị cấu hình không hợp lệ: {e}", f"invalid settings: {e}") from e


def with_app(tenant: str, action: Callable[[Any], T]) -> T:
    """Run ``action`` on the province's application; refusals print as one bilingual line
    (``services.cli.errors``)."""
    container = wiring.open_container()
    try:
        return action(container.applications.get(tenant))
    finally:
        container.close()


def run_show(args: argparse.Namespace) -> int:
    on = args.on or date.today()
    view = with_app(args.tenant, lambda app: settings.read(app, on))
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(view), indent=2).decode() + "\n")
    return 0


def run_set(args: argparse.Namespace) -> int:
    body = parse_values(args.values, args.effective_on)
    province, _ = with_app(args.tenant, lambda app: settings.change(app, cli_actor(), body))
    print(
        f"Đã ghi cấu hình từ ngày {args.effective_on:%d/%m/%Y} (phiên bản {province.version}) / "
        f"settings recorded from {args.effective_on.isoformat()}"
    )
    return 0
