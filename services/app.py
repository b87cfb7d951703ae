"""The Litestar application factory: routes, error mapping, OpenAPI, lifecycle.

``create_app`` receives a ready :class:`~infra.bootstrap.Container`; it opens nothing itself.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from infra.bootstrap import Container
from services.context import provide_context
from services.errors import EXCEPTION_HANDLERS
from services.routes import route_handlers


def create_app(container: Container) -> Litestar:
    app = Litestar(
        route_handlers=route_handlers(),
        dependencies={"ctx": Provide(provide_context)},
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Chibo API",
            version="0.1.0",
            description="Sinh hoạt chi bộ — party-cell activity and supervision, per province.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        on_shutdown=[],
    )
    app.state.container = container
    return app
