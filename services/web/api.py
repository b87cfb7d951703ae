"""The pages write through the JSON API, in process, as the signed-in user.

A page's form becomes one API request carrying the user's own access token, the form's
``Idempotency-Key`` and the request id: the API's policy guard, its idempotency store and its
error mapping apply unchanged, so a page can never do what the API would refuse, a double
click records once, and a refusal comes back in the API's own words (``message`` and
``details.field``), which the page shows beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Request

from services.context import request_id_of
from services.web.session import WEB_TOKEN_KEY

INTERNAL_BASE = "http://chibo.internal"
"""Never leaves the process: requests go to the ASGI app itself."""

STALE_CODES = frozenset({"stale_write", "concurrent_modification"})


@dataclass
class ApiError(Exception):
    """A refusal of the API: HTTP status, code, Vietnamese message, and the field it concerns."""

    status: int
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def field(self) -> str | None:
        value = self.details.get("field")
        return value if isinstance(value, str) else None

    @property
    def stale(self) -> bool:
        return self.status == 409 and self.code in STALE_CODES


def bearer_of(request: Request[Any, Any, Any]) -> dict[str, str]:
    token = request.scope.get(WEB_TOKEN_KEY)
    if not token:
        # A caller that came with its own bearer token (scripts, the matrix test) keeps it.
        given = request.headers.get("authorization", "")
        return {"authorization": given} if given else {}
    return {"authorization": f"Bearer {token}"}


async def fetch_raw(request: Request[Any, Any, Any], path: str) -> httpx.Response:
    """One GET as the current user, the answer as sent (a file to pass on byte for byte)."""
    headers = {**bearer_of(request), "x-request-id": request_id_of(request)}
    transport = httpx.ASGITransport(app=request.app)  # type: ignore[arg-type]  # httpx wants MutableMapping scopes; Litestar takes its TypedDict ones
    async with httpx.AsyncClient(transport=transport, base_url=INTERNAL_BASE) as client:
        response = await client.get(path, headers=headers)
    if response.status_code >= 400:
        raise refusal(response)
    return response


def refusal(response: httpx.Response) -> ApiError:
    try:
        payload = response.json() if response.content else {}
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    return ApiError(
        response.status_code,
        str(payload.get("code", "error")),
        str(payload.get("message", "Không thực hiện được yêu cầu")),
        payload.get("details") or {},
    )


async def call(
    request: Request[Any, Any, Any],
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """One API request as the current user; the JSON answer, or :class:`ApiError`."""
    headers = {**bearer_of(request), "x-request-id": request_id_of(request)}
    if idempotency_key:
        headers["idempotency-key"] = idempotency_key
    transport = httpx.ASGITransport(app=request.app)  # type: ignore[arg-type]  # httpx wants MutableMapping scopes; Litestar takes its TypedDict ones
    async with httpx.AsyncClient(transport=transport, base_url=INTERNAL_BASE) as client:
        response = await client.request(method, path, json=body, headers=headers)
    if response.status_code >= 400:
        raise refusal(response)
    try:
        payload = response.json() if response.content else {}
    except ValueError:
        payload = {}
    return payload if isinstance(payload, dict) else {"items": payload}
