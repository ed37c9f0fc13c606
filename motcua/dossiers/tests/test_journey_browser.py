"""End to end in headless Chromium: a dossier from the counter to the citizen.

The officer receives a dossier at the counter, the specialist appraises it, the leader approves,
the dossier is finished and the officer returns it; the citizen tracks it with code and PIN at
each stage. axe-core runs on the counter, inbox, dossier and tracking pages.
"""

import re

import pytest

from conftest import axe_violations, screenshot
from motcua.catalog.tests.pages_data import load_catalogue_for_pages
from motcua.org.models import Membership
from motcua.org.testing import TEST_PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Role = Membership.Role


def _sign_in(browser, live_server, username):
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    assert "/dang-nhap/" not in page.url, f"{username} could not sign in"
    return context, page


def _no_violations(page, where):
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def _track(citizen, live_server, code, pin) -> str:
    citizen.goto(live_server.url + "/tra-cuu/")
    citizen.get_by_label("Mã hồ sơ").fill(code)
    citizen.get_by_label("Mã tra cứu (PIN)").fill(pin)
    citizen.get_by_role("button", name="Tra cứu").click()
    citizen.wait_for_load_state()
    return citizen.locator("main").inner_text()


def _act(page, live_server, code, label):
    """Open the dossier page and submit the action form whose button reads ``label``."""
    page.goto(f"{live_server.url}/xu-ly/ho-so/{code}/")
    # Each action is a form folded under its name; open it, then submit it.
    summary = page.locator("details.bo-action-box > summary", has_text=label)
    assert summary.count() > 0, f"no '{label}' on {code}: {page.locator('main').inner_text()[:1500]}"
    summary.first.click()
    button = page.get_by_role("button", name=label, exact=True)
    button.first.click()
    page.wait_for_load_state()
    assert "Hồ sơ đã thay đổi" not in page.content()


def test_a_dossier_goes_from_the_counter_to_the_citizen(live_server, browser):
    agencies = load_catalogue_for_pages()
    commune = agencies["commune"]
    make_staff("motcua_hb", commune, Role.RECEPTIONIST, full_name="Nguyễn Thị Mai")
    make_staff("chuyenvien_hb", commune, Role.SPECIALIST, full_name="Trần Văn Bình")
    make_staff("lanhdao_hb", commune, Role.LEADER, full_name="Lê Thị Hoa")

    # 1. The one-stop officer receives the dossier at the counter.
    officer_ctx, officer = _sign_in(browser, live_server, "motcua_hb")
    officer.goto(live_server.url + "/quay/")
    _no_violations(officer, "counter today")
    officer.goto(live_server.url + "/quay/tiep-nhan/")
    officer.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai sinh")
    officer.get_by_role("button", name="Tìm thủ tục").click()
    officer.wait_for_load_state()
    _no_violations(officer, "counter procedure search")
    officer.get_by_role("link", name=re.compile("^Thủ tục đăng ký khai sinh Mã 1.001193")).click()
    officer.wait_for_load_state()
    officer.get_by_label("Họ và tên").fill("Phạm Thị Hồng Nhung")
    officer.get_by_label("Số định danh cá nhân").fill("001190012345")
    officer.get_by_label("Ngày sinh", exact=True).fill("12/03/1990")
    officer.get_by_label("Điện thoại", exact=True).fill("0912345678")
    officer.get_by_label("Địa chỉ", exact=True).fill("Số 5 ngõ 12 đường Lê Lợi, xã Hòa Bình")
    for box in officer.get_by_role("checkbox").all():
        if not box.is_checked():
            box.check()
    _no_violations(officer, "counter intake form")
    screenshot(officer, "journey-counter-intake-1280")
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    officer.wait_for_load_state()
    text = officer.locator("main").inner_text()
    code = re.search(r"000\.21\.30\.H99-\d{6}-\d{4}", text).group(0)
    pin = re.search(r"\b[A-HJ-NP-Z2-9]{6}\b", text.split("PIN", 1)[1]).group(0)
    _no_violations(officer, "counter receipt")

    citizen_ctx = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True)
    citizen = citizen_ctx.new_page()
    assert "Được tiếp nhận" in _track(citizen, live_server, code, pin)
    _no_violations(citizen, "tracking")
    screenshot(citizen, "journey-tracking-received-390")
    assert "Không tìm thấy" in _track(citizen, live_server, code, "AAAAAA")

    # The reception step ends when the one-stop officer hands the dossier to the handling agency.
    _act(officer, live_server, code, "Chuyển xử lý")

    # 2. The specialist finds it in the inbox, appraises it and passes it on.
    specialist_ctx, specialist = _sign_in(browser, live_server, "chuyenvien_hb")
    specialist.goto(live_server.url + "/xu-ly/?scope=agency")
    assert code in specialist.locator("main").inner_text()
    _no_violations(specialist, "inbox")
    specialist.goto(f"{live_server.url}/xu-ly/ho-so/{code}/")
    assert "Phạm Thị Hồng Nhung" in specialist.locator("main").inner_text()
    _no_violations(specialist, "dossier page")
    screenshot(specialist, "journey-dossier-1280")
    _act(specialist, live_server, code, "Chuyển xử lý")
    assert "Đang xử lý" in _track(citizen, live_server, code, pin)

    # 3. The leader approves; the next step ("Trả kết quả") is the counter's: the officer finds
    # it on her own page, waiting for "Hoàn thành kết quả", and makes the result ready.
    leader_ctx, leader = _sign_in(browser, live_server, "lanhdao_hb")
    _act(leader, live_server, code, "Phê duyệt")
    officer.goto(live_server.url + "/xu-ly/?bucket=to_finish")
    assert code in officer.locator("main").inner_text()
    _act(officer, live_server, code, "Hoàn thành kết quả")
    assert "Đã xử lý xong" in _track(citizen, live_server, code, pin)

    # 4. The officer returns the result to the citizen, found by scanning the code.
    officer.goto(live_server.url + "/quay/tra-ket-qua/")
    officer.get_by_label("Mã hồ sơ").fill(code)
    officer.get_by_role("button", name="Tìm hồ sơ").click()
    officer.wait_for_load_state()
    _no_violations(officer, "counter return")
    collected = officer.get_by_label("Họ tên người nhận kết quả")
    if collected.count():
        collected.first.fill("Phạm Thị Hồng Nhung")
    officer.get_by_role("button", name="Xác nhận đã trả kết quả").click()
    officer.wait_for_load_state()
    assert "Đã trả kết quả" in _track(citizen, live_server, code, pin)
    screenshot(citizen, "journey-tracking-returned-390")

    for ctx in (officer_ctx, citizen_ctx, specialist_ctx, leader_ctx):
        ctx.close()


def test_the_citizen_guided_at_the_counter_comes_back_and_is_received_under_the_same_code(
    live_server, browser
):
    agencies = load_catalogue_for_pages()
    commune = agencies["commune"]
    make_staff("motcua_bs", commune, Role.RECEPTIONIST, full_name="Đỗ Thị Lan")

    # 1. A document is missing: the officer guides the citizen (Mẫu 02); the dossier gets its code.
    officer_ctx, officer = _sign_in(browser, live_server, "motcua_bs")
    officer.goto(live_server.url + "/quay/tiep-nhan/")
    officer.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai sinh")
    officer.get_by_role("button", name="Tìm thủ tục").click()
    officer.wait_for_load_state()
    officer.get_by_role("link", name=re.compile("^Thủ tục đăng ký khai sinh Mã 1.001193")).click()
    officer.wait_for_load_state()
    officer.get_by_label("Họ và tên").fill("Vũ Thị Thu Trang")
    officer.get_by_label("Số định danh cá nhân").fill("001190012345")
    officer.get_by_label("Ngày sinh", exact=True).fill("12/03/1990")
    officer.get_by_label("Điện thoại", exact=True).fill("0912345678")
    # Every document but the first mandatory one (the one the citizen forgot).
    rows = officer.locator(".doc-table tbody tr").all()
    forgotten = next(i for i, row in enumerate(rows) if row.locator(".req").count())
    for i, row in enumerate(rows):
        if i != forgotten:
            row.get_by_role("checkbox").check()
    missing = rows[forgotten].locator(".doc-check label").inner_text().split(" *")[0].strip()
    officer.locator("#bo-sung > summary").click()
    officer.get_by_label("Giấy tờ, nội dung cần bổ sung 1").fill(missing[:200])
    officer.get_by_label("Lý do 1").fill("Chưa mang theo")
    officer.get_by_role("button", name="Yêu cầu bổ sung", exact=True).click()
    officer.wait_for_load_state()
    text = officer.locator("main").inner_text()
    assert "Đã hướng dẫn bổ sung hồ sơ" in text, text[:1500]
    code = re.search(r"000\.21\.30\.H99-\d{6}-\d{4}", text).group(0)

    # 2. The counter's page lists it under "Chờ công dân", with how long it has waited.
    officer.goto(live_server.url + "/quay/")
    waiting = officer.locator("#cho-cong-dan").locator("xpath=..")
    assert code in waiting.inner_text() and "Dưới 1 ngày" in waiting.inner_text()
    _no_violations(officer, "counter today with the waiting-for-citizen bucket")
    screenshot(officer, "resume-today-1280")
    officer.set_viewport_size({"width": 390, "height": 844})
    screenshot(officer, "resume-today-390")
    officer.set_viewport_size({"width": 1280, "height": 900})

    # 3. The citizen comes back: the officer reopens the same dossier, pre-filled, and receives it.
    officer.get_by_role("link", name=f"Tiếp nhận hồ sơ bổ sung {code}").click()
    officer.wait_for_load_state()
    assert officer.get_by_label("Họ và tên").input_value() == "Vũ Thị Thu Trang"
    # The checklist is pre-filled: all ticked but the forgotten document.
    checked = [box.is_checked() for box in officer.locator(".doc-table input[type=checkbox]").all()]
    assert checked == [i != forgotten for i in range(len(rows))]
    _no_violations(officer, "counter resume form")
    screenshot(officer, "resume-form-1280")
    officer.set_viewport_size({"width": 390, "height": 844})
    screenshot(officer, "resume-form-390")
    officer.set_viewport_size({"width": 1280, "height": 900})
    for box in officer.locator(".doc-table input[type=checkbox]").all():
        if not box.is_checked():
            box.check()
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    officer.wait_for_load_state()
    text = officer.locator("main").inner_text()
    assert "Đã tiếp nhận hồ sơ" in text and code in text, text[:1500]
    assert "In Mẫu 01" in text
    pin = re.search(r"\b[A-HJ-NP-Z2-9]{6}\b", text.split("PIN", 1)[1]).group(0)
    _no_violations(officer, "counter receipt after the supplement")

    # 4. The citizen tracks it under the same code.
    citizen_ctx = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True)
    citizen = citizen_ctx.new_page()
    assert "Được tiếp nhận" in _track(citizen, live_server, code, pin)
    officer.goto(live_server.url + "/quay/")
    assert code not in officer.locator("#cho-cong-dan").locator("xpath=..").inner_text()


def test_a_birth_registration_is_received_at_the_counter_without_the_e_form(live_server, browser):
    """Issue 9.1: the counter's checklist of "Thủ tục đăng ký khai sinh" (1.001193) offers the
    paper declaration (TP07) and the ID paper (TP06), not the online e-form (TP08); the birth
    certificate is one line with a choice of the papers that replace it; Mẫu 01 lists exactly
    the papers ticked."""
    import unicodedata
    from io import BytesIO

    from pypdf import PdfReader

    from conftest import SCREENSHOTS

    agencies = load_catalogue_for_pages()
    make_staff("motcua_kenh", agencies["commune"], Role.RECEPTIONIST, full_name="Đỗ Thị Lan")
    context, officer = _sign_in(browser, live_server, "motcua_kenh")
    officer.goto(live_server.url + "/quay/tiep-nhan/?thu-tuc=1.001193")
    checklist = officer.locator("fieldset", has_text="Thành phần hồ sơ").first
    # The published texts carry some decomposed diacritics: compare in one normal form.
    text = unicodedata.normalize("NFC", checklist.inner_text())
    assert "Tờ khai đăng ký khai sinh theo mẫu" in text
    assert "khi làm thủ tục trực tiếp" in text
    assert "điện tử tương tác" not in text  # the e-form is never offered at the counter
    assert officer.locator("#id_tp_tp08_received").count() == 0
    officer.get_by_label("Họ và tên").fill("Vũ Thị Thu Hà")
    officer.get_by_label("Số định danh cá nhân").fill("001190012345")
    officer.get_by_label("Ngày sinh", exact=True).fill("12/03/1990")
    # Giấy chứng sinh was lost: the witness's statement was handed in instead.
    officer.locator("#id_tp_tp04_received").check()
    officer.get_by_role("radio", name="Văn bản của người làm chứng xác nhận về việc sinh").check()
    officer.locator("#id_tp_tp06_received").check()
    _no_violations(officer, "counter intake form with alternatives")
    screenshot(officer, "channels-counter-intake-1280")
    # Without the paper declaration (TP07) the dossier is not received, and nothing says why
    # but the line itself.
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    officer.wait_for_load_state()
    assert (
        "/tiep-nhan/" in officer.url and "Giấy tờ bắt buộc chưa nhận." in officer.locator("main").inner_text()
    )
    _no_violations(officer, "counter intake form, TP07 missing")
    officer.set_viewport_size({"width": 390, "height": 844})
    screenshot(officer, "channels-counter-intake-missing-390")
    officer.set_viewport_size({"width": 1280, "height": 900})
    officer.locator("#id_tp_tp04_received").check()
    officer.get_by_role("radio", name="Văn bản của người làm chứng xác nhận về việc sinh").check()
    officer.locator("#id_tp_tp06_received").check()
    officer.locator("#id_tp_tp07_received").check()
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    officer.wait_for_load_state()
    uid = re.search(r"/tiep-nhan/([0-9a-f-]{36})/", officer.url).group(1)
    response = officer.request.get(f"{live_server.url}/bieu-mau/{uid}/mau-01.pdf")
    assert response.status == 200
    pdf = response.body()
    (SCREENSHOTS / "channels-mau-01.pdf").write_bytes(pdf)
    printed = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())
    printed = unicodedata.normalize("NFC", printed)
    assert "Văn bản của người làm chứng xác nhận về việc sinh" in printed
    assert "Tờ khai đăng ký khai sinh theo mẫu" in printed
    assert "Hộ chiếu/Thẻ căn cước công dân" in printed
    assert "điện tử tương tác" not in printed
    assert "Giấy chứng sinh;" not in printed  # the paper received, not the requirement's sentence
    # The public page says which documents are for which channel, and lists the alternatives.
    for width, height in ((1280, 900), (390, 844)):
        officer.set_viewport_size({"width": width, "height": height})
        officer.goto(live_server.url + "/thu-tuc/1.001193/")
        documents = unicodedata.normalize("NFC", officer.locator("#thanh-phan").locator("..").inner_text())
        assert "Chỉ khi nộp trực tuyến" in documents and "Nộp một trong các giấy tờ:" in documents
        _no_violations(officer, f"procedure page at {width} px")
        screenshot(officer, f"channels-procedure-page-{width}")
    context.close()


def test_a_dossier_not_granted_tells_the_citizen_so_and_why(live_server, browser):
    """The leader decides "Không giải quyết" with a reason; the back office and the citizen's
    tracking (phone and desktop) say it was not granted and why, never "Đã xử lý xong"."""
    from motcua.dossiers.tests.api_data import build_world, receive

    world = build_world()
    dossier = receive(world)
    reason = "Trẻ đã được đăng ký khai sinh tại UBND xã Hòa Bình ngày 15/01/2026; không đăng ký lại."

    leader_ctx, leader = _sign_in(browser, live_server, world.leader.username)
    leader.goto(f"{live_server.url}/xu-ly/ho-so/{dossier.code}/")
    box = leader.locator("details.bo-action-box", has=leader.locator("summary", has_text="Không giải quyết"))
    box.locator("summary").click()
    box.get_by_label("Lý do").fill(reason)
    box.get_by_role("button", name="Không giải quyết", exact=True).click()
    leader.wait_for_load_state()
    status = leader.locator(".bo-status").inner_text()
    assert "Không giải quyết — đã có văn bản trả lời" in status, status
    assert reason in leader.locator(".bo-reason").inner_text()
    _no_violations(leader, "dossier page, not granted")
    screenshot(leader, "tracking-rejected-backoffice-1280")
    leader.set_viewport_size({"width": 390, "height": 844})
    leader.reload()
    assert "Không giải quyết — đã có văn bản trả lời" in leader.locator(".bo-status").inner_text()
    _no_violations(leader, "dossier page, not granted, 390px")
    screenshot(leader, "tracking-rejected-backoffice-390")

    for width, height in ((390, 844), (1280, 900)):
        citizen_ctx = browser.new_context(
            locale="vi-VN", viewport={"width": width, "height": height}, is_mobile=width < 500
        )
        citizen = citizen_ctx.new_page()
        text = _track(citizen, live_server, dossier.code, dossier.pin)
        assert "/tra-cuu/" in citizen.url and dossier.pin not in citizen.url
        assert "Không giải quyết — đã có văn bản trả lời" in citizen.locator(".tracking-status").inner_text()
        assert "Lý do không giải quyết" in text and reason in text
        assert "Đã xử lý xong" not in text
        assert citizen.evaluate("document.documentElement.scrollWidth") <= width
        _no_violations(citizen, f"tracking, not granted, {width}px")
        screenshot(citizen, f"tracking-rejected-{width}")
        citizen_ctx.close()
    leader_ctx.close()
