"""The public catalogue in headless Chromium: search, open a procedure, phone width, no
JavaScript, and axe-core on both pages (no "serious" or "critical" violation).

One journey in one test, because the real catalogue takes seconds to load and a browser test's
database is emptied after it.
"""

import pytest

from conftest import axe_violations, screenshot
from motcua.catalog.tests.pages_data import load_catalogue_for_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _top(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


def test_a_citizen_finds_a_procedure_and_reads_it_on_desktop_and_phone(live_server, browser, page):
    load_catalogue_for_pages()

    # Desktop: search without accents from the home page.
    page.goto(live_server.url + "/")
    assert axe_violations(page) == []
    page.get_by_label("Tên thủ tục hoặc mã thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url("**/thu-tuc/?q=*")
    names = page.locator(".proc-item__title a").all_inner_texts()
    assert "Thủ tục đăng ký khai sinh" in names
    assert all("khai sinh" in n.lower() for n in names)
    assert axe_violations(page) == []
    screenshot(page, "catalogue-1280")

    # With JavaScript on, changing a filter swaps the results in place (htmx).
    page.get_by_text("Lọc theo lĩnh vực, cấp, cơ quan").click()
    page.select_option("#level", "province")
    page.wait_for_url("**level=province**")
    page.get_by_text("Không tìm thấy thủ tục nào").wait_for()
    page.select_option("#level", "")
    page.wait_for_function("() => document.querySelectorAll('.proc-item').length > 0")

    page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True).click()
    page.wait_for_url("**/thu-tuc/1.001193/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thủ tục đăng ký khai sinh"
    for name in ["Thành phần hồ sơ", "Phí, lệ phí", "Nếu nộp hồ sơ ngay bây giờ", "Nơi nộp hồ sơ"]:
        assert page.get_by_role("heading", name=name).is_visible()
    assert axe_violations(page) == []
    screenshot(page, "procedure-1280")
    # On a wide screen the appointment and the place sit beside the facts, at the top.
    assert _top(page, "#hen-tra") < _top(page, "#thanh-phan")
    page.goto(live_server.url + "/thu-tuc/3.000333/")
    assert "Công an tỉnh Mẫu" in page.locator("#noi-nop").locator("xpath=..").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "procedure-lltp-1280")

    # A 390 px phone: nothing wider than the screen, still accessible.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        mobile = phone.new_page()
        for path, name in [
            ("/", "home-390"),
            ("/thu-tuc/?q=khai+sinh", "catalogue-390"),
            ("/thu-tuc/1.001193/", "procedure-390"),
            ("/thu-tuc/3.000333/", "procedure-lltp-390"),
        ]:
            mobile.goto(live_server.url + path)
            assert mobile.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert axe_violations(mobile) == [], path
            screenshot(mobile, name)
            if path.startswith("/thu-tuc/") and "?" not in path:
                # One column: the appointment and the place to submit come before the legal basis
                # (and before the documents), right after the general facts.
                order = [
                    _top(mobile, f"#{h}") for h in ("thong-tin", "hen-tra", "noi-nop", "thanh-phan", "can-cu")
                ]
                assert order == sorted(order), (path, order)
    finally:
        phone.close()

    # Without JavaScript the filter form is a plain GET form and still works.
    nojs = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        plain = nojs.new_page()
        plain.goto(live_server.url + "/thu-tuc/")
        plain.get_by_text("Lọc theo lĩnh vực, cấp, cơ quan").click()
        plain.select_option("#field", "ho-tich")
        plain.get_by_role("button", name="Tìm kiếm").click()
        plain.wait_for_url("**field=ho-tich**")
        assert plain.locator(".proc-item").count() == 20
        assert plain.get_by_role("link", name="Trang sau ›").is_visible()
    finally:
        nojs.close()
