"""The OpenAPI document tells the truth about errors: their shape and every status a route returns.

Litestar documents its own error body (``status_code/detail/extra``) for a 400, and nothing
else. Every error here has one shape, ``{code, message, message_en, details}``
(:func:`services.errors.body`), and each route can answer more than a 400. This module rewrites
the generated document once, in one place, from what every route has in common:

- 400 for a route with parameters or a body (a field the wire type or the input guard refuses);
- 401, 403, 404, 409 and 422 for every province route (no or a bad token, a role or scope that
  does not allow it, an unknown province or record, and the domain's refusals, which reads
  raise too: "this unit is not a cell" is a 422 on a roster read) and 401/403 for the
  operators' routes;
- 503 with ``Retry-After`` for every API route: the database is down or no connection came
  free in time (:func:`services.errors.unavailable_handler`);
- 409, 413 and 422 for every command (a stale version or an idempotency key in flight, a body
  over the limit, a rule that forbids it or a reused idempotency key); 429 for sign-in;
- a path parameter a handler does not read (the ``{tenant}`` of some routes) is declared too;
- a route that answers files (``opt={"files": ("xlsx", "pdf")}`` on its decorator) documents
  each media type of its 200, as the ``format`` it is asked for decides.

Fuzzing (``.ci/parts/30-fuzz.sh``) checks every response against this document.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar

ERROR_SCHEMA = "Error"
ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "description": "Lỗi / an error: Vietnamese message first, then English",
    "required": ["code", "message", "message_en", "details"],
    "properties": {
        "code": {"type": "string", "description": "stable machine-readable code"},
        "message": {"type": "string", "description": "thông báo tiếng Việt"},
        "message_en": {"type": "string", "description": "the message in English"},
        "details": {"type": "object", "description": "e.g. the field at fault"},
    },
}
REASONS = {
    400: "Dữ liệu không hợp lệ / invalid request (details name the field)",
    401: "Chưa đăng nhập hoặc phiên hết hạn / not signed in or the token expired",
    403: "Vai trò hoặc phạm vi không cho phép / role or scope does not allow this",
    404: "Không tìm thấy tỉnh hoặc bản ghi / no such province or record",
    409: "Xung đột trạng thái hoặc phiên bản / state or version conflict",
    413: "Dữ liệu gửi lên quá lớn / request body too large",
    422: "Quy tắc không cho phép / a rule forbids it",
    429: "Quá nhiều lần thử / too many attempts (see Retry-After)",
    503: "Cơ sở dữ liệu tạm thời không sẵn sàng, hãy thử lại / the database is unavailable,"
    " retry after Retry-After seconds (a write with the same Idempotency-Key)",
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
COMMANDS = frozenset({"post", "put", "patch", "delete"})
_PLACEHOLDER = re.compile(r"{([^}:]+)}")


def statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses one operation can answer (see the module docstring)."""
    found: set[int] = set()
    if operation.get("parameters") or operation.get("requestBody"):
        found.add(400)
    if "/t/{tenant}" in path:
        found |= {401, 403, 404, 409, 422}
    elif path.startswith("/api/"):
        found |= {401, 403}
    if "{" in path:
        found.add(404)
    if method in COMMANDS:
        found |= {400, 409, 413, 422}
    if path.endswith("/auth/login"):
        found.add(429)
    if path.startswith("/api/"):
        found.add(503)
    return found


def document_errors(schema: dict[str, Any]) -> None:
    """Rewrite ``schema`` (the generated OpenAPI document, as a dict) in place."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = ERROR_BODY
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _declare_path_parameters(path, operation)
            responses = operation["responses"]
            for status in statuses(path, method, operation):
                responses[str(status)] = {
                    "description": REASONS[status],
                    "content": {"application/json": {"schema": reference}},
                }
            if path == "/readyz":  # the probe's own shape, while the database does not answer
                responses["503"] = {**responses["200"], "description": "database unavailable"}
            for waiting in ("429", "503"):
                if waiting in responses and path.startswith("/api/"):
                    responses[waiting]["headers"] = RETRY_AFTER


def _declare_path_parameters(path: str, operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    declared = {p.get("name") for p in parameters if p.get("in") == "path"}
    for name in _PLACEHOLDER.findall(path):
        if name not in declared:
            parameters.append(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            )
    if not parameters:
        del operation["parameters"]


def document_files(schema: dict[str, Any], files: dict[tuple[str, str], tuple[str, ...]]) -> None:
    """Declare the media types of the 200 of each (path, method) that answers files."""
    from services.documents.files import MEDIA

    paths = schema.get("paths", {})
    for (path, method), kinds in files.items():
        operation = paths.get(path, {}).get(method)
        if not isinstance(operation, dict):
            continue
        ok = operation.setdefault("responses", {}).setdefault("200", {"description": "OK"})
        content = ok.setdefault("content", {})
        for kind in kinds:
            media = MEDIA[kind]
            if media not in content:
                content[media] = {"schema": {"type": "string", "format": "binary"}}


def file_routes(app: Litestar) -> dict[tuple[str, str], tuple[str, ...]]:
    """(OpenAPI path, method) → the file kinds of every route that declares ``files``."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            kinds = handler.opt.get("files")
            if kinds:
                for method in getattr(handler, "http_methods", ()):
                    found[route.path_format, str(method).lower()] = tuple(kinds)
    return found


def install(app: Litestar) -> None:
    """Build the application's OpenAPI document now and rewrite it (it is built once)."""
    from litestar._openapi.plugin import OpenAPIPlugin

    schema = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    document_errors(schema)
    document_files(schema, file_routes(app))
