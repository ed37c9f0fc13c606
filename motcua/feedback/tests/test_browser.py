"""Rating in Debian's Chromium: the counter tablet (paired with a code, large buttons, at 1024 px
as on a tablet, and 390 and 1280), online from the tracking page and from "Hồ sơ của tôi", the
head of unit's unsatisfied ratings, and a survey answer; axe-core finds no serious or critical
violation, nothing is wider than the screen; screenshots under var/screenshots/feedback-*."""

import pytest
from django.test import Client

from conftest import axe_violations, screenshot
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance, intake
from motcua.feedback import devices, links
from motcua.feedback.models import Rating
from motcua.feedback.tests.test_pages import _finish_and_return

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
State = Dossier.State


def sign_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def check(page, name: str, widths=(1280, 390)) -> None:
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], (name, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        screenshot(page, f"feedback-{name}-{width}")
    page.set_viewport_size({"width": widths[0], "height": 900})


def test_a_citizen_rates_at_the_counter_tablet_with_large_buttons(
    live_server, page, world, counter, director
):
    device, code = devices.device_issue(actor=director, counter_id=counter.pk)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/danh-gia/quay/")
    check(page, "tablet-pair", (1024, 390))
    page.get_by_label("Mã ghép (8 ký tự)").fill(code)
    page.get_by_role("button", name="Ghép thiết bị").click()
    page.wait_for_load_state()
    assert "Sau khi được phục vụ" in page.content()

    devices.device_sit(actor=world.receptionist, device_id=device.pk)
    served = advance(world, State.RETURNED)
    page.goto(f"{live_server.url}/danh-gia/quay/")
    assert served.code in page.content()
    check(page, "tablet", (1024, 390, 1280))
    yes = page.get_by_role("radio", name="Hài lòng", exact=True)
    assert yes.bounding_box()["height"] >= 20  # the input; its tile is the label:
    assert page.locator(".fb-option--yes").bounding_box()["height"] >= 90  # a finger-sized target
    page.get_by_role("radio", name="Không lần nào").check()
    page.get_by_role("radio", name="Chỉ bộ phận một cửa").check()
    page.get_by_role("radio", name="Không", exact=True).check()
    page.locator(".fb-option--yes").click()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert "Cảm ơn ông/bà!" in page.content()
    check(page, "tablet-thanks", (1024,))
    rating = Rating.objects.get()
    assert (rating.channel, rating.counter_id, rating.officer_id, rating.satisfied) == (
        "counter",
        counter.pk,
        world.receptionist.pk,
        True,
    )


def test_a_citizen_rates_online_from_the_tracking_page(live_server, page, world):
    served = advance(world, State.RETURNED)
    page.goto(f"{live_server.url}/tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(served.code)
    page.get_by_label("Mã tra cứu (PIN)").fill(served.pin)
    page.get_by_role("button", name="Tra cứu").click()
    check(page, "tracking-offer")
    page.get_by_role("link", name="Đánh giá việc giải quyết hồ sơ").click()
    # Sent incomplete first: each missing answer is named, nothing recorded.
    page.get_by_role("radio", name="Không hài lòng").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    assert page.get_by_text("Vui lòng chọn một câu trả lời.").count() == 3
    assert not Rating.objects.exists()
    check(page, "online-errors")
    page.get_by_role("radio", name="Nhiều hơn một lần").check()
    page.get_by_role("radio", name="Nhiều hơn một cơ quan, đơn vị").check()
    page.get_by_role("radio", name="Có", exact=True).check()
    page.get_by_label("Ý kiến khác (không bắt buộc)").fill("Phải đi lại nhiều lần.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert "Thủ trưởng cơ quan đã được báo" in page.content()
    check(page, "online-done")
    assert Rating.objects.get().comment == "Phải đi lại nhiều lần."

    # The head of unit sees it in the inbox and on the page of unsatisfied ratings.
    leader_page = page.context.browser.new_context(locale="vi-VN").new_page()
    sign_in(leader_page.context, live_server, world.leader)
    leader_page.goto(f"{live_server.url}/xu-ly/")
    assert (
        served.code
        in leader_page.get_by_role("region", name="Đánh giá không hài lòng chờ xử lý").inner_text()
    )
    leader_page.get_by_role("link", name="Xem và ghi nhận kết quả xử lý").click()
    check(leader_page, "unsatisfied")
    leader_page.get_by_label("Kết quả xử lý").fill("Đã gọi điện xin lỗi và hướng dẫn lại.")
    leader_page.get_by_role("button", name="Ghi nhận đã xử lý").click()
    leader_page.wait_for_load_state()
    assert "Đã ghi nhận kết quả xử lý." in leader_page.content()
    leader_page.context.close()


def test_a_citizen_rates_from_hồ_sơ_của_tôi_and_answers_a_survey(live_server, page, world):
    submitted = advance(world, State.SUBMITTED, data=intake(world, channel=2))
    from motcua.dossiers import services

    d = services.dossier_receive(
        actor=world.receptionist, dossier=submitted, expected_version=submitted.version
    )
    returned = _finish_and_return(world, d)
    sign_in(page.context, live_server, world.citizen)
    page.goto(f"{live_server.url}/ho-so-cua-toi/")
    check(page, "mine")
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    page.wait_for_load_state()
    assert returned.code in page.content()
    check(page, "mine-form")
    for name in ("Không lần nào", "Không phải liên hệ cơ quan nào khác"):
        page.get_by_role("radio", name=name).check()
    page.get_by_role("radio", name="Không", exact=True).check()
    page.get_by_role("radio", name="Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    assert Rating.objects.get().source == "my_dossiers"

    from datetime import timedelta

    from django.utils import timezone

    from motcua.feedback import surveys

    today = timezone.localdate()
    rnd = surveys.survey_round_create(
        actor=world.leader,
        agency_id=world.tree.commune_a.pk,
        name="Khảo sát thử",
        closed_from=today - timedelta(days=1),
        closed_until=today,
        sample_size=1,
        seed=1,
    )
    token = links.survey_token(rnd.invitations.get().nonce)
    page.goto(f"{live_server.url}/khao-sat/{token}/")
    check(page, "survey")
    for element in page.locator("fieldset.fb-question").all():
        element.get_by_role("radio").nth(3).check()
    page.get_by_role("button", name="Gửi phiếu khảo sát").click()
    page.wait_for_load_state()
    assert "Câu trả lời đã được ghi nhận ẩn danh" in page.content()


def test_the_staff_pages_read_well_at_both_widths(live_server, page, world, counter, director):
    from datetime import timedelta

    from django.utils import timezone

    from motcua.feedback import surveys

    for _ in range(2):
        advance(world, State.RETURNED)
    today = timezone.localdate()
    surveys.survey_round_create(
        actor=world.leader,
        agency_id=world.tree.commune_a.pk,
        name="Khảo sát quý IV/2026",
        closed_from=today - timedelta(days=1),
        closed_until=today,
        sample_size=2,
        seed=3,
    )
    devices.device_issue(actor=director, counter_id=counter.pk, label="Máy tính bảng quầy 2")
    sign_in(page.context, live_server, world.leader)
    page.goto(f"{live_server.url}/danh-gia/khao-sat/")
    check(page, "rounds")
    page.get_by_role("link", name="Khảo sát quý IV/2026").click()
    page.wait_for_load_state()
    assert "0 phiếu / 2 lời mời" in page.content()
    check(page, "round")
    page.goto(f"{live_server.url}/danh-gia/ket-qua/")
    check(page, "results")
    page.goto(f"{live_server.url}/danh-gia/phieu-giay/")
    check(page, "paper")
    page.context.clear_cookies()
    sign_in(page.context, live_server, director)
    page.goto(f"{live_server.url}/danh-gia/thiet-bi/")
    page.get_by_role("button", name="Cấp mã ghép").click()
    assert page.locator(".fb-code").inner_text().count("-") == 1
    check(page, "devices")
