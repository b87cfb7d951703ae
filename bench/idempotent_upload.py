"""Benchmark: a large paper upload with an ``Idempotency-Key`` stays in bounded memory.

    .venv/bin/python -m bench.idempotent_upload [--mib 20] [--runs 3]

On the configured database (embedded under CHIBO_DATA_DIR unless DATABASE_URL is set) a bench
province gets one cell and one meeting; then a PDF of ``--mib`` MiB is posted to
``POST …/meetings/{id}/papers`` through the whole application (the ASGI app called directly,
the body handed over in 64 KiB pieces as a server does), once without a key — the baseline,
measured in the same run — and once with one, which spools the body (memory up to 1 MiB, then
a temporary file) to fingerprint it before the route streams it into the store. ``tracemalloc``
records the peak of Python allocations of each request. Printed: both peaks and their ratio
(target: the keyed upload within 1.5× the baseline, and far below the file's size). Not a
test; CI does not run it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from litestar.testing import TestClient

from domain.user import Role
from infra.settings import load_settings
from services.app import create_app
from services.bootstrap import build_container
from services.context import Principal
from services.identity.tokens import TokenSigner, load_master_secret

SLUG = "benchidem"
PIECE = 64 * 1024
MiB = 1024 * 1024


def body_pieces(size: int, tag: str) -> list[bytes]:
    """One reused 64 KiB block: the body's pieces cost no memory of their own; ``tag`` makes
    each upload a different file (the same bytes twice would be a duplicate paper)."""
    block = bytes((i * 7 + 3) % 251 for i in range(PIECE))
    count = size // PIECE
    return [f"%PDF-1.7\n% {tag}\n".encode()] + [block] * count


async def post(app: Any, path: str, token: str, size: int, key: str | None) -> tuple[int, float]:
    """(status, peak MiB of Python allocations) of one upload through the ASGI app."""
    pieces = body_pieces(size, str(uuid4()))
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/octet-stream"),
        (b"host", b"localhost"),
    ]
    if key:
        headers.append((b"idempotency-key", key.encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"name=bao-cao.pdf", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    index = 0
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal index
        if index >= len(pieces):
            return {"type": "http.disconnect"}
        piece = pieces[index]
        index += 1
        return {"type": "http.request", "body": piece, "more_body": index < len(pieces)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    tracemalloc.start()
    tracemalloc.reset_peak()
    await app(scope, receive, send)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if answer["status"] != 201:
        raise SystemExit(f"upload refused: {answer['status']} {answer['body'][:300]!r}")
    return answer["status"], peak / MiB


def setup(client: TestClient[Any], token: str) -> str:
    """A cell under a small tree and a meeting three days ahead; the papers path."""
    base = f"/api/v1/t/{SLUG}"
    auth = {"Authorization": f"Bearer {token}"}
    parent = None
    for name, level in (
        (f"Đảng bộ tỉnh Thử {uuid4().hex[:6]}", "province"),
        ("Đảng bộ Khối", "direct"),
        ("Đảng bộ Trường", "grassroots_committee"),
        ("Chi bộ Thử tải", "cell"),
    ):
        body = {"name": name, "level": level, "founded_on": "2015-01-01"}
        if parent:
            body["parent_id"] = parent
        found = client.post(f"{base}/units", json=body, headers=auth)
        assert found.status_code == 201, found.text
        parent = found.json()["id"]
    at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    meeting = client.post(
        f"{base}/meetings",
        json={
            "cell_id": parent, "kind": "regular", "year": at.year, "month": at.month,
            "scheduled_at": at.isoformat(), "place": "Hội trường", "agenda": ["Báo cáo tháng"],
        },
        headers=auth,
    )  # fmt: skip
    assert meeting.status_code == 201, meeting.text
    return f"{base}/meetings/{meeting.json()['id']}/papers"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.idempotent_upload")
    parser.add_argument("--mib", type=int, default=20, help="size of the paper in MiB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    settings = replace(load_settings(), data_dir=load_settings().data_dir / "bench")
    container = build_container(settings)
    try:
        container.provision(SLUG, "Tỉnh thử tải lên")
        signer = TokenSigner(load_master_secret(settings))
        principal = Principal(
            user_id="bench-admin",
            role=Role.TENANT_ADMIN.value,
            tenant=SLUG,
            scope_unit_id=None,
            member_id=None,
        )
        token, _ = signer.issue(principal)
        app = create_app(container)
        with TestClient(app) as client:
            path = setup(client, token)
        size = args.mib * MiB
        plain, keyed = [], []
        for _ in range(args.runs):
            plain.append(asyncio.run(post(app, path, token, size, None))[1])
            keyed.append(asyncio.run(post(app, path, token, size, f"bench-{uuid4()}"))[1])
        out = {
            "mib": args.mib,
            "baseline_peak_mib": round(statistics.median(plain), 2),
            "idempotent_peak_mib": round(statistics.median(keyed), 2),
            "ratio": round(statistics.median(keyed) / statistics.median(plain), 3),
        }
        print(json.dumps(out, ensure_ascii=False))
    finally:
        container.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
