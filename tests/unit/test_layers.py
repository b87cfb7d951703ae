"""Arrows point one way: domain ← infra ← projections ← services, and ``domain/`` stays pure.

Every module in every subfolder of the four layers is parsed (``ast``; relative imports are
resolved against the module's package, imports under ``if TYPE_CHECKING`` count too). A module
may import its own layer and the layers to its left only; a failure names the file and the
import. ``domain/`` imports only the standard library, ``eventsourcing.domain`` and itself.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "infra", "projections", "services")
"""Left to right: each layer may import the ones before it, never the ones after."""
DOMAIN = ROOT / "domain"
ALLOWED_THIRD_PARTY = {"eventsourcing.domain"}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``; ``from a import b`` gives
    ``a.b`` as well as ``a`` (``b`` may be a module), relative imports resolved."""
    module = module if module is not None else module_name(path)
    is_package = path.name == "__init__.py"
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def layer_of(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def wrong_way(path: Path, module: str | None = None) -> list[str]:
    """The imports of ``path`` that point from its layer to a later one."""
    module = module if module is not None else module_name(path)
    own = layer_of(module)
    assert own is not None, module
    bad: dict[int, str] = {}
    for line, target in imports_of(path, module):
        theirs = layer_of(target)
        if theirs is not None and theirs > own and line not in bad:
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            bad[line] = (
                f"{where}:{line} imports {target}: {LAYERS[own]} may not import {LAYERS[theirs]}"
            )
    return [bad[line] for line in sorted(bad)]


def is_allowed_in_domain(module: str) -> bool:
    top = module.split(".")[0]
    return (
        top in sys.stdlib_module_names
        or top == "domain"
        or module in ALLOWED_THIRD_PARTY
        or top == "__future__"
    )


def imported_modules(path: Path) -> set[str]:
    """What ``path`` imports, as written (``from a import b`` gives ``a``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module if node.level == 0 else "domain")
    return names


ALL_MODULES = sorted(path for layer in LAYERS for path in (ROOT / layer).rglob("*.py"))


def test_the_walk_reaches_every_layer_and_its_subfolders():
    assert len(list(DOMAIN.glob("*.py"))) >= 5
    for layer in LAYERS:
        assert any(p.parent == ROOT / layer for p in ALL_MODULES), layer
    assert ROOT / "infra" / "audit" / "hashchain.py" in ALL_MODULES
    assert ROOT / "services" / "meetings" / "routes.py" in ALL_MODULES


def test_no_import_crosses_a_layer_the_wrong_way():
    problems = [problem for path in ALL_MODULES for problem in wrong_way(path)]
    assert problems == [], "imports against domain ← infra ← projections ← services:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_only_what_is_allowed(path: Path):
    forbidden = sorted(m for m in imported_modules(path) if not is_allowed_in_domain(m))
    assert forbidden == [], f"{path.name} imports {forbidden}"


def test_the_checker_itself_catches_a_forbidden_import(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("import psycopg\nfrom eventsourcing.application import Application\n")
    assert sorted(m for m in imported_modules(bad) if not is_allowed_in_domain(m)) == [
        "eventsourcing.application",
        "psycopg",
    ]


def test_the_checker_catches_an_upward_import_relative_or_absolute(tmp_path: Path):
    absolute = tmp_path / "absolute.py"
    absolute.write_text("from services.bootstrap import Container\n")
    assert wrong_way(absolute, "infra.absolute") == [
        f"{absolute}:1 imports services.bootstrap: infra may not import services"
    ]
    # ``from ...projections import engine`` inside infra/audit/x.py reaches projections
    relative = tmp_path / "relative.py"
    relative.write_text("from ..projections import engine\nfrom . import hashchain\n")
    assert imports_of(relative, "infra.audit.relative") == [
        (1, "infra.projections"),
        (1, "infra.projections.engine"),
        (2, "infra.audit"),
        (2, "infra.audit.hashchain"),
    ]
    up = tmp_path / "up.py"
    up.write_text("from ...projections import engine\n")
    assert wrong_way(up, "infra.audit.up") == [
        f"{up}:1 imports projections: infra may not import projections"
    ]
    assert wrong_way(relative, "infra.audit.relative") == []
    # a later layer may import an earlier one
    ok = tmp_path / "ok.py"
    ok.write_text("from domain.base import Actor\nfrom infra import tenancy\n")
    assert wrong_way(ok, "projections.ok") == []
