"""Compile one PDF in a process of its own: ``python -m services.documents.typst_child [TEMPLATE]``.

TEMPLATE is a file name in ``templates/`` (``document.typ`` when omitted). Reads the
template's inputs as JSON on stdin, writes the PDF on stdout. Typst memoizes what it
lays out in a process-wide cache (``comemo``) that keeps the work of about the last ten
compiles (measured: the resident memory of repeated small compiles levels off after ten), so
the parts of a long report compiled in the worker's own process would stay in memory together.
Compiled here, each part's memory is returned when the child ends.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typst

HERE = Path(__file__).parent


def main() -> int:
    template = sys.argv[1] if len(sys.argv) > 1 else "document.typ"
    if Path(template).name != template:  # a name in templates/, never a path elsewhere
        raise SystemExit(f"template must be a file name in templates/: {template}")
    inputs = json.loads(sys.stdin.buffer.read())
    pdf = typst.compile(
        str(HERE / "templates" / template),
        font_paths=[str(HERE / "fonts")],
        ignore_system_fonts=True,
        sys_inputs=inputs,
    )
    assert isinstance(pdf, bytes)
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
