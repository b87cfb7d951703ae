"""Page benchmark: weight and render time of the role pages (not a test; prints figures).

    .venv/bin/python -m bench.pages [--repeat 30]

Seeds the demo province (``chibo serve --demo``'s seed) on the configured database (embedded
under CHIBO_DATA_DIR unless DATABASE_URL is set), signs in through the login form as the
inspector, the auditor and the member, then for each page prints:

* weight: the HTML plus every stylesheet, script, font and image it references, fetched once
  as a browser without a cache would (target < 150 KB);
* render time p50/p95 over ``--repeat`` requests, beside the JSON API request the page reads
  (the baseline, measured in the same run), and their ratio (target p95 < 300 ms).

The demo province has 20 cells; the synthetic province (6,000 cells) is not seeded here.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from litestar.testing import TestClient

from infra.settings import load_settings
from projections import engine
from projections.registry import all_projections
from services.app import create_app
from services.bootstrap import build_container
from services.demo import DEMO_SLUG, seed_demo

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+|/schema/assets/[^"]+)"')
CSS_URL = re.compile(r"url\(\s*['\"]?(/static/[^'\")]+)")
T = f"/t/{DEMO_SLUG}"
A = f"/api/v1/t/{DEMO_SLUG}"
PAGES = (
    ("kiemtra", f"{T}/level", f"{A}/views/level"),
    ("kiemtra", f"{T}/lists/cells_without_regular_meeting?kind=year&period=2026",
     f"{A}/views/lists/cells_without_regular_meeting?period=2026"),
    ("kiemtra", f"{T}/petitions", f"{A}/supervision/petitions?limit=50"),
    ("capuy", f"{T}/my-assignments", f"{A}/supervision/my-assignments?limit=50"),
    ("kiemtoan", f"{T}/audit", f"{A}/audit/trail?limit=50"),
    ("dangvien", f"{T}/me", None),
)  # fmt: skip


def sign_in(client: TestClient[Any], username: str, password: str, slug: str = DEMO_SLUG) -> None:
    """Through the login form, as a person would (cookie session, CSRF token)."""
    client.cookies.clear()
    form = client.get(f"/?tinh={slug}").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
    assert token, "no CSRF token on the login form"
    answer = client.post(
        "/login",
        data={"csrf_token": token.group(1), "tenant": slug, "username": username,
              "password": password},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code in (302, 303), answer.text


def weight(client: TestClient[Any], html: str) -> int:
    """The page and everything it loads, each file once (no cache)."""

    def fetch(path: str) -> tuple[int, list[str]]:
        body = client.get(path)
        return len(body.content), CSS_URL.findall(body.text) if path.endswith(".css") else []

    return loaded_weight(html, ASSET.findall(html), fetch)


def loaded_weight(
    html: str, first: list[str], fetch: Callable[[str], tuple[int, list[str]]]
) -> int:
    """The size of ``html``, of the files it loads (``first``) and of those they load in turn,
    each file counted once; ``fetch`` gives a file's size and the files it loads (a
    stylesheet's fonts). The page test (``tests/e2e/test_web_every_page.py``) weighs with it too.
    """
    total, seen, pending = len(html.encode()), set(), list(first)
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        size, loads = fetch(path)
        total += size
        pending += loads
    return total


def timed(client: TestClient[Any], path: str, repeat: int, **kw: Any) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.get(path, **kw)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    container = build_container(load_settings())
    try:
        logins = seed_demo(container, "bench-pages-password")
        tenant = container.provision(DEMO_SLUG, "")[0]
        for done in engine.catch_up_all(container.database, tenant.schema, all_projections()):
            assert done.error is None, done.error
        with TestClient(create_app(container)) as client:
            print("page | KB | p50 ms | p95 ms | API p95 ms | ratio")
            for username, page, api in PAGES:
                sign_in(client, username, logins.password)
                html = client.get(page).text
                kb = weight(client, html) / 1024
                times = timed(client, page, args.repeat)
                line = f"{page} | {kb:.1f} | {statistics.median(times):.0f} | {p95(times):.0f}"
                if api:
                    token = client.post(
                        f"{A}/auth/login",
                        json={"username": username, "password": logins.password},
                    ).json()["access_token"]
                    bearer = {"Authorization": f"Bearer {token}"}
                    base = timed(client, api, args.repeat, headers=bearer)
                    line += f" | {p95(base):.0f} | {p95(times) / p95(base):.2f}"
                print(line, flush=True)
    finally:
        container.close()


if __name__ == "__main__":
    main()
