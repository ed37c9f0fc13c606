"""Accounts in headless Chromium: a citizen signs up with a phone number and fills the profile; a
leader passes the TOTP second factor (enrols with the QR code, then types the code). Desktop and
a 390 px phone, keyboard-usable forms, and axe-core on each page (no serious or critical
violation). The SMS code is read from the outbox, as the sender would send it."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import axe_violations, screenshot
from motcua.accounts.models import User
from motcua.accounts.tests.test_otp import KEY_HEX, totp
from motcua.notifications.models import OutboxMessage
from motcua.org.models import Agency, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The clock starts here and runs (the browser waits on real time); every process clock reads it.
START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
PASSWORD = "hoa-sen-trang-2026"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def _fits_and_is_accessible(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
    assert axe_violations(page) == [], name
    screenshot(page, name)


def test_a_citizen_signs_up_with_a_phone_number_and_fills_the_profile(live_server, browser, page, clock):
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_role("link", name="Đăng ký tài khoản bằng số điện thoại").click()
    page.wait_for_url("**/tai-khoan/dang-ky/")
    _fits_and_is_accessible(page, "accounts-register-1280")

    page.get_by_label("Cá nhân (công dân)").check()
    page.get_by_label("Họ và tên (hoặc tên tổ chức)").fill("Lê Thị Hoa")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Gửi mã xác thực").click()
    page.wait_for_url("**/tai-khoan/dang-ky/xac-thuc/*/")
    assert "091•••678" in page.inner_text("main")
    _fits_and_is_accessible(page, "accounts-register-code-1280")

    (sms,) = OutboxMessage.objects.filter(channel="sms", recipient="0912345678")
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    page.get_by_label("Mã xác thực").fill(code)
    page.keyboard.press("Enter")  # the keyboard submits the form
    page.wait_for_url("**/tai-khoan/thong-tin/")
    assert "Đăng ký thành công" in page.inner_text("main")
    _fits_and_is_accessible(page, "accounts-profile-1280")

    page.get_by_label("Số định danh cá nhân (CCCD)").fill("079190012345")
    page.get_by_label("Ngày sinh").fill("15/03/1991")
    page.get_by_label("Địa chỉ").fill("12 Lý Thường Kiệt, phường Hoàn Kiếm, Hà Nội")
    page.get_by_role("button", name="Lưu thông tin").click()
    assert "không khớp với năm sinh 1991" in page.inner_text("main")
    assert page.get_by_label("Địa chỉ").input_value() == "12 Lý Thường Kiệt, phường Hoàn Kiếm, Hà Nội"
    assert axe_violations(page) == []
    page.get_by_label("Ngày sinh").fill("15/03/1990")
    page.get_by_role("button", name="Lưu thông tin").click()
    page.wait_for_url("**/tai-khoan/thong-tin/")
    assert "Đã lưu thông tin tài khoản." in page.inner_text("main")
    user = User.objects.get(username="0912345678")
    assert user.profile.citizen_id == "079190012345"

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        mobile = phone.new_page()
        mobile.goto(live_server.url + "/tai-khoan/dang-nhap/")
        mobile.get_by_label("Tên đăng nhập hoặc số điện thoại").fill("+84 912 345 678")
        mobile.get_by_label("Mật khẩu").fill(PASSWORD)
        mobile.get_by_role("button", name="Đăng nhập").click()
        mobile.goto(live_server.url + "/tai-khoan/thong-tin/")
        assert mobile.get_by_label("Số định danh cá nhân (CCCD)").input_value() == "079190012345"
        _fits_and_is_accessible(mobile, "accounts-profile-390")
        mobile.context.clear_cookies()
        for path, name in [
            ("/tai-khoan/dang-nhap/", "accounts-login-390"),
            ("/tai-khoan/dang-ky/", "accounts-register-390"),
            ("/tai-khoan/quen-mat-khau/", "accounts-reset-390"),
        ]:
            mobile.goto(live_server.url + path)
            _fits_and_is_accessible(mobile, name)
    finally:
        phone.close()


def test_a_leader_enrols_an_authenticator_then_types_its_code(live_server, browser, page, clock, settings):
    settings.STAFF_OTP_REQUIRED = True
    agency = Agency.objects.create(code="000.00.31.H13", name="UBND xã Tân Phú", kind="peoples_committee")
    for username in ("lanhdao", "lanhdao2"):
        user = User.objects.create_user(
            username=username, full_name="Trần Văn Lãnh", kind="staff", password=PASSWORD
        )
        Membership.objects.create(user=user, agency=agency, role=Membership.Role.LEADER)
    TOTPDevice.objects.create(user=User.objects.get(username="lanhdao"), key=KEY_HEX, confirmed=True)

    # With a device: the password, then the code (on a phone).
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        mobile = phone.new_page()
        mobile.goto(live_server.url + "/xu-ly/")
        mobile.get_by_label("Tên đăng nhập hoặc số điện thoại").fill("lanhdao")
        mobile.get_by_label("Mật khẩu").fill(PASSWORD)
        mobile.get_by_role("button", name="Đăng nhập").click()
        mobile.wait_for_url("**/tai-khoan/xac-thuc-hai-buoc/?next=*")
        _fits_and_is_accessible(mobile, "accounts-otp-verify-390")
        mobile.get_by_label("Mã xác thực (6 chữ số)").fill(totp(KEY_HEX, timezone.now()))
        mobile.get_by_role("button", name="Xác nhận").click()
        mobile.wait_for_url("**/xu-ly/")
    finally:
        phone.close()

    # Without one: the QR code to enrol.
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập hoặc số điện thoại").fill("lanhdao2")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server.url + "/xu-ly/")
    page.wait_for_url("**/tai-khoan/xac-thuc-hai-buoc/dang-ky/?next=*")
    assert page.locator(".qr__image svg").is_visible()
    _fits_and_is_accessible(page, "accounts-otp-enrol-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    _fits_and_is_accessible(page, "accounts-otp-enrol-390")
    device = TOTPDevice.objects.get(user__username="lanhdao2")
    page.get_by_label("Mã xác thực (6 chữ số)").fill(totp(device.key, timezone.now()))
    page.get_by_role("button", name="Hoàn tất đăng ký").click()
    page.wait_for_url("**/xu-ly/")
    assert TOTPDevice.objects.get(user__username="lanhdao2").confirmed
    page.goto(live_server.url + "/tai-khoan/xac-thuc-hai-buoc/")
    _fits_and_is_accessible(page, "accounts-xu-ly-after-otp-390")
