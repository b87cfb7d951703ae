"""Every page, for every role of the demo province: each link a page offers opens, each page
is light, loads nothing from another host, and shows no UUID where a person reads.

The pages are found by following links from each role's home (as a person clicking would),
one or two pages of each kind (the same route with another id is the same template), so a
page added later is checked without being listed here. A link to a page the role may not
open (a 403) fails the test: the navigation and the pages offer only what the policy allows.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient

from bench.pages import loaded_weight
from services.demo import DEMO_SLUG
from services.identity.auth import DEMO_ADMIN
from tests.e2e.web_helpers import sign_in

pytestmark = pytest.mark.e2e

ROLES = (DEMO_ADMIN, "bithu", "capuy", "kiemtra", "kiemtoan", "dangvien")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
MAX_WEIGHT = 150 * 1024
PER_KIND = 2
MAX_PAGES = 70
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
DOWNLOADS = ("/export", "/seals/", "/verification/")
"""Links to files, not pages (checked by their own tests)."""


class PageText(HTMLParser):
    """What a person reads (text, titles, labels) and every address the page names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.addresses: list[str] = []
        self.links: list[str] = []
        self.skipping = 0
        self.breadcrumbs = False
        self.nav: list[str] = []
        self.in_nav = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in ("script", "style"):
            self.skipping += 1
        for name in ("href", "src", "action", "formaction", "srcset", "poster", "data"):
            if values.get(name):
                self.addresses.append(values[name])
        self.text += [values[name] for name in READ_ATTRIBUTES if values.get(name)]
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
            if self.in_nav:
                self.nav.append(values["href"])
        if tag == "nav" and "breadcrumbs" in values.get("class", ""):
            self.breadcrumbs = True
        if tag == "nav" and "mainnav" in values.get("class", ""):
            self.in_nav = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1
        if tag == "nav":
            self.in_nav = False

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.text.append(data)


def read(html: str) -> PageText:
    parsed = PageText()
    parsed.feed(html)
    return parsed


def kind_of(href: str) -> str:
    """The page's template: ids and numbers replaced, the query's names kept."""
    parts = urlsplit(href)
    path = UUID.sub("{id}", parts.path)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", path)
    names = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(names) if names else "")


def weight(client: TestClient[Any], html: str, assets: dict[str, tuple[int, list[str]]]) -> int:
    """The page and every stylesheet, script and font it loads, each once (no cache).

    ``assets`` caches each file's size and the files it loads in turn (a stylesheet's fonts).
    """

    def fetch(path: str) -> tuple[int, list[str]]:
        if path not in assets:
            answer = client.get(path)
            assert answer.status_code == 200, path
            urls = CSS_URL.findall(answer.text) if path.endswith(".css") else []
            assert not [u for u in urls if OUTSIDE.match(u)], (path, urls)
            assets[path] = (len(answer.content), [u for u in urls if u.startswith("/static/")])
        return assets[path]

    return loaded_weight(html, ASSET.findall(html), fetch)


def crawl(client: TestClient[Any], start: str) -> dict[str, tuple[int, PageText, int]]:
    """Breadth first from the home page, within the province's pages; href → result."""
    assets: dict[str, tuple[int, list[str]]] = {}
    queue: deque[str] = deque([start])
    per_kind: dict[str, int] = {}
    seen: set[str] = set()
    found: dict[str, tuple[int, PageText, int]] = {}
    while queue and len(found) < MAX_PAGES:
        href = queue.popleft()
        if href in seen:
            continue
        seen.add(href)
        answer = client.get(href, follow_redirects=True)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        parsed = read(answer.text)
        found[href] = (answer.status_code, parsed, weight(client, answer.text, assets))
        for link in parsed.links:
            link = link.replace("&amp;", "&").split("#")[0]
            if link.startswith("?"):
                link = urlsplit(href).path + link
            if not link.startswith(f"/t/{DEMO_SLUG}/") or any(d in link for d in DOWNLOADS):
                continue
            kind = kind_of(link)
            if link not in seen and per_kind.get(kind, 0) < PER_KIND:
                per_kind[kind] = per_kind.get(kind, 0) + 1
                queue.append(link)
    return found


@pytest.fixture(scope="module")
def crawled(seeded: Any) -> dict[str, dict[str, tuple[int, PageText, int]]]:
    *_, logins, client, _ = seeded
    result = {}
    for username in ROLES:
        client.cookies.clear()
        client.headers.pop("authorization", None)
        answer = sign_in(client, DEMO_SLUG, username, logins.password)
        assert answer.status_code in (302, 303), answer.text
        result[username] = crawl(client, f"/t/{DEMO_SLUG}/")
    client.cookies.clear()
    return result


@pytest.mark.parametrize("username", ROLES)
def test_every_link_a_page_offers_opens(crawled, username):
    pages = crawled[username]
    assert len(pages) >= 3, sorted(pages)  # the home, the navigation's pages and below
    refused = {href: status for href, (status, _, _) in pages.items() if status != 200}
    assert refused == {}, f"{username} was offered links it may not open"


@pytest.mark.parametrize("username", ROLES)
def test_every_page_is_light_and_loads_nothing_from_another_host(crawled, username):
    for href, (_, parsed, size) in crawled[username].items():
        assert size < MAX_WEIGHT, (href, size)
        outside = [a for a in parsed.addresses if OUTSIDE.match(a) or a.startswith("data:text")]
        assert outside == [], (href, outside)


@pytest.mark.parametrize("username", ROLES)
def test_no_page_shows_a_uuid_where_a_person_reads(crawled, username):
    for href, (_, parsed, _) in crawled[username].items():
        shown = UUID.findall(" ".join(parsed.text))
        assert shown == [], (href, shown[:3])


@pytest.mark.parametrize("username", ROLES)
def test_every_page_below_home_has_breadcrumbs_and_the_navigation(crawled, username):
    for href, (_, parsed, _) in crawled[username].items():
        assert parsed.nav, (href, "no navigation bar")
        if urlsplit(href).path != f"/t/{DEMO_SLUG}/":
            assert parsed.breadcrumbs, (href, "no breadcrumbs")


def test_the_navigation_offers_each_role_its_own_pages(crawled):
    def nav(username: str) -> set[str]:
        home = crawled[username][f"/t/{DEMO_SLUG}/"][1]
        return {urlsplit(h).path.removeprefix(f"/t/{DEMO_SLUG}") for h in home.nav}

    assert {"/admin/units", "/admin/users", "/audit"} <= nav(DEMO_ADMIN)
    assert {"/level", "/petitions", "/audit"} <= nav("kiemtra")
    assert "/admin/units" not in nav("kiemtra")
    assert "/audit" in nav("kiemtoan")
    assert nav("dangvien") == {"/", "/me", "/notices"}  # her own pages, nothing of the subtree
    assert "/notices/undelivered" in nav("bithu")
    assert "/audit" not in nav("bithu")
    assert "/admin/users" not in nav("bithu")
    assert "/my-assignments" in nav("capuy")


def test_the_crawl_reached_each_roles_working_pages(crawled):
    def visited(username: str) -> set[str]:
        return {kind_of(href) for href in crawled[username]}

    assert "/t/demo/meetings/{id}" in visited("bithu")
    # a member's lifecycle forms, from her record (the secretary keeps her cell's records)
    assert "/t/demo/units/{id}/members/{id}/lifecycle" in visited("bithu")
    assert "/t/demo/audit/aggregates/{id}" in visited("kiemtoan")
    assert "/t/demo/audit/verification" in visited("kiemtoan")
    assert any(k.startswith("/t/demo/admin/units") for k in visited(DEMO_ADMIN))
    assert any(k.startswith("/t/demo/lists/") for k in visited("kiemtra"))
