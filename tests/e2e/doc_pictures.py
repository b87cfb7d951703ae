"""Keep the PDFs a test downloads, for the first-page pictures in ``docs/documents.md``.

With ``CHIBO_DOC_PDFS=DIR`` set, the tests that read the report, the audit trail and the
verification result back also write the file they read to ``DIR/<name>.pdf``; without it,
nothing is written. The pictures are then the PDFs the tests checked, not hand-made copies.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "CHIBO_DOC_PDFS"


def keep(name: str, body: bytes) -> None:
    where = os.environ.get(ENV)
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        (Path(where) / f"{name}.pdf").write_bytes(body)
