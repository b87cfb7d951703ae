"""The Litestar application factory: routes, error mapping, OpenAPI, security, lifecycle.

``create_app`` receives a ready :class:`~services.bootstrap.Container`; it opens nothing itself.
Security is applied here, once, to every route: authentication and idempotency middleware,
the policy guard (role and scope from :mod:`services.policies`), security headers, request
metrics and ``X-Request-ID`` (:mod:`services.observability`),
a request size limit, and CORS left closed (no ``cors_config``: browsers on other origins get
no ``Access-Control-Allow-*`` headers).
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, Router
from litestar.di import Provide

from infra.metrics import Registry
from services import workers
from services.apidocs.openapi import openapi_config
from services.bootstrap import Container
from services.context import provide_context
from services.errors import EXCEPTION_HANDLERS, body
from services.features import route_handlers
from services.identity.ratelimit import LoginThrottle, Throttled
from services.identity.tokens import TokenSigner, load_master_secret
from services.input_guard import InputGuardMiddleware
from services.observability import RequestMetricsMiddleware, install_collectors, request_id_header
from services.openapi_errors import install as document_errors
from services.policies import POLICIES
from services.security.guard import guard
from services.security.middleware import (
    MAX_BODY,
    AuthenticationMiddleware,
    IdempotencyMiddleware,
    security_headers,
)
from services.web import page_headers
from services.web import route_handlers as page_routes
from services.web.session import WebSessionMiddleware


def throttled_handler(_: Request[Any, Any, Any], exc: Throttled) -> Response[Any]:
    return Response(
        body(exc.code, exc.vi, exc.en, exc.details),
        status_code=429,
        headers={"Retry-After": str(exc.retry_after)},
    )


API_DESCRIPTION = (
    "Sinh hoạt chi bộ — party-cell activity and supervision, per province.\n\n"
    "**Mọi yêu cầu ghi (POST, PUT, PATCH, DELETE) nên gửi kèm `Idempotency-Key`** (một chuỗi"
    " duy nhất cho mỗi thao tác): khi không nhận được trả lời (mất mạng, 503 khi cơ sở dữ liệu"
    " tạm ngừng), gửi lại với cùng khóa sẽ nhận kết quả đã lưu thay vì ghi hai lần.\n\n"
    "**Every write (POST, PUT, PATCH, DELETE) should carry an `Idempotency-Key`** (unique per"
    " operation): a write that got no answer, or a 503 while the database was unavailable, may"
    " have been committed; retried with the same key it is answered from the stored result"
    " instead of being done twice. A 503 carries `Retry-After`."
)


def one_router() -> Router:
    """Every API route and page in one router, registered with the app at once.

    Registered one by one, a handler whose path another handler shares later (``GET /units``
    and ``POST /units`` come from different features) was registered twice: Litestar wrapped a
    sync handler for the thread pool a second time, so it took two thread hops and its
    documented operation was named ``…Asynccallable`` and described by the wrapper's docstring
    (``tests/e2e/test_api_docs.py``)."""
    return Router(path="/", route_handlers=[*route_handlers(), *page_routes()])


def create_app(container: Container) -> Litestar:
    app = Litestar(
        route_handlers=[one_router()],
        dependencies={"ctx": Provide(provide_context)},
        exception_handlers={**EXCEPTION_HANDLERS, Throttled: throttled_handler},
        guards=[guard(POLICIES)],
        middleware=[
            RequestMetricsMiddleware,
            AuthenticationMiddleware,
            InputGuardMiddleware,
            WebSessionMiddleware,
            IdempotencyMiddleware,
        ],
        before_send=[security_headers, request_id_header, page_headers],
        request_max_body_size=MAX_BODY,
        cors_config=None,
        debug=False,
        openapi_config=openapi_config(API_DESCRIPTION),
        on_shutdown=[],
    )
    document_errors(app)
    app.state.container = container
    app.state.metrics = Registry()
    install_collectors(app.state.metrics, lambda: container.database, workers.queue_depth)
    app.state.signer = TokenSigner(load_master_secret(container.settings))
    app.state.login_throttle = LoginThrottle()
    return app
