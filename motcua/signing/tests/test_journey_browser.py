"""In headless Chromium: the leader approves with the result PDF attached (his key signs it),
the counter finishes the dossier (the agency's seal signs it), the citizen finds the e-result in
"Hồ sơ của tôi", downloads it and checks it at /xac-thuc/; the verification page and the QR's
page at 1280 px and 390 px, axe-core on each (no serious or critical violation).

A fixture-able flow: ``approved_by_browser`` and ``finished_by_browser`` are reused by the whole
issue-12 journey (payment first) the lead assembles.
"""

import re

import pytest
from django.test import Client

from conftest import axe_violations, screenshot
from motcua.dossiers.tests.conftest import AT_APPROVAL, advance
from motcua.signing import signatures
from motcua.signing.models import EResult
from motcua.signing.tests.conftest import result_pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def approved_by_browser(page, live_server, leader, dossier, pdf_path) -> None:
    sign_in(page.context, live_server, leader)
    page.goto(f"{live_server.url}/xu-ly/ho-so/{dossier.code}/")
    page.locator("summary", has_text="Phê duyệt").click()
    form = page.locator("form.bo-action", has=page.get_by_role("button", name="Phê duyệt", exact=True))
    form.get_by_label("Văn bản kết quả (tệp PDF)").set_input_files(str(pdf_path))
    form.get_by_role("button", name="Phê duyệt", exact=True).click()
    page.get_by_text(f"Đã thực hiện: Phê duyệt (hồ sơ {dossier.code}).").wait_for()


def finished_by_browser(page, live_server, receptionist, dossier) -> None:
    page.context.clear_cookies()
    sign_in(page.context, live_server, receptionist)
    page.goto(f"{live_server.url}/xu-ly/ho-so/{dossier.code}/")
    page.locator("summary", has_text="Hoàn thành kết quả").click()
    page.get_by_role("button", name="Hoàn thành kết quả").click()
    page.get_by_text(f"Đã thực hiện: Hoàn thành kết quả (hồ sơ {dossier.code}).").wait_for()


def test_approved_signed_downloaded_and_verified(signing_world, live_server, browser, page, tmp_path):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    dossier.owner = sw.citizen
    dossier.save(update_fields=["owner"])
    attached = tmp_path / "giay-chung-nhan.pdf"
    attached.write_bytes(result_pdf_bytes())

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page.context, live_server, sw.leader)
    page.goto(f"{live_server.url}/xu-ly/ho-so/{dossier.code}/")
    page.locator("summary", has_text="Phê duyệt").click()
    assert page.get_by_text("Kết quả điện tử (ký bằng chứng thư số của ông/bà)").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "signing-approve-1280")
    approved_by_browser(page, live_server, sw.leader, dossier, attached)
    result = EResult.objects.get(dossier=dossier)
    assert result.code == f"{dossier.code}-KQ1" and result.issued_at is None

    finished_by_browser(page, live_server, sw.receptionist, dossier)
    result.refresh_from_db()
    assert result.issued_at is not None and result.seal_id == sw.seal.pk

    # The citizen: "Hồ sơ của tôi" → the dossier → the e-result, downloaded.
    page.context.clear_cookies()
    sign_in(page.context, live_server, sw.citizen)
    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.code}/")
    section = page.get_by_role("region", name="Kết quả điện tử")
    link = section.get_by_role(
        "link", name=re.compile(r"^Tải về .*\(mã " + re.escape(result.code) + r", PDF\)$")
    )
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{result.code}.pdf"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert signatures.verify(saved.read_bytes()).verdict == "valid"
    assert axe_violations(page) == []
    screenshot(page, "signing-my-dossier-1280")

    # Anyone: /xac-thuc/ with the downloaded file.
    section.get_by_role("link", name="Xác thực kết quả điện tử").click()
    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(saved))
    page.get_by_role("button", name="Kiểm tra chữ ký số").click()
    verdict = page.get_by_role("status").filter(has_text="Văn bản hợp lệ")
    verdict.wait_for()
    assert page.get_by_text("Trịnh Văn Lãnh").is_visible()
    assert page.get_by_text(result.code).first.is_visible()
    assert axe_violations(page) == []
    screenshot(page, "signing-verify-upload-1280")

    # The QR's address, on a 390 px phone, no sign-in.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        mobile = phone.new_page()
        from motcua.signing.services import verify_url

        path = re.sub(r"^https?://[^/]+", "", verify_url(result.code, result.token))
        mobile.goto(live_server.url + path)
        assert mobile.get_by_text("Kết quả điện tử được lưu trên hệ thống").is_visible()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(mobile) == []
        screenshot(mobile, "signing-verify-qr-390")
        mobile.goto(live_server.url + "/xac-thuc/")
        mobile.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(saved))
        mobile.get_by_role("button", name="Kiểm tra chữ ký số").click()
        mobile.get_by_role("status").filter(has_text="Văn bản hợp lệ").wait_for()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(mobile) == []
        screenshot(mobile, "signing-verify-upload-390")
    finally:
        phone.close()
