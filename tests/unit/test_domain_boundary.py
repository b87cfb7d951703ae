"""``domain/`` imports only the standard library, ``eventsourcing.domain`` and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
ALLOWED_THIRD_PARTY = {"eventsourcing.domain"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def is_allowed(module: str) -> bool:
    top = module.split(".")[0]
    return (
        top in sys.stdlib_module_names
        or top == "domain"
        or module in ALLOWED_THIRD_PARTY
        or top == "__future__"
    )


def test_domain_modules_exist():
    assert len(list(DOMAIN.glob("*.py"))) >= 5


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_only_what_is_allowed(path: Path):
    forbidden = sorted(m for m in imported_modules(path) if not is_allowed(m))
    assert forbidden == [], f"{path.name} imports {forbidden}"


def test_the_checker_itself_catches_a_forbidden_import(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("import psycopg\nfrom eventsourcing.application import Application\n")
    assert sorted(m for m in imported_modules(bad) if not is_allowed(m)) == [
        "eventsourcing.application",
        "psycopg",
    ]
