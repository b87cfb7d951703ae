"""A command's body spooled for its ``Idempotency-Key`` (bộ đệm tạm): bounded memory, any size.

The key's fingerprint is the SHA-256 of the method, path and body, and the route must still
read the body afterwards. A JSON command is small, but a paper upload (up to 65 MB) or an import
file (64 MB) is not: held in a ``bytes`` it would cost its size in memory, twice. So the body
is fed, piece by piece as the server hands it over, to the hash and to a
:class:`tempfile.SpooledTemporaryFile` that stays in memory up to :data:`IN_MEMORY` and moves
to disk beyond; the route then reads it back from there in :data:`PIECE` pieces. The limit is
the route's own ``request_max_body_size`` (the API's 1 MB for commands, more for uploads).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO, Any

import anyio
from litestar.types import Receive, Scope

IN_MEMORY = 1024 * 1024
"""Bytes kept in memory before the spool moves to a temporary file."""
PIECE = 64 * 1024
"""Bytes handed to the route per ``receive`` when it reads the spooled body."""


@dataclass
class Spooled:
    """The body's fingerprint and the spool holding it (to close after the request)."""

    fingerprint: bytes
    size: int
    file: IO[bytes]

    def close(self) -> None:
        self.file.close()


def limit_of(scope: Scope, default: int) -> int:
    """The route's body limit in bytes (Litestar resolves it over the app's layers)."""
    handler: Any = scope.get("route_handler")
    resolve = getattr(handler, "resolve_request_max_body_size", None)
    limit = resolve() if callable(resolve) else None
    return int(limit) if limit else default


async def body_chunks(receive: Receive) -> AsyncIterator[bytes]:
    """The request body's chunks as the server hands them over, up to the last one."""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def spool(receive: Receive, head: bytes, limit: int) -> Spooled | None:
    """Read the whole body into a spool, hashing ``head`` then the body; ``None`` past
    ``limit`` bytes (nothing kept)."""
    digest = hashlib.sha256(head)
    file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115  # closed by Spooled.close
    size = 0
    try:
        async for chunk in body_chunks(receive):
            size += len(chunk)
            if size > limit:
                file.close()
                return None
            if chunk:
                digest.update(chunk)
                if size > IN_MEMORY:  # on disk now: don't block the event loop
                    await anyio.to_thread.run_sync(file.write, chunk)
                else:
                    file.write(chunk)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return Spooled(digest.digest(), size, file)


def replay(spooled: Spooled) -> Receive:
    """A ``receive`` that hands the spooled body to the route in pieces, then disconnects."""
    done = False

    async def receive() -> Any:
        nonlocal done
        if done:
            return {"type": "http.disconnect"}
        if spooled.size > IN_MEMORY:  # on disk
            piece = await anyio.to_thread.run_sync(spooled.file.read, PIECE)
        else:
            piece = spooled.file.read(PIECE)
        more = spooled.file.tell() < spooled.size
        if not more:
            done = True
        return {"type": "http.request", "body": piece, "more_body": more}

    return receive
