"""Sign-in through the national identity in headless Chromium, against the oidc-provider stand-in:
the button, the provider's form, back signed in; a forged token refused with a clear page; signing
out ends the provider's session too. axe-core on our pages, at 1280 and 390 px."""

import pytest

from conftest import axe_violations, screenshot
from motcua.accounts.models import Profile, User
from motcua.accounts.tests.oidc_standin import AN, sign_in_at_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = "Đăng nhập bằng tài khoản định danh điện tử (VNeID)"


def test_a_citizen_signs_in_with_the_national_identity_and_out_again(
    live_server, oidc_provider, browser, page
):
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/?next=/thu-tuc/")
    assert axe_violations(page) == []
    screenshot(page, "oidc-login-1280")

    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_url(f"{oidc_provider.issuer}/interaction/*")
    sign_in_at_provider(page, AN["login"])

    page.wait_for_url(f"{live_server.url}/thu-tuc/")
    assert page.locator(".site-nav__user").inner_text() == "Nguyễn Văn An"
    profile = Profile.objects.select_related("user").get()
    assert profile.identity_subject == AN["sub"] and profile.citizen_id == AN["login"]

    # Signing out of motcua ends the provider's session: the next sign-in asks for credentials.
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server.url}/?*")
    assert page.get_by_role("link", name="Đăng nhập").is_visible()
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_url(f"{oidc_provider.issuer}/interaction/*")
    assert page.get_by_label("Mật khẩu").is_visible()


def test_a_forged_token_is_refused_with_a_clear_page(live_server, oidc_provider, browser, page):
    oidc_provider.misbehave("signature")
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_provider(page, AN["login"])

    page.wait_for_url(f"{live_server.url}/tai-khoan/dinh-danh/ve/*")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Không đăng nhập được bằng định danh điện tử"
    assert "không có chữ ký hợp lệ" in page.get_by_role("alert").inner_text()
    assert not User.objects.exists()
    assert axe_violations(page) == []
    screenshot(page, "oidc-refused-1280")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        mobile = phone.new_page()
        mobile.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(mobile) == []
        screenshot(mobile, "oidc-login-390")
        mobile.get_by_role("link", name=BUTTON).click()
        sign_in_at_provider(mobile, AN["login"])
        mobile.wait_for_url(f"{live_server.url}/tai-khoan/dinh-danh/ve/*")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(mobile) == []
        screenshot(mobile, "oidc-refused-390")
    finally:
        phone.close()
