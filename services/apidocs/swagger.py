"""Swagger UI from local files: the page, its two assets and its icon, nothing from a CDN.

Litestar's own Swagger plugin points at jsDelivr and leaves Swagger's online validator on (an
image fetched from validator.swagger.io); this page does neither. The bundle is
``swagger-ui-dist`` 5.35.0 from npm (Apache-2.0, ``static/swagger-ui/LICENSE``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import FromPath

from domain.base import NotFound

ASSETS = Path(__file__).parent / "static" / "swagger-ui"
ASSET_URL = "/schema/assets"
MEDIA = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "LICENSE": "text/plain; charset=utf-8",
    "NOTICE": "text/plain; charset=utf-8",
    "swagger-ui-bundle.js.LICENSE.txt": "text/plain; charset=utf-8",
}
"""The only files served: a fixed list, so no request can name another path."""


class LocalSwagger(SwaggerRenderPlugin):
    """Swagger UI whose page loads only this server's files."""

    def __init__(self) -> None:
        super().__init__(
            js_url=f"{ASSET_URL}/swagger-ui-bundle.js",
            css_url=f"{ASSET_URL}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSET_URL}/swagger-ui-bundle.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSET_URL}/favicon-32x32.png'>",
            path="/swagger",
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = openapi_schema["info"]["title"]
        spec = self.render_json(request, openapi_schema).decode()
        options = {
            "dom_id": "#swagger-ui",
            "deepLinking": True,
            # The bearer token survives a reload of the page (kept in the browser only).
            "persistAuthorization": True,
            # Swagger's default validator is an image from validator.swagger.io: off.
            "validatorUrl": None,
            "tryItOutEnabled": False,
            "displayRequestDuration": True,
            "docExpansion": "list",
            "filter": True,
        }
        config = json.dumps(options)[1:-1]
        page = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — tài liệu API</title>
{self.favicon}
<link rel="stylesheet" href="{self.css_url}">
</head>
<body>
<noscript>Trang tài liệu API cần JavaScript; bản đặc tả: <a href="/schema/openapi.json">openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="{self.js_url}"></script>
<script>
window.ui = SwaggerUIBundle({{spec: {spec}, {config}, presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"}});
</script>
</body>
</html>
"""
        return page.encode()


@get(f"{ASSET_URL}/{{name:str}}", include_in_schema=False, sync_to_thread=False)
def swagger_asset(name: FromPath[str]) -> Response[bytes]:
    """One vendored file of Swagger UI (cached by the browser for a day)."""
    media = MEDIA.get(name)
    if media is None:
        raise NotFound("Không có tệp này", "no such file", file=name)
    return Response(
        (ASSETS / name).read_bytes(),
        media_type=media,
        headers={"Cache-Control": "public, max-age=86400"},
    )


ROUTES: list[Any] = [swagger_asset]
