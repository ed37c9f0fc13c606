"""The postal service in headless Chromium: the counter receives a dossier that came by post, a
result sent by post comes back ("chuyển hoàn") and the counter deals with it; the officer sees the
consignment and the national sync on the dossier page, the citizen on the tracking page and in
"Hồ sơ của tôi" — at 1280 px and on a 390 px phone, axe-core on every page.

One journey in one test: a browser test's database is emptied after it."""

from datetime import timedelta

import pytest

from conftest import axe_violations, screenshot
from motcua.dossiers import postal, services
from motcua.dossiers.models import Consignment, Dossier
from motcua.dossiers.testing.standins_post import PostalStandIn
from motcua.dossiers.tests.conftest import PROCEDURE_CODE, build_world
from motcua.dossiers.tests.test_counter_browser import finished, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_counter_and_the_citizen_follow_dossiers_and_results_by_post(
    live_server, browser, page, settings
):
    world = build_world()
    with PostalStandIn() as operator:
        settings.POSTAL_API_URL, settings.POSTAL_API_TOKEN = operator.url, operator.token
        d = finished(world)
        d = services.dossier_return_result(
            actor=world.receptionist, dossier=d, expected_version=d.version, postal_tracking="EB200000017VN"
        )
        Dossier.objects.filter(pk=d.pk).update(owner=world.citizen)
        operator.add("EB200000017VN", d.returned_at)
        operator.advance(
            "EB200000017VN", "in_transit", d.returned_at + timedelta(hours=5), "Bưu cục phát Hà Đông"
        )
        operator.advance(
            "EB200000017VN", "returned", d.returned_at + timedelta(days=2), "Không có người nhận"
        )
        assert postal.poll_consignments()["changed"] == 1
    sign_in(page.context, live_server, world.receptionist)

    # The counter's home lists the returned result.
    page.goto(live_server.url + "/quay/")
    returned = page.locator("section[aria-labelledby=buu-gui-hoan]")
    assert returned.get_by_role("link", name=d.code).count() == 1
    assert axe_violations(page) == []
    screenshot(page, "post-counter-today-1280")

    # The officer's dossier page: the consignment with its statuses, and the national sync.
    page.goto(live_server.url + f"/xu-ly/ho-so/{d.code}/")
    consignments = page.locator("section[aria-labelledby=buu-gui]")
    assert (
        "Bị chuyển hoàn" in consignments.inner_text() and "Bưu cục phát Hà Đông" in consignments.inner_text()
    )
    assert "Chưa cấu hình kết nối" in page.locator("section[aria-labelledby=dong-bo]").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "post-dossier-page-1280")

    # The citizen: tracking page and "Hồ sơ của tôi".
    citizen = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        sign_in(citizen, live_server, world.citizen)
        mine = citizen.new_page()
        mine.goto(live_server.url + f"/tra-cuu/?ma={d.code}")
        mine.locator("#pin").fill(d.pin)
        mine.keyboard.press("Enter")
        mine.wait_for_selector("text=Gửi kết quả qua bưu chính")
        assert "đã chuyển hoàn kết quả về Bộ phận Một cửa" in mine.content()
        assert axe_violations(mine) == []
        screenshot(mine, "post-tracking-1280")
        mine.goto(live_server.url + f"/ho-so-cua-toi/{d.code}/")
        assert "Kết quả gửi qua bưu chính" in mine.content() and "EB200000017VN" in mine.content()
        assert axe_violations(mine) == []
        screenshot(mine, "post-mine-detail-1280")
    finally:
        citizen.close()

    # The counter deals with the returned result: it leaves the home page.
    page.goto(live_server.url + "/quay/")
    page.get_by_label("Cách đã xử lý").fill("Đã gọi điện, công dân hẹn đến nhận tại quầy")
    page.get_by_role("button", name=f"Đã xử lý bưu gửi của hồ sơ {d.code}").click()
    page.wait_for_selector("text=đã ghi nhận cách xử lý bưu gửi bị chuyển hoàn")
    assert page.locator("section[aria-labelledby=buu-gui-hoan]").count() == 0

    # A dossier that came by post: the counter switches the form to the postal channel.
    page.goto(live_server.url + f"/quay/tiep-nhan/?thu-tuc={PROCEDURE_CODE}")
    page.get_by_role("link", name="Qua bưu chính công ích").click()
    page.wait_for_url("**kenh=3")
    assert axe_violations(page) == []
    page.get_by_label("Họ và tên").fill("Trần Văn Gửi")
    page.get_by_label("Số định danh cá nhân").fill("001090012345")
    page.get_by_label("Ngày sinh").fill("02/09/1990")
    page.get_by_label("Điện thoại").fill("0987 654 321")
    page.get_by_label("Địa chỉ", exact=True).fill("Xóm Bắc, xã An Bình")
    page.get_by_label("Tờ khai đăng ký kết hôn").check()
    page.get_by_label("Giấy xác nhận tình trạng hôn nhân").check()
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    page.wait_for_selector("#id_postal_number_error")  # the consignment's number is asked for
    assert "Vui lòng nhập mã bưu gửi." in page.locator("#id_postal_number_error").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "post-intake-missing-number-1280")
    page.get_by_label("Mã bưu gửi của hồ sơ").fill("EB123456785VN")
    page.get_by_label("Tờ khai đăng ký kết hôn").check()
    page.get_by_label("Giấy xác nhận tình trạng hôn nhân").check()
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    page.wait_for_url("**/quay/tiep-nhan/*/")
    came = Dossier.objects.get(applicant_name="Trần Văn Gửi")
    assert came.channel == Dossier.Channel.POST
    assert Consignment.objects.get(dossier=came).number == "EB123456785VN"
    page.goto(live_server.url + f"/xu-ly/ho-so/{came.code}/")
    assert "Hồ sơ gửi đến qua bưu chính" in page.locator("section[aria-labelledby=buu-gui]").inner_text()

    # A 390 px phone: nothing wider than the screen, still accessible.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        sign_in(phone, live_server, world.receptionist)
        mobile = phone.new_page()
        Consignment.objects.filter(dossier=d).update(handled_at=None)  # back on the home page
        for path, name in [
            ("/quay/", "post-counter-today-390"),
            (f"/quay/tiep-nhan/?thu-tuc={PROCEDURE_CODE}&kenh=3", "post-intake-form-390"),
            (f"/xu-ly/ho-so/{d.code}/", "post-dossier-page-390"),
        ]:
            mobile.goto(live_server.url + path)
            assert mobile.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert axe_violations(mobile) == [], path
            screenshot(mobile, name)
        mobile.goto(live_server.url + f"/tra-cuu/?ma={d.code}")
        mobile.locator("#pin").fill(d.pin)
        mobile.keyboard.press("Enter")
        mobile.wait_for_selector("text=Gửi kết quả qua bưu chính")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(mobile) == []
        screenshot(mobile, "post-tracking-390")
    finally:
        phone.close()
    page.goto(live_server.url + f"/quay/tiep-nhan/?thu-tuc={PROCEDURE_CODE}&kenh=3")
    screenshot(page, "post-intake-form-1280")
