"""Every ``type: ignore`` in the four layers names its error code and says why (issue 11 §5).

mypy is strict on ``domain/``, ``services/`` and ``projections/``; an ignore switches it off for
one line, so it must be narrow (``# type: ignore[arg-type]``) and carry its reason after a
second ``#`` on the same line: ``# type: ignore[arg-type]  # httpx wants …``. Comments are read
with ``tokenize``, so a docstring that mentions the words does not count. A failure names
file:line.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "services", "projections", "infra")
IGNORE = re.compile(r"type:\s*ignore")
WELL_FORMED = re.compile(r"type:\s*ignore\[[a-z0-9-]+(?:,\s*[a-z0-9-]+)*\]\s*#\s*\S")
"""An error code (or several) in brackets, then ``#`` and a reason."""


def unexplained(source: str) -> list[int]:
    """Lines of ``source`` whose comment has a ``type: ignore`` without code or reason."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        token.start[0]
        for token in tokens
        if token.type == tokenize.COMMENT
        and IGNORE.search(token.string)
        and not WELL_FORMED.search(token.string)
    ]


def test_the_check_tells_a_bare_ignore_from_an_explained_one() -> None:
    assert unexplained("x = f()  # type: ignore\n") == [1]
    assert unexplained("x = f()  # type: ignore[arg-type]\n") == [1]
    assert unexplained("x = f()  # type: ignore  # why\n") == [1]
    assert unexplained("x = f()  # type:ignore[misc]  #\n") == [1]
    assert unexplained("x = f()  # type: ignore[arg-type]  # httpx types app so\n") == []
    assert unexplained("x = f()  # type: ignore[misc, index]  # both, because\n") == []
    assert unexplained('"""a docstring saying # type: ignore"""\n') == []


def test_every_type_ignore_of_the_layers_has_a_code_and_a_reason() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for layer in LAYERS
        for path in sorted((ROOT / layer).rglob("*.py"))
        for line in unexplained(path.read_text(encoding="utf-8"))
    ]
    assert found == []
