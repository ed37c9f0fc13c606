"""The counter's online inbox in headless Chromium: an officer opens the list of dossiers submitted
online, asks for a supplement without a reason first (told, nothing lost), refuses one with its
reason and accepts another, at 1280 px and on a 390 px phone, with the keyboard only for the
acceptance; axe-core on each page (no "serious" or "critical" violation).

One journey in one test: a browser test's database is emptied after it.
"""

import pytest
import time_machine

from conftest import axe_violations, screenshot
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import SubmitterData
from motcua.dossiers.tests.conftest import build_world, vn
from motcua.dossiers.tests.test_counter_browser import sign_in
from motcua.dossiers.tests.test_online_services import pdf, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
State = Dossier.State


def test_an_officer_answers_the_online_inbox_on_desktop_and_phone(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    with time_machine.travel(vn(2026, 3, 2, 8), tick=False):
        first = submit(world, national_identity=True)
    with time_machine.travel(vn(2026, 3, 2, 9, 30), tick=False):
        second = submit(
            world,
            files={"TP01": [pdf()], "TP02": [pdf()], "UQ": [pdf("uy-quyen.pdf")]},
            submitter=SubmitterData(relation="guardian", name="Nguyễn Văn Bố", citizen_id="001080012345"),
        )
    sign_in(page.context, live_server, world.receptionist)

    # The counter's home counts them and leads to the inbox.
    page.goto(live_server.url + "/quay/")
    page.get_by_role("link", name="Hồ sơ trực tuyến chờ tiếp nhận").click()
    page.wait_for_url("**/quay/truc-tuyen/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hồ sơ trực tuyến chờ tiếp nhận")
    cards = page.locator("article.online-dossier")
    assert cards.count() == 2
    assert first.code in cards.nth(0).inner_text() and second.code in cards.nth(1).inner_text()
    assert "Cha, mẹ hoặc người giám hộ".lower() in cards.nth(1).inner_text().lower()
    assert axe_violations(page) == []
    screenshot(page, "counter-online-inbox-1280")

    # A supplement request with no item: told, the dossier unchanged, the form open again.
    card = cards.nth(1)
    card.locator("summary", has_text="Yêu cầu bổ sung").click()
    card.get_by_role("button", name="Gửi yêu cầu bổ sung (Mẫu 02)").click()
    page.wait_for_selector(".alert-error")
    assert "Hãy ghi ít nhất một giấy tờ cần bổ sung và lý do." in page.content()
    assert axe_violations(page) == []
    screenshot(page, "counter-online-supplement-error-1280")
    second.refresh_from_db()
    assert second.state == State.SUBMITTED

    # Refuse the second with its reason.
    card = page.locator("article.online-dossier").nth(1)
    if card.locator("details:has(summary:has-text('Từ chối')) form").is_hidden():
        card.locator("summary", has_text="Từ chối tiếp nhận").click()
    card.get_by_label("Lý do từ chối tiếp nhận").fill("Người giám hộ chưa có giấy tờ chứng minh")
    card.get_by_role("button", name="Từ chối và gửi Mẫu 03").click()
    page.wait_for_url(f"**/quay/tiep-nhan/{second.uid}/")
    assert "Đã từ chối tiếp nhận hồ sơ" in page.content()
    second.refresh_from_db()
    assert second.state == State.REFUSED

    # Accept the first with the keyboard only, on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/quay/truc-tuyen/")
    assert page.locator("article.online-dossier").count() == 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot(page, "counter-online-inbox-390")
    button = page.get_by_role("button", name=f"Tiếp nhận hồ sơ {first.code}")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/quay/tiep-nhan/{first.uid}/")
    assert "Đã tiếp nhận hồ sơ" in page.content() and "In Mẫu 01" in page.content()
    assert axe_violations(page) == []
    screenshot(page, "counter-online-accepted-390")
    first.refresh_from_db()
    assert first.state == State.RECEIVED and first.received_at is not None
    page.goto(live_server.url + "/quay/truc-tuyen/")
    assert "Không có hồ sơ trực tuyến nào đang chờ tiếp nhận." in page.content()
