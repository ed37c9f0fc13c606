"""The tracking page in headless Chromium: from the receipt's QR link, with the keyboard only,
at 1280 and 390 px, with JavaScript off, and axe-core on every state of the page."""

import pytest
from django.core.cache import cache

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
    assert page.evaluate("document.activeElement.id") == "pin"
    assert axe_violations(page) == []
    screenshot(page, "tracking-form-1280")

    # Keyboard only: type the PIN (in small letters) and press Enter.
    page.keyboard.type(dossier.pin.lower())
    page.keyboard.press("Enter")
    page.wait_for_url("**pin=*")
    status = page.locator(".tracking-status")
    assert "Đang xử lý" in status.inner_text() and "4/10" in status.inner_text()
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
    page.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}&pin=SAIMA9")
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
        mobile.wait_for_url("**pin=*")
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
        mobile.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}&pin={dossier.pin}")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(mobile) == []
    finally:
        phone.close()
