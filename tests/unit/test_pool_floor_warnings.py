"""asyncpg's pool, retrying its floor while the database is down, logs one line per retry."""

from __future__ import annotations

import logging

import asyncpg

import infra.readside  # noqa: F401 (installs the filter on asyncpg's logger)


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_a_failed_floor_restore_is_one_line_naming_the_cause() -> None:
    logger = logging.getLogger("asyncpg.pool")
    kept = Kept()
    logger.addHandler(kept)
    try:
        try:
            raise asyncpg.CannotConnectNowError("the database system is shutting down")
        except asyncpg.CannotConnectNowError:
            logger.warning("Failed to restore the pool connection floor; retrying", exc_info=True)
        try:
            raise ValueError("not a floor")
        except ValueError:
            logger.warning("something else", exc_info=True)
    finally:
        logger.removeHandler(kept)
    floor, other = kept.lines
    assert floor == (
        "WARNING Failed to restore the pool connection floor; retrying"
        " (CannotConnectNowError: the database system is shutting down)"
    )
    assert "Traceback" in other  # any other warning keeps its traceback
