"""The tracking page in headless Chromium: from the receipt's QR link, with the keyboard only,
at 1280 and 390 px, with JavaScript off, and axe-core on every state of the page. The PIN is
posted, never put in the address."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from conftest import axe_violations, screenshot
from motcua.dossiers import services
from motcua.dossiers.tests.api_data import build_world, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_citizen_tracks_a_dossier_from_the_qr_link_on_desktop_and_phone(live_server, browser, page):
    cache.clear()
    world = build_world()
    dossier = receive(world)
    dossier = services.dossier_request_supplement(
        actor=world.specialist,
        dossier=dossier,
        expected_version=dossier.version,
        items=[services.SupplementItem(name="Giấy chứng sinh", reason="Bản chụp không rõ")],
        note="Nội bộ",
    )
    dossier = services.dossier_receive_supplement(
        actor=world.receptionist, dossier=dossier, expected_version=dossier.version
    )
    dossier = services.dossier_assign(
        actor=world.leader, dossier=dossier, expected_version=dossier.version, officer=world.specialist
    )

    # The QR code's link: the code is filled in, the cursor waits in the PIN field.
    page.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}")
    assert page.get_by_label("Mã hồ sơ").input_value() == dossier.code
    # The browser moves focus to an autofocus field at its next rendering, after "load": waited for.
    expect(page.locator("#pin")).to_be_focused()
    assert axe_violations(page) == []
    screenshot(page, "tracking-form-1280")

    # Keyboard only: type the PIN (in small letters) and press Enter.
    page.keyboard.type(dossier.pin.lower())
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert dossier.pin not in page.url and dossier.pin.lower() not in page.url
    status = page.locator(".tracking-status")
    assert "Đang xử lý" in status.inner_text() and "/10" not in status.inner_text()
    assert "ông/bà chưa cần làm gì thêm" in page.locator(".tracking-guidance").inner_text()
    history = page.locator(".tracking-history li").all_inner_texts()
    assert [h.split("\n")[-1].strip() for h in history] == [
        "Được tiếp nhận",
        "Yêu cầu bổ sung giấy tờ",
        "Được tiếp nhận",
        "Đang xử lý",
    ]
    assert world.specialist.full_name not in page.content()
    assert axe_violations(page) == []
    screenshot(page, "tracking-result-1280")

    # A wrong PIN: the same message as an unknown code, announced as an alert.
    page.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}")
    page.fill("#pin", "SAIMA9")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text() == "Không tìm thấy hồ sơ với mã và mã tra cứu này."
    assert axe_violations(page) == []
    screenshot(page, "tracking-not-found-1280")

    # A 390 px phone with JavaScript off: nothing wider than the screen, still accessible.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True, java_script_enabled=False
    )
    try:
        mobile = phone.new_page()
        mobile.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}")
        mobile.fill("#pin", dossier.pin)
        mobile.click("button[type=submit]")
        mobile.wait_for_load_state()
        assert "Đang xử lý" in mobile.locator(".tracking-status").inner_text()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(mobile, "tracking-result-390")
        mobile.goto(f"{live_server.url}/tra-cuu/")
        screenshot(mobile, "tracking-form-390")
    finally:
        phone.close()
    # axe needs scripts: check the phone layout with JavaScript on.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        mobile = phone.new_page()
        mobile.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}")
        mobile.fill("#pin", dossier.pin)
        mobile.click("button[type=submit]")
        mobile.wait_for_load_state()
        assert "Đang xử lý" in mobile.locator(".tracking-status").inner_text()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(mobile) == []
    finally:
        phone.close()


def test_a_citizen_sees_what_to_bring_for_a_supplement_and_why(live_server, browser, page):
    """A supplement asked during processing: the items with their reasons and no old appointment,
    at 1280 and 390 px, checked by axe-core; an old link with the PIN in it shows nothing."""
    cache.clear()
    world = build_world()
    dossier = receive(world)
    old_due = f"{timezone.localtime(dossier.due_at):%d/%m/%Y}"
    dossier = services.dossier_request_supplement(
        actor=world.specialist,
        dossier=dossier,
        expected_version=dossier.version,
        items=[
            services.SupplementItem(
                name="Giấy chứng sinh (bản chính)", reason="Bản nộp là bản chụp, không rõ chữ"
            ),
            services.SupplementItem(name="Giấy xác nhận nơi cư trú", reason="Thiếu trong hồ sơ"),
        ],
    )
    # An old bookmark with the PIN in its address: the PIN leaves the address, nothing is shown.
    page.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}&pin={dossier.pin}")
    assert dossier.pin not in page.url and page.locator(".tracking-status").count() == 0
    assert page.get_by_label("Mã hồ sơ").input_value() == dossier.code
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="vi-VN", is_mobile=width < 500
        )
        try:
            tab = context.new_page()
            tab.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}")
            tab.fill("#pin", dossier.pin)
            tab.click("button[type=submit]")
            tab.wait_for_load_state()
            todo = tab.locator(".tracking-box--todo").inner_text()
            assert (
                "Giấy chứng sinh (bản chính)" in todo and "Lý do: Bản nộp là bản chụp, không rõ chữ" in todo
            )
            assert "Ngày hẹn cũ không còn giá trị" in todo
            assert old_due not in tab.locator(".facts").inner_text()
            assert tab.evaluate("document.documentElement.scrollWidth") <= width
            assert axe_violations(tab) == []
            screenshot(tab, f"tracking-supplement-{width}")
        finally:
            context.close()
