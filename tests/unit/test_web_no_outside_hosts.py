"""No page may load anything from another host: templates and served assets name none.

Licence texts (LICENSE, SOURCE.txt) are shipped beside the vendored files and are never loaded
by a page, so they may cite their origin. Rendered pages are checked in the e2e tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.web.render import STATIC, TEMPLATES

pytestmark = pytest.mark.unit

URL = re.compile(rb"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
NOT_LOADED = {"LICENSE", "SOURCE.txt"}
ALLOWED = (b"//www.w3.org/",)
"""XML namespace names inside SVG/JS: identifiers, never fetched."""


def outside_hosts(data: bytes) -> list[bytes]:
    return [m for m in URL.findall(data) if not any(a in m for a in ALLOWED)]


def served_files() -> list[Path]:
    return [
        p
        for root in (TEMPLATES, STATIC)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in NOT_LOADED and p.suffix != ".woff2"
    ]


def test_the_scan_finds_an_outside_host_when_there_is_one():
    assert outside_hosts(b'<script src="https://cdn.example.org/x.js"></script>')
    assert outside_hosts(b"@import url(//fonts.example.com/css);")
    assert not outside_hosts('<a href="/t/demo/">trang chính</a>'.encode())


@pytest.mark.parametrize("path", served_files(), ids=lambda p: str(p.relative_to(p.parents[2])))
def test_no_template_or_asset_names_another_host(path: Path):
    assert outside_hosts(path.read_bytes()) == []


def test_every_vendored_asset_ships_with_its_licence():
    vendor = STATIC / "vendor"
    for package in vendor.iterdir():
        assert (package / "LICENSE").is_file(), package
        assert (package / "SOURCE.txt").is_file(), package
    fonts = sorted(p.name for p in (vendor / "be-vietnam-pro").glob("*.woff2"))
    assert fonts
    assert all(("latin" in f or "vietnamese" in f) for f in fonts)
