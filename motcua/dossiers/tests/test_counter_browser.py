"""The counter in headless Chromium: an officer receives a dossier through the form (with a bad
citizen ID first), hands a result over by scanning its QR address, at 1280 px and on a 390 px
phone; axe-core on every counter page (no "serious" or "critical" violation).

One journey in one test: a browser test's database is emptied after it.
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from conftest import axe_violations, screenshot
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.tests.conftest import PROCEDURE_CODE, build_world, intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sign_in(context, live_server, user) -> None:
    """Put a signed-in session of ``user`` into the browser context (no password round trip)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def finished(world) -> Dossier:
    d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    d = services.dossier_forward(actor=world.receptionist, dossier=d, expected_version=d.version)
    d = services.dossier_assign(
        actor=world.leader, dossier=d, expected_version=d.version, officer=world.specialist
    )
    d = services.dossier_forward(
        actor=world.specialist, dossier=d, expected_version=d.version, officer=world.leader
    )
    d = services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)
    return services.dossier_finish(actor=world.receptionist, dossier=d, expected_version=d.version)


def test_an_officer_receives_a_dossier_and_returns_a_result_on_desktop_and_phone(live_server, browser, page):
    world = build_world()
    waiting = finished(world)
    sign_in(page.context, live_server, world.receptionist)

    # Today.
    page.goto(live_server.url + "/quay/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hôm nay tại quầy")
    waiting_section = page.locator("section[aria-labelledby=cho-tra]")
    assert waiting_section.get_by_role("link", name=waiting.code).count() == 1
    assert axe_violations(page) == []
    screenshot(page, "counter-today-1280")

    # Step 1: find the procedure (htmx swaps the results as the officer types).
    page.get_by_role("link", name="Tiếp nhận hồ sơ mới").first.click()
    page.wait_for_url("**/quay/tiep-nhan/")
    page.get_by_label("Tên hoặc mã thủ tục").fill("ket hon")
    page.wait_for_function("() => document.querySelector('#ket-qua h2').textContent.includes('ket hon')")
    assert axe_violations(page) == []
    screenshot(page, "counter-intake-search-1280")
    page.get_by_role("link", name="Thủ tục đăng ký kết hôn").click()
    page.wait_for_url(f"**/quay/tiep-nhan/?thu-tuc={PROCEDURE_CODE}")
    assert axe_violations(page) == []

    # Step 2: a mistyped citizen ID comes back explained, with everything typed kept.
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Số định danh cá nhân").fill("003190012345")
    page.get_by_label("Ngày sinh").fill("17/05/1990")
    page.get_by_label("Điện thoại").fill("0912 345 678")
    page.get_by_label("Địa chỉ", exact=True).fill("Thôn Đông, xã An Bình")
    page.get_by_label("Tờ khai đăng ký kết hôn").check()
    page.get_by_label("Giấy xác nhận tình trạng hôn nhân").check()
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    page.wait_for_selector("#id_citizen_id_error")
    assert "“003” không tồn tại" in page.locator("#id_citizen_id_error").inner_text()
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Thị Hoa"
    assert page.get_by_label("Giấy xác nhận tình trạng hôn nhân").is_checked()
    assert Dossier.objects.filter(procedure__code=PROCEDURE_CODE).count() == 1  # only the finished one
    assert axe_violations(page) == []
    screenshot(page, "counter-intake-error-1280")

    page.get_by_label("Số định danh cá nhân").fill("001190012345")
    page.set_input_files(
        "#id_tp_tp01_files", files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    page.wait_for_url("**/quay/tiep-nhan/*-*/")
    received = Dossier.objects.exclude(pk=waiting.pk).get()
    assert received.state == "received" and received.citizen_id == "001190012345"
    assert DossierFile.objects.filter(document__dossier=received).count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "Đã tiếp nhận hồ sơ"
    assert page.locator(".receipt__code").inner_text() == received.code
    assert page.locator(".receipt__pin").inner_text() == received.pin
    assert (
        page.get_by_role("link", name="In Mẫu 01").get_attribute("href")
        == f"/bieu-mau/{received.uid}/mau-01.pdf"
    )
    assert axe_violations(page) == []
    screenshot(page, "counter-intake-done-1280")

    # An incomplete dossier: "Yêu cầu bổ sung" lists the unticked mandatory document for a reason.
    page.get_by_role("link", name="Tiếp nhận hồ sơ tiếp theo").click()
    page.get_by_label("Tên hoặc mã thủ tục").fill(PROCEDURE_CODE)
    page.get_by_role("link", name="Thủ tục đăng ký kết hôn").click()
    page.get_by_label("Họ và tên").fill("Trần Văn Bình")
    page.get_by_label("Số định danh cá nhân").fill("001085012345")
    page.get_by_label("Tờ khai đăng ký kết hôn").check()
    page.get_by_role("button", name="Yêu cầu bổ sung").click()
    page.wait_for_selector("#id_item_0_reason_error")
    assert (
        page.get_by_label("Giấy tờ, nội dung cần bổ sung 1").input_value()
        == "Giấy xác nhận tình trạng hôn nhân"
    )
    assert axe_violations(page) == []
    screenshot(page, "counter-intake-supplement-1280")
    page.get_by_label("Lý do 1").fill("Chưa có giấy xác nhận của nơi cư trú.")
    page.get_by_role("button", name="Yêu cầu bổ sung").click()
    page.wait_for_url("**/quay/tiep-nhan/*-*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Đã hướng dẫn bổ sung hồ sơ"
    assert page.get_by_role("link", name="In Mẫu 02").count() == 1
    assert axe_violations(page) == []

    # Return: the scanner types the QR's tracking address into the focused field, then Enter.
    page.goto(live_server.url + "/quay/tra-ket-qua/")
    # The browser moves focus to an autofocus field at its next rendering, after "load": waited for.
    expect(page.locator("#ma")).to_be_focused()
    assert axe_violations(page) == []
    page.keyboard.type(f"{live_server.url}/tra-cuu/?ma={waiting.code}&pin={waiting.pin}")
    page.keyboard.press("Enter")
    page.wait_for_selector(".return-form")
    assert page.get_by_role("heading", name=f"Hồ sơ {waiting.code}").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "counter-return-1280")
    page.get_by_label("Họ tên người nhận kết quả").fill("Lê Văn Nhận")
    page.get_by_role("button", name="Xác nhận đã trả kết quả").click()
    page.get_by_text(f"Hồ sơ {waiting.code}: đã trả kết quả cho Lê Văn Nhận.").wait_for()
    waiting.refresh_from_db()
    assert (waiting.state, waiting.collected_by) == ("returned", "Lê Văn Nhận")

    # A 390 px phone: nothing wider than the screen, still accessible.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        sign_in(phone, live_server, world.receptionist)
        mobile = phone.new_page()
        for path, name in [
            ("/quay/", "counter-today-390"),
            (f"/quay/tiep-nhan/?thu-tuc={PROCEDURE_CODE}", "counter-intake-form-390"),
            (f"/quay/tiep-nhan/{received.uid}/", "counter-intake-done-390"),
            (f"/quay/tra-ket-qua/?ma={received.code}", "counter-return-390"),
        ]:
            mobile.goto(live_server.url + path)
            assert mobile.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert axe_violations(mobile) == [], path
            screenshot(mobile, name)
    finally:
        phone.close()
    page.goto(live_server.url + f"/quay/tiep-nhan/?thu-tuc={PROCEDURE_CODE}")
    screenshot(page, "counter-intake-form-1280")
