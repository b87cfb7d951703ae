"""No module of the four layers is over 500 lines (issue 11's bar; ~400 is the style's aim).

A new engineer reads a module in one sitting; a file past the bar is split into cohesive rooms
(e.g. ``services/workers/``: broker, actors, runtime) before it grows further.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "services", "projections", "infra")
MOST_LINES = 500


def test_no_module_of_the_layers_is_over_500_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): count
        for layer in LAYERS
        for path in sorted((ROOT / layer).rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert too_long == {}
