"""Every role of the demo province in a real browser: sign in through the form, work through
the navigation and the links (no typed URL but the first), and check on each main page that
nothing is loaded from another host, no script fails, and every piece of text meets the AA
contrast ratio (4.5:1, 3:1 for large text) against the background it is drawn on.

Screenshots of each role's main pages at 1366×768 go to docs/ui/ (shown in docs/ui-roles.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from bench.server import serving
from services.demo import DEMO_SLUG
from services.identity.auth import DEMO_ADMIN
from tests.e2e.browser.conftest import shoot
from tests.e2e.test_web_member_arrival import document_for

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CONTRAST_JS = """
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(',').map((s) => parseFloat(s));
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = ({r, g, b}) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const bad = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (el.closest(':disabled')) continue;  // inactive controls are exempt (WCAG 1.4.3)
    const s = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (s.visibility === 'hidden' || box.width === 0 || box.height === 0 || box.right < 0) continue;
    const fg = parse(s.color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) {
      bad.push(`${node.textContent.trim().slice(0, 40)}: ${s.color} on rgb(${bg.r},${bg.g},${bg.b}) = ${ratio.toFixed(2)}`);
    }
  }
  return bad;
}
"""


@pytest.fixture(scope="module")
def demo_server(seeded: Any) -> Iterator[tuple[str, str]]:
    """The demo province served by uvicorn in a thread, with its own read pool (the session's
    client owns the other one, on its own event loop); the same data directory and keys."""
    from infra.readside import ReadSide
    from infra.tenancy import TenantApplications
    from services.bootstrap import Container

    *_, logins, _, shared = seeded
    container = Container(
        shared.settings, shared.database, TenantApplications(shared.database, 8),
        ReadSide(shared.database),
    )  # fmt: skip
    with serving(container) as url:
        yield url, logins.password
    container.applications.close()


class Watch:
    """What a page did that it must not: a request to another host, a script error."""

    def __init__(self, page: Any, server: str) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith((server, "data:")) else self.outside.append(r.url),
        )

    def check(self, page: Any) -> None:
        assert self.outside == [], self.outside
        assert self.errors == [], self.errors
        low = page.evaluate(CONTRAST_JS)
        assert low == [], f"{page.url}: text below AA contrast: {low[:5]}"

    def shoot(self, page: Any, name: str) -> None:
        """Check the page, then take its screenshot for docs/ui/."""
        self.check(page)
        shoot(page, name)


def heading(page: Any) -> Any:
    """What the page's title (its one h1) is expected to read."""
    return expect(page.get_by_role("heading", level=1))


def sign_in(page: Any, demo_server: tuple[str, str], username: str) -> Watch:
    """Sign in to the demo province through its form as ``username``; the page's watch."""
    server, password = demo_server
    watch = Watch(page, server)
    page.goto(f"{server}/?tinh={DEMO_SLUG}")
    watch.check(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("navigation", name="Các trang")).to_be_visible()
    return watch


def nav(page: Any, label: str) -> Any:
    """Follow the menu entry ``label``; what the new page's title is expected to read."""
    page.get_by_role("navigation", name="Các trang").get_by_role("link", name=label).click()
    return heading(page)


def nav_labels(page: Any) -> list[str]:
    bar = page.get_by_role("navigation", name="Các trang")
    return [t.strip() for t in bar.get_by_role("link").all_inner_texts()]


def test_the_administrator_opens_the_org_tree_and_the_accounts(demo_server, page):
    watch = sign_in(page, demo_server, DEMO_ADMIN)
    assert {"Cây tổ chức", "Tài khoản", "Nhật ký kiểm tra"} <= set(nav_labels(page))
    nav(page, "Cây tổ chức").to_contain_text("Đảng bộ tỉnh Minh Sơn")
    page.get_by_role("link", name="Đảng ủy xã Hợp Lý").first.click()
    heading(page).to_have_text("Đảng ủy xã Hợp Lý")
    watch.shoot(page, "role-admin-units")
    nav(page, "Tài khoản").to_have_text("Tài khoản người dùng")
    expect(page.get_by_role("cell", name="kiemtoan", exact=True)).to_be_visible()
    watch.shoot(page, "role-admin-users")
    nav(page, "Cấu hình").to_have_text("Cấu hình của tỉnh")
    expect(page.get_by_role("button", name="Ghi thay đổi")).to_be_visible()
    watch.shoot(page, "role-admin-settings")


def test_the_secretary_sees_her_cell_and_its_members(demo_server, page, seeded):
    watch = sign_in(page, demo_server, "bithu")
    assert "Cây tổ chức" not in nav_labels(page)
    assert "Nhật ký kiểm tra" not in nav_labels(page)
    expect(page.get_by_role("heading", name="Kỳ sinh hoạt tới")).to_be_visible()
    watch.check(page)
    page.get_by_role("link", name="Danh sách đảng viên").click()
    heading(page).to_contain_text("Đảng viên của Chi bộ")
    watch.shoot(page, "role-secretary-members")
    # a member's record, then her lifecycle forms (opened, not sent: the demo is shared)
    page.locator("table a[href$='/edit']").first.click()
    page.get_by_role("link", name="Sinh hoạt đảng", exact=False).click()
    heading(page).to_contain_text("Sinh hoạt đảng")
    expect(page.get_by_label("Chi bộ chuyển đến")).to_be_visible()
    expect(page.get_by_role("button", name="Ghi ra khỏi danh sách")).to_be_visible()
    watch.shoot(page, "role-secretary-lifecycle")
    # the special duty form (lực lượng vũ trang làm nhiệm vụ đặc biệt), its day typed dd/mm/yyyy
    duty = page.get_by_label("Làm nhiệm vụ từ ngày")
    duty.scroll_into_view_if_needed()
    page.get_by_role("heading", name="Lực lượng vũ trang làm nhiệm vụ đặc biệt").evaluate(
        "h => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 16)"
    )
    assert duty.get_attribute("type") == "text"
    assert duty.get_attribute("placeholder") == "dd/mm/yyyy"
    shoot(page, "role-secretary-lifecycle-duty")
    # receiving a member from another province: the document checked (nothing is written)
    crumbs = page.get_by_role("navigation", name="Vị trí trong tổ chức")
    crumbs.get_by_role("link", name="Đảng viên", exact=True).click()
    page.get_by_role("link", name="Tiếp nhận đảng viên từ tỉnh khác").click()
    heading(page).to_have_text("Tiếp nhận đảng viên từ tỉnh khác")
    watch.check(page)
    document, _ = document_for(seeded[-1], DEMO_SLUG, "Lê Thị Thu")
    page.get_by_label("Dán bản chuyển (nguyên văn)").fill(document.decode())
    page.get_by_role("button", name="Kiểm tra bản chuyển").click()
    expect(page.get_by_role("heading", name="Bước 2: Ghi vào chi bộ")).to_be_visible()
    expect(page.get_by_label("Chi bộ tiếp nhận")).to_be_visible()
    watch.shoot(page, "role-secretary-receive")


def test_the_inspector_drills_down_filters_and_downloads_the_excel(demo_server, page):
    watch = sign_in(page, demo_server, "kiemtra")
    nav(page, "Báo cáo theo cấp").to_contain_text("Đảng bộ tỉnh Minh Sơn")
    watch.shoot(page, "role-inspector-level")
    page.get_by_role("link", name="Đảng ủy xã Hợp Lý").click()
    heading(page).to_have_text("Đảng ủy xã Hợp Lý")
    page.get_by_role("link", name="Đảng bộ các thôn xã Hợp Lý").click()
    crumbs = page.get_by_role("navigation", name="Vị trí trong tổ chức")
    expect(crumbs).to_contain_text("Đảng ủy xã Hợp Lý")
    page.locator("table a[href$='/members']").first.click()
    heading(page).to_contain_text("Đảng viên của Chi bộ")
    watch.check(page)
    page.go_back()
    page.get_by_role("link", name="Chi bộ không sinh hoạt thường kỳ").first.click()
    heading(page).to_contain_text("Chi bộ không sinh hoạt thường kỳ")
    watch.shoot(page, "role-inspector-list")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Excel (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    nav(page, "Kiến nghị").to_have_text("Theo dõi kiến nghị")
    watch.shoot(page, "role-inspector-petitions")


def test_the_superior_member_opens_her_assignments(demo_server, page):
    watch = sign_in(page, demo_server, "capuy")
    nav(page, "Phân công của tôi").to_contain_text("Phân công")
    watch.shoot(page, "role-superior-assignments")


def test_the_auditor_checks_the_trail_a_history_and_the_verification(demo_server, page):
    watch = sign_in(page, demo_server, "kiemtoan")
    nav(page, "Nhật ký kiểm tra").to_have_text("Nhật ký kiểm tra")
    expect(page.get_by_text("Niêm phong số 1")).to_be_visible()
    watch.shoot(page, "role-auditor-trail")
    page.get_by_role("link", name="Lịch sử").first.click()
    heading(page).to_contain_text("Lịch sử bản ghi")
    watch.shoot(page, "role-auditor-history")
    nav(page, "Kiểm chứng")
    page.get_by_role("button", name="Kiểm chứng ngay").click()
    expect(page.get_by_role("heading", name="Kết luận: toàn vẹn")).to_be_visible()
    expect(page.get_by_text("Còn nguyên").first).to_be_visible()
    watch.shoot(page, "role-auditor-verification")
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON (kiểm chứng độc lập)").click()
    assert download.value.suggested_filename.endswith(".json")


def test_a_member_sees_her_page_and_nothing_of_the_subtree(demo_server, page):
    watch = sign_in(page, demo_server, "dangvien")
    # her own pages only, nothing of the subtree
    assert set(nav_labels(page)) == {"Trang chính", "Trang của tôi", "Thông báo"}
    expect(page.get_by_text("Đến lượt đồng chí ở kỳ sinh hoạt thường kỳ tới")).to_be_visible()
    watch.shoot(page, "role-member-home")
    refused = page.goto(f"{demo_server[0]}/t/{DEMO_SLUG}/level")
    assert refused is not None
    assert refused.status == 403


def test_keyboard_reaches_the_skip_link_and_the_focus_is_visible(demo_server, page):
    sign_in(page, demo_server, "kiemtoan")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused[0] == "Bỏ qua, đến nội dung chính"
    assert focused[1] == "solid"
