"""Every file the code reads beside its modules travels with the installed package: the
pages' templates and assets, the documents' fonts, the import's samples (issue 18). The Docker
image installs the project with ``pip install .`` (not editable), so a file outside
``[tool.setuptools.package-data]`` is simply missing there."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGES = ("domain", "services", "projections", "infra")


def data_files() -> list[Path]:
    return sorted(
        path
        for top in PACKAGES
        for path in (ROOT / top).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    )


def covered(path: Path, globs: dict[str, list[str]]) -> bool:
    for package, patterns in globs.items():
        base = ROOT.joinpath(*package.split("."))
        if base in path.parents:
            inside = path.relative_to(base).as_posix()
            if any(fnmatch.fnmatchcase(inside, p) and inside.count("/") == p.count("/")
                   for p in patterns):  # fmt: skip
                return True
    return False


def test_every_data_file_beside_the_code_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]
    files = data_files()
    assert any(p.name == "cay-to-chuc.csv" for p in files)  # the walk sees the samples
    missing = [str(p.relative_to(ROOT)) for p in files if not covered(p, globs)]
    assert missing == []
