"""The back office in headless Chromium: commune A's leader opens the agency inbox and his own
("Chờ phân công"), narrows it
with htmx (and without JavaScript), opens a dossier with a scanned PDF and image, gives it to a
specialist through its action form, then prints the tracking register; at 1280 px and on a
390 px phone, with axe-core on the inbox, the dossier page and the register page (no "serious"
or "critical" violation).

One journey in one test: a browser test's database is emptied after it.
"""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from conftest import axe_violations, screenshot
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ApplicantData
from motcua.dossiers.tests.conftest import build_world, intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
NAMES = ["Nguyễn Thị Hoa", "Trần Văn Đức", "Lê Thị Hương", "Phạm Quốc Việt", "Đỗ Thị Ánh"]


def sign_in(context, live_server, user) -> None:
    """Put a signed-in session of ``user`` into the browser context (no password round trip)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def png() -> bytes:
    image = Image.new("RGB", (240, 160), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 220, 140), outline="navy", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def applicant(name: str) -> ApplicantData:
    return ApplicantData(
        kind="person",
        name=name,
        citizen_id="001190012345",
        date_of_birth=date(1990, 5, 17),
        phone="0912345678",
        address="Thôn Đông, xã An Bình",
    )


def build(world) -> dict:
    """Five dossiers at commune A: two received three weeks ago (late), the others this week."""
    made = []
    now = timezone.now()
    for i, name in enumerate(NAMES):
        received_at = now - timedelta(days=21 if i < 2 else 1)
        with time_machine.travel(received_at, tick=False):
            d = services.dossier_receive(
                actor=world.receptionist, data=intake(world, applicant=applicant(name))
            )
            if i != 4:
                d = services.dossier_forward(actor=world.receptionist, dossier=d, expected_version=d.version)
                if i < 3:
                    d = services.dossier_assign(
                        actor=world.leader, dossier=d, expected_version=d.version, officer=world.specialist
                    )
        made.append(d)
    target = made[2]
    services.dossier_attach_file(
        actor=world.specialist,
        dossier=target,
        requirement_code="TP01",
        uploaded_file=SimpleUploadedFile("to-khai-ket-hon.pdf", PDF, content_type="application/pdf"),
    )
    services.dossier_attach_file(
        actor=world.specialist,
        dossier=Dossier.objects.get(pk=target.pk),
        requirement_code="TP02",
        uploaded_file=SimpleUploadedFile("xac-nhan-hon-nhan.png", png(), content_type="image/png"),
    )
    services.dossier_add_comment(
        actor=world.specialist,
        dossier=Dossier.objects.get(pk=target.pk),
        body="Đã kiểm tra bản chính tờ khai.",
    )
    return {"late": made[:2], "target": Dossier.objects.get(pk=target.pk), "all": made}


def test_a_leader_works_through_the_inbox_and_a_dossier_on_desktop_and_phone(live_server, browser, page):
    world = build_world()
    data = build(world)
    target = data["target"]
    sign_in(page.context, live_server, world.leader)

    # The agency inbox, every bucket with its count.
    page.goto(live_server.url + "/xu-ly/?scope=agency")
    assert page.get_by_role("heading", level=1).inner_text() == "Hồ sơ cần xử lý"
    assert page.locator("table.bo-table tbody tr").count() == 5
    late_link = page.get_by_role("link", name="Quá hạn 2")
    assert late_link.is_visible()
    assert axe_violations(page) == []
    screenshot(page, "backoffice-inbox-1280")

    # His own page ("Của tôi"): what waits for him, in the bucket named for the action — the
    # dossier forwarded by the counter and not yet given to a specialist.
    page.goto(live_server.url + "/xu-ly/")
    to_assign = page.get_by_role("link", name="Chờ phân công 1")
    assert to_assign.is_visible()
    assert page.get_by_role("link", name="Chờ phê duyệt 0").is_visible()
    to_assign.click()
    page.wait_for_url("**bucket=to_assign**")
    page.wait_for_function("() => document.querySelectorAll('table.bo-table tbody tr').length === 1")
    assert page.locator("a.bo-code").all_inner_texts() == [data["all"][3].code]
    assert axe_violations(page) == []
    screenshot(page, "backoffice-inbox-mine-1280")
    page.goto(live_server.url + "/xu-ly/?scope=agency")

    # htmx: a bucket swaps the list region only (the page's own marker survives the swap).
    page.evaluate("window.__kept = true")
    late_link.click()
    page.wait_for_url("**bucket=late**")
    page.wait_for_function("() => document.querySelectorAll('table.bo-table tbody tr').length === 2")
    assert page.evaluate("window.__kept") is True
    codes = page.locator("a.bo-code").all_inner_texts()
    assert sorted(codes) == sorted(d.code for d in data["late"])
    assert page.locator(".bo-due--late").first.inner_text().startswith("Quá hạn")
    # a search narrows further, still in place
    page.get_by_label("Mã hồ sơ hoặc tên người nộp").fill("Đức")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_function("() => document.querySelectorAll('table.bo-table tbody tr').length === 1")
    assert page.evaluate("window.__kept") is True

    # The dossier page.
    page.goto(live_server.url + "/xu-ly/?scope=agency")
    page.get_by_role("link", name=target.code).click()
    page.wait_for_url(f"**/xu-ly/ho-so/{target.code}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Hồ sơ {target.code}"
    for heading in ["Người nộp hồ sơ", "Thành phần hồ sơ", "Quá trình xử lý", "Ý kiến", "Thao tác"]:
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    page.locator("summary", has_text="xac-nhan-hon-nhan.png").click()
    image = page.get_by_role(
        "img", name="Bản quét “Giấy xác nhận tình trạng hôn nhân” – tệp xac-nhan-hon-nhan.png"
    )
    image.wait_for()
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.locator("summary", has_text="to-khai-ket-hon.pdf").click()
    assert page.locator("iframe.bo-preview--pdf").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "backoffice-dossier-1280")

    # The leader gives the dossier to another specialist through the assign form.
    page.locator("summary", has_text="Phân công xử lý").click()
    page.get_by_label("Cán bộ xử lý").select_option(label="Đinh Thị Hai")
    page.get_by_role("button", name="Phân công xử lý").click()
    page.wait_for_url(f"**/xu-ly/ho-so/{target.code}/")
    page.get_by_text("Đã thực hiện: Phân công xử lý").wait_for()
    assert Dossier.objects.get(pk=target.pk).holder == world.specialist2
    assert axe_violations(page) == []

    # The tracking register (Mẫu 07): from the inbox, a period, the count, the spreadsheet.
    page.goto(live_server.url + "/xu-ly/")
    page.get_by_role("link", name="Sổ theo dõi hồ sơ (Mẫu số 07): in hoặc tải theo kỳ").click()
    page.wait_for_url("**/bieu-mau/so-theo-doi/")
    page.get_by_label("Cơ quan").select_option(label=world.tree.commune_a.name)
    today = timezone.localdate()
    page.get_by_label("Từ ngày").fill(f"{today - timedelta(days=30):%d/%m/%Y}")
    page.get_by_label("Đến ngày").fill(f"{today:%d/%m/%Y}")
    page.get_by_role("button", name="Xem số hồ sơ").click()
    page.get_by_text("5 hồ sơ.").wait_for()
    assert page.get_by_role("link", name="In sổ (PDF, A4 ngang)").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "register-1280")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bảng tính Excel").click()
    assert download.value.suggested_filename.startswith(f"so-theo-doi-{world.tree.commune_a.code}-")
    register_path = page.url.removeprefix(live_server.url)

    # A 390 px phone: nothing wider than the screen, still accessible.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        sign_in(phone, live_server, world.leader)
        mobile = phone.new_page()
        for path, name in [
            ("/xu-ly/?scope=agency", "backoffice-inbox-390"),
            ("/xu-ly/?bucket=to_assign", "backoffice-inbox-mine-390"),
            (f"/xu-ly/ho-so/{target.code}/", "backoffice-dossier-390"),
            (register_path, "register-390"),
        ]:
            mobile.goto(live_server.url + path)
            assert mobile.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert axe_violations(mobile) == [], path
            screenshot(mobile, name)
    finally:
        phone.close()

    # Without JavaScript the tabs, buckets and filters are plain links and GET forms.
    nojs = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        sign_in(nojs, live_server, world.leader)
        plain = nojs.new_page()
        plain.goto(live_server.url + "/xu-ly/")
        plain.get_by_role("link", name="Của cơ quan").click()
        plain.wait_for_url("**scope=agency**")
        plain.get_by_role("link", name="Quá hạn 2").click()
        plain.wait_for_url("**bucket=late**")
        assert plain.locator("table.bo-table tbody tr").count() == 2
        plain.select_option("#bo-sort", "-due_at")
        plain.get_by_role("button", name="Lọc").click()
        plain.wait_for_url("**sort=-due_at**")
        assert plain.locator("table.bo-table tbody tr").count() == 2
    finally:
        nojs.close()
