"""A 50 MiB paper streams into the document store and back in bounded memory (real PostgreSQL).

The upload path of ``POST …/papers`` (:func:`services.papers.routes.receive`) is fed the body
piece by piece, as the server hands it over, once raw and once as a multipart form;
``tracemalloc`` records the peak of Python allocations meanwhile. Holding the file anywhere
whole would peak above 50 MiB; the bound checked is a fifth of that.
"""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from psycopg import sql

from infra import document_store as store
from infra.application import TenantApplication
from infra.tenant_sql import table, tuples
from services.papers import routes

pytestmark = pytest.mark.integration

MiB = 1024 * 1024
SIZE = 50 * MiB
PIECE = 64 * 1024
BLOCK = bytes((i * 7 + 3) % 251 for i in range(PIECE))
BOUND = 10 * MiB


def pieces(prefix: bytes = b"", suffix: bytes = b"") -> AsyncIterator[bytes]:
    async def gen() -> AsyncIterator[bytes]:
        yield prefix + b"%PDF-1.7\n"
        sent = 0
        while sent < SIZE:
            yield BLOCK
            sent += len(BLOCK)
        yield suffix

    return gen()


def expected_digest() -> str:
    digest = hashlib.sha256(b"%PDF-1.7\n")
    for _ in range(SIZE // PIECE):
        digest.update(BLOCK)
    return digest.hexdigest()


@dataclass
class FakeRequest:
    headers: dict[str, str]
    body: AsyncIterator[bytes]

    def stream(self) -> AsyncIterator[bytes]:
        return self.body


@dataclass
class FakeContext:
    app: TenantApplication


def peak_while(app: TenantApplication, request: Any) -> tuple[routes.Upload, int]:
    async def run() -> routes.Upload:
        return await routes.receive(request, FakeContext(app))  # type: ignore[arg-type]

    tracemalloc.start()
    try:
        upload = anyio.run(run)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return upload, peak


def test_a_50_mib_raw_upload_streams_in_bounded_memory_and_reads_back(app):
    request = FakeRequest({"content-type": "application/octet-stream"}, pieces())
    upload, peak = peak_while(app, request)
    assert upload.blob is not None
    assert upload.blob.size == SIZE + len(b"%PDF-1.7\n")
    assert upload.blob.sha256 == expected_digest()
    assert peak < BOUND, f"peak {peak / MiB:.1f} MiB"
    print(f"raw 50 MiB upload: tracemalloc peak {peak / MiB:.2f} MiB")

    tracemalloc.start()
    digest, total = hashlib.sha256(), 0
    for chunk in store.read_chunks(app, upload.blob.sha256):
        digest.update(chunk)
        total += len(chunk)
    _, read_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert digest.hexdigest() == upload.blob.sha256
    assert total == upload.blob.size
    assert read_peak < BOUND, f"read peak {read_peak / MiB:.1f} MiB"


def test_a_50_mib_multipart_upload_streams_in_bounded_memory(app):
    boundary = "chiboBoundary7MA4YWxkTrZu0gW"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nreport\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file";'
        f' filename="Báo cáo năm.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    request = FakeRequest(
        {"content-type": f"multipart/form-data; boundary={boundary}"}, pieces(head, tail)
    )
    upload, peak = peak_while(app, request)
    assert upload.name == "Báo cáo năm.pdf"
    assert upload.fields == {"kind": "report"}
    assert upload.blob is not None
    assert upload.blob.sha256 == expected_digest()
    assert peak < BOUND, f"peak {peak / MiB:.1f} MiB"
    print(f"multipart 50 MiB upload: tracemalloc peak {peak / MiB:.2f} MiB")


def test_the_same_content_is_stored_once_and_an_upload_over_the_limit_leaves_nothing(app):
    for _ in range(2):
        writer = store.BlobWriter(app, 10_000)
        writer.write(b"%PDF-1.4\n" + b"x" * 1000)
        writer.finish("application/pdf")
    counts = tuples(
        app,
        sql.SQL(
            "SELECT (SELECT count(*) FROM {b}) AS blobs, (SELECT count(*) FROM {c}) AS chunks"
        ).format(b=table(app, "doc_blobs"), c=table(app, "doc_chunks")),
        (),
    )
    assert counts[0] == (1, 1)
    writer = store.BlobWriter(app, 2 * store.CHUNK)
    writer.write(b"y" * store.CHUNK)
    writer.write(b"y" * store.CHUNK)
    with pytest.raises(store.FileTooLarge):
        writer.write(b"y")
    writer.abort()
    after = tuples(
        app,
        sql.SQL("SELECT count(*) FROM {c}").format(c=table(app, "doc_chunks")),
        (),
    )
    assert after[0] == (1,)
