"""The portal in Debian's Chromium: a citizen goes through the wizard with uploads (the upload
progress script on, a file over the limit refused before it is sent), submits, reads "Hồ sơ của
tôi" and the dossier; every page at 1280 and 390 px with axe-core (no serious or critical
violation), nothing wider than a phone, screenshots under var/screenshots/portal-*."""

import pytest
from django.test import Client

from conftest import axe_violations, screenshot
from motcua.dossiers.models import Dossier
from motcua.portal.models import Draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(context, live_server, user) -> None:
    """The session of a signed-in citizen (how they signed in is the accounts' and oidc's tests)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def check(page, name: str, width: int) -> None:
    assert axe_violations(page) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    screenshot(page, f"portal-{name}-{width}")


def test_a_citizen_submits_with_uploads_and_follows_the_dossier(live_server, browser, page, world):
    sign_in(page.context, live_server, world.hoa)
    base = live_server.url
    page.goto(f"{base}/thu-tuc/{world.procedure.code}/")
    check(page, "procedure", 1280)
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    check(page, "start", 1280)
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    draft = Draft.objects.get(owner=world.hoa)

    check(page, "step-whom", 1280)
    page.get_by_role("button", name="Tiếp tục").click()
    assert page.url.endswith("/nguoi-nop/")
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Thị Hoa"
    check(page, "step-applicant", 1280)
    page.get_by_role("button", name="Tiếp tục").click()

    assert page.url.endswith("/giay-to/")
    check(page, "step-documents", 1280)
    # Over the size limit: refused in the page, before anything is sent.
    page.set_input_files(
        "#file-TP01",
        files=[{"name": "quet-rat-lon.pdf", "mimeType": "application/pdf", "buffer": b"%" * (11 << 20)}],
    )
    page.get_by_role("button", name="Tiếp tục").click()
    alert = page.locator(".upload-error")
    assert "Tệp “quet-rat-lon.pdf” (11,0 MB) lớn hơn 10 MB" in alert.inner_text()
    assert draft.files.count() == 0
    check(page, "step-documents-too-big", 1280)
    # Two real files: sent with progress, then the next step.
    page.set_input_files(
        "#file-TP01", files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.set_input_files(
        "#file-TP02", files=[{"name": "xac-nhan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/nhan-ket-qua/")
    assert sorted(draft.files.values_list("original_name", flat=True)) == ["to-khai.pdf", "xac-nhan.pdf"]
    check(page, "step-delivery", 1280)
    page.get_by_label("Nhận bản điện tử trực tuyến").check()
    page.get_by_role("button", name="Tiếp tục").click()

    assert page.url.endswith("/xem-lai/")
    check(page, "step-review", 1280)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/da-nop/")
    dossier = Dossier.objects.get()
    assert dossier.code in page.locator(".done-code").inner_text()
    check(page, "done", 1280)

    page.get_by_role("link", name="Hồ sơ của tôi").last.click()
    assert dossier.code in page.locator(".mine-table").inner_text()
    check(page, "mine", 1280)
    page.get_by_role("link", name=dossier.code).click()
    assert "Mới đăng ký" in page.locator(".status-line").inner_text()
    check(page, "detail", 1280)
    page.get_by_role("link", name="Rút hồ sơ").click()
    check(page, "withdraw", 1280)

    # The same pages on a 390 px phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        sign_in(phone, live_server, world.hoa)
        mobile = phone.new_page()
        other = Draft.objects.create(
            owner=world.hoa, procedure=world.procedure, data=draft.data, updated_at=draft.updated_at
        )
        pages = {
            "procedure": f"/thu-tuc/{world.procedure.code}/",
            "start": f"/nop-truc-tuyen/{world.procedure.code}/",
            "step-whom": f"/ho-so-cua-toi/nhap/{other.uid}/cho-ai/",
            "step-applicant": f"/ho-so-cua-toi/nhap/{other.uid}/nguoi-nop/",
            "step-documents": f"/ho-so-cua-toi/nhap/{other.uid}/giay-to/",
            "step-delivery": f"/ho-so-cua-toi/nhap/{other.uid}/nhan-ket-qua/",
            "step-review": f"/ho-so-cua-toi/nhap/{other.uid}/xem-lai/",
            "done": f"/ho-so-cua-toi/nhap/{draft.uid}/da-nop/",
            "mine": "/ho-so-cua-toi/",
            "detail": f"/ho-so-cua-toi/{dossier.code}/",
            "withdraw": f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/",
        }
        for name, path in pages.items():
            mobile.goto(base + path)
            check(mobile, name, 390)
    finally:
        phone.close()


def test_the_wizard_works_with_javascript_off(live_server, browser, world):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", java_script_enabled=False
    )
    try:
        sign_in(context, live_server, world.hoa)
        page = context.new_page()
        page.goto(f"{live_server.url}/nop-truc-tuyen/{world.procedure.code}/")
        page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
        page.get_by_role("button", name="Tiếp tục").click()
        page.get_by_role("button", name="Tiếp tục").click()
        page.set_input_files(
            "#file-TP01", files=[{"name": "a.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        page.set_input_files(
            "#file-TP02", files=[{"name": "b.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        page.get_by_role("button", name="Tiếp tục").click()
        page.get_by_label("Nhận tại Bộ phận Một cửa").check()
        page.get_by_role("button", name="Tiếp tục").click()
        page.get_by_role("button", name="Nộp hồ sơ").click()
        assert page.url.endswith("/da-nop/")
        assert Dossier.objects.get().code in page.locator(".done-code").inner_text()
    finally:
        context.close()
