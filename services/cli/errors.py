"""How the ``chibo`` command reports a failure: one clear bilingual line and a non-zero exit.

Every sub-command runs through :func:`run`, so no error reaches the operator as a raw Python
traceback (``--debug`` shows it). Exit codes: 2 a refused command or bad input, 3 the
database cannot be reached or ``DATABASE_URL`` is malformed, 1 anything else, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

import psycopg
from eventsourcing import persistence as es

from domain.base import DomainError
from infra.pools import DatabaseUnavailable

log = logging.getLogger("chibo.cli")

REFUSED = 2
NO_DATABASE = 3
FAILED = 1


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except KeyboardInterrupt:
        return say("Đã dừng", "interrupted", 130)
    except DomainError as error:
        return say(error.vi, error.en, REFUSED)
    except EOFError:
        return say(
            "Không đọc được dữ liệu vào (stdin đã đóng)",
            "nothing to read: standard input is closed",
            REFUSED,
        )
    except (
        # The shared pool answers a server it cannot reach with DatabaseUnavailable after its
        # bounded wait; the write side translates driver errors into the library's own.
        DatabaseUnavailable,
        psycopg.OperationalError,
        psycopg.InterfaceError,
        es.OperationalError,
        es.InterfaceError,
    ) as error:
        debug(args)
        return say(
            f"Không kết nối được cơ sở dữ liệu (kiểm tra DATABASE_URL): {first_line(error)}",
            f"cannot reach the database (check DATABASE_URL): {first_line(error)}",
            NO_DATABASE,
        )
    except psycopg.ProgrammingError as error:
        debug(args)
        if "connection info" in str(error) or "dsn" in str(error).lower():
            return say(
                f"DATABASE_URL không đúng dạng: {first_line(error)}",
                f"DATABASE_URL is malformed: {first_line(error)}",
                NO_DATABASE,
            )
        return unexpected(error)
    except Exception as error:
        debug(args)
        return unexpected(error)


def unexpected(error: Exception) -> int:
    detail = f"{type(error).__name__}: {first_line(error)}"
    return say(
        f"Lỗi: {detail} (chạy lại với --debug để xem chi tiết)",
        f"error: {detail} (run again with --debug for the details)",
        FAILED,
    )


def say(vi: str, en: str, code: int) -> int:
    print(f"{vi} / {en}", file=sys.stderr)
    return code


def debug(args: argparse.Namespace) -> None:
    if getattr(args, "debug", False):
        log.exception("chi tiết / details")


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
