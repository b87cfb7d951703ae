"""The one place that maps errors to HTTP statuses, each to the right one, never a catch-all.

Every response body has the same shape: ``{"code", "message", "message_en", "details"}``, with
the Vietnamese message first. Unexpected errors become a 500 that shows no trace and no SQL.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import psycopg
from eventsourcing import persistence as es
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from domain.base import DomainError, InvalidValue, NotFound, RuleViolated, StateConflict
from infra.pools import DatabaseUnavailable
from infra.province_copy import is_moving_error

log = logging.getLogger(__name__)

STATUS_BY_KIND: dict[type[DomainError], int] = {
    InvalidValue: 400,
    NotFound: 404,
    StateConflict: 409,
    RuleViolated: 422,
}


class StaleWrite(StateConflict):
    """The client's copy is older than the stored aggregate (optimistic concurrency)."""

    code = "stale_write"


class Forbidden(DomainError):
    """The principal's role or scope does not allow this (HTTP 403)."""

    code = "forbidden"


class Unauthenticated(DomainError):
    """No valid credentials (HTTP 401)."""

    code = "unauthenticated"


def status_for(error: DomainError) -> int:
    if isinstance(error, Unauthenticated):
        return 401
    if isinstance(error, Forbidden):
        return 403
    for kind, status in STATUS_BY_KIND.items():
        if isinstance(error, kind):
            return status
    return 400


def body(code: str, vi: str, en: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": vi, "message_en": en, "details": details or {}}


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return Response(body(exc.code, exc.vi, exc.en, exc.details), status_code=status_for(exc))


def validation_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    fields = exc.extra if isinstance(exc.extra, list) else []
    return Response(
        body(
            "invalid_request",
            "Dữ liệu gửi lên không hợp lệ: " + (exc.detail or ""),
            "The request is invalid: " + (exc.detail or ""),
            {"fields": fields},
        ),
        status_code=400,
    )


def integrity_handler(_: Request[Any, Any, Any], exc: IntegrityError) -> Response[Any]:
    if is_moving_error(exc):
        return moving_response()
    # The library raises IntegrityError when another write added the same aggregate version.
    return Response(
        body(
            "stale_write",
            "Dữ liệu đã được người khác thay đổi; hãy tải lại rồi thử lại",
            "someone else changed this record first; reload and try again",
        ),
        status_code=409,
    )


def aggregate_not_found_handler(
    _: Request[Any, Any, Any], exc: AggregateNotFoundError
) -> Response[Any]:
    return Response(
        body("not_found", "Không tìm thấy bản ghi", "no such record", {"id": str(exc)}),
        status_code=404,
    )


def http_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotFoundException):
        return Response(body("not_found", "Không tìm thấy", exc.detail), status_code=404)
    # Keep the exception's headers: a 405 carries ``Allow``, as HTTP requires.
    return Response(
        body("http_error", exc.detail, exc.detail), status_code=status, headers=exc.headers
    )


UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    es.OperationalError,
    es.InterfaceError,
    ConnectionError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.exceptions.OperatorInterventionError,
)
"""The database is not reachable (down, restarting, pool exhausted): 503, never 500."""


def unavailable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The database is down or unreachable: a fast 503 the client may retry (issue 13 §3).

    A write that fails this way may or may not have been committed: retrying it with the same
    ``Idempotency-Key`` gives the stored answer instead of doing it twice.
    """
    if is_moving_error(exc):
        return moving_response()
    log.warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return Response(
        body("database_unavailable", DatabaseUnavailable.vi, DatabaseUnavailable.en),
        status_code=503,
        headers={"Retry-After": str(DatabaseUnavailable.retry_after)},
    )


MOVING_RETRY_AFTER = 5
"""Seconds: a move of a small province takes a few; a large one is announced beforehand."""


def moving_response() -> Response[Any]:
    """A write to a province being moved between database clusters (its tables are frozen,
    ``services.tenants.move``): nothing was written; the same request succeeds after the move."""
    return Response(
        body(
            "province_moving",
            "Tỉnh đang được chuyển sang cụm cơ sở dữ liệu khác; chưa ghi gì, xin thử lại sau"
            f" {MOVING_RETRY_AFTER} giây",
            "the province is being moved to another database cluster; nothing was written,"
            f" retry in {MOVING_RETRY_AFTER} seconds",
        ),
        status_code=503,
        headers={"Retry-After": str(MOVING_RETRY_AFTER)},
    )


def internal_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_moving_error(exc):
        return moving_response()
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        body("internal_error", "Lỗi hệ thống; đã ghi nhận", "internal error; it has been logged"),
        status_code=500,
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_handler,
    IntegrityError: integrity_handler,
    AggregateNotFoundError: aggregate_not_found_handler,
    HTTPException: http_handler,
    Exception: internal_handler,
    **dict.fromkeys(UNAVAILABLE_ERRORS, unavailable_handler),
}
