"""The authorisation page in headless Chromium, at 1280 and 390 px, by keyboard, with axe-core:
the citizen allows the app and is sent back to it with a code; a staff account is refused."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from conftest import axe_violations, screenshot
from motcua.accounts.models import User
from motcua.me.services import mobile_app_register
from motcua.me.tests.oauth_flow import REDIRECT_URI, authorize_query, pkce_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_citizen_allows_the_app_by_keyboard_on_desktop_and_phone(live_server, page):
    app = mobile_app_register(name="Dịch vụ công Tỉnh Demo", redirect_uris=[REDIRECT_URI])
    citizen = User.objects.create_user(
        username="0912345678", full_name="Nguyễn Thị Hoa", kind=User.Kind.CITIZEN
    )
    sign_in(page.context, live_server, citizen)
    _, challenge = pkce_pair()
    url = f"{live_server.url}/o/authorize/?{authorize_query(app, challenge)}"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Cho phép ứng dụng “Dịch vụ công Tỉnh Demo”?"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot(page, "me-authorize-390")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    assert axe_violations(page) == []
    screenshot(page, "me-authorize-1280")

    # Keyboard only: Tab to "Cho phép" and press Enter; the app's address gets the code.
    allow = page.get_by_role("button", name="Cho phép", exact=True)
    for _ in range(30):
        page.keyboard.press("Tab")
        if allow.evaluate("b => b === document.activeElement"):
            break
    else:
        raise AssertionError("“Cho phép” cannot be reached by keyboard")
    # The form's answer redirects the browser to the app's address (which nothing serves here).
    with page.expect_event("requestfailed", predicate=lambda r: r.url.startswith(REDIRECT_URI)) as failed:
        page.keyboard.press("Enter")
    query = parse_qs(urlparse(failed.value.url).query)
    assert query["state"] == ["trang-thai-1"] and query["code"][0]

    # An app that is not registered: a page, not a redirect to wherever it asked.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/o/authorize/?response_type=code&client_id=khong-co")
    assert page.get_by_role("alert").inner_text() == "Ứng dụng này chưa được đăng ký với hệ thống."
    assert axe_violations(page) == []
    screenshot(page, "me-authorize-unknown-390")


def test_a_staff_account_is_refused_with_a_page_that_says_why(live_server, page):
    app = mobile_app_register(name="Dịch vụ công Tỉnh Demo", redirect_uris=[REDIRECT_URI])
    staff = User.objects.create_user(username="canbo", full_name="Trần Văn Bình", kind=User.Kind.STAFF)
    sign_in(page.context, live_server, staff)
    _, challenge = pkce_pair()
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(f"{live_server.url}/o/authorize/?{authorize_query(app, challenge)}")
    assert response.status == 403
    assert "Tài khoản cán bộ, công chức không dùng được" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "me-authorize-staff-390")
