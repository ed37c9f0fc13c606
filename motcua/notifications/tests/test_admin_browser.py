"""The administrator's dead letters in headless Chromium: the filter, the resend action, on a
desktop and a 390 px phone (axe-core: no serious or critical violation)."""

import pytest
from django.contrib.auth import get_user_model

from conftest import axe_violations, screenshot
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox_enqueue_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_administrator_finds_a_dead_letter_and_sends_it_again(live_server, browser, page):
    get_user_model().objects.create_superuser("quantri", "qt@example.vn", "mat-khau-dai-123")
    dead = outbox_enqueue_to(channel="sms", recipient="0912345678", event="dossier.receive", body="Ho so X")
    outbox_enqueue_to(channel="email", recipient="an@example.vn", event="dossier.receive", body="Thư")
    OutboxMessage.objects.filter(pk=dead.pk).update(
        status="permanent-failure", attempts=1, last_error='HTTP 400: {"error": "invalid_number"}'
    )

    page.goto(live_server.url + "/quan-tri/login/?next=/quan-tri/notifications/outboxmessage/")
    page.fill("#id_username", "quantri")
    page.fill("#id_password", "mat-khau-dai-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Thư lỗi chờ quản trị viên xử lý").click()
    page.wait_for_url("**dead=yes**")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "invalid_number" in rows.first.inner_text()
    assert "Hồ sơ đã được tiếp nhận" in rows.first.inner_text()  # the event in words
    assert axe_violations(page) == []
    screenshot(page, "outbox-dead-letters-1280")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        mobile = phone.new_page()
        mobile.context.add_cookies(page.context.cookies())
        mobile.goto(live_server.url + "/quan-tri/notifications/outboxmessage/?dead=yes")
        assert axe_violations(mobile) == []
        screenshot(mobile, "outbox-dead-letters-390")
    finally:
        phone.close()

    page.locator("#result_list tbody input[type=checkbox]").first.check()
    page.select_option("select[name=action]", "resend")
    page.get_by_role("button", name="Thực hiện").click()
    page.get_by_text("Đã đưa 1 thư vào hàng gửi lại.").wait_for()
    assert OutboxMessage.objects.get(pk=dead.pk).status == "created"
