"""What the public tracking tells the citizen (motcua/dossiers/tracking_words.py), with dated worked
examples: the appointment explained across Tết and a make-up Saturday, a supplement (what to bring,
why, and the old appointment no longer standing), a payment, early / on time / late, and the wording
of a dossier not granted after appraisal on the page and in the API."""

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from motcua.dossiers import services
from motcua.dossiers.tests.api_data import HCM, MONDAY_9AM, build_world, intake, receive
from motcua.dossiers.tracking_words import RECHECK_SECONDS, forget_recent
from motcua.workcalendar.models import CalendarDay
from motcua.workcalendar.services import calendar_changed

pytestmark = pytest.mark.django_db
REASON = (
    "Người yêu cầu không thuộc trường hợp được đăng ký khai sinh tại xã An Bình (đã đăng ký tại nơi khác)."
)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    forget_recent()
    yield
    cache.clear()
    forget_recent()


@pytest.fixture
def world():
    return build_world()


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _page(client, d) -> str:
    response = client.post("/tra-cuu/", {"ma": d.code, "pin": d.pin})
    assert response.status_code == 200
    return _text(response)


def _api(client, d) -> dict:
    response = client.post(
        "/api/v1/tracking", {"code": d.code, "pin": d.pin}, content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()


# -- the appointment, explained -------------------------------------------------------------


def test_an_appointment_across_tet_names_the_tet_days_it_skipped(client, world):
    # Received at 10:00 on Friday 13/02/2026, the last working day before Tết (off Monday 16 to
    # Friday 20/02, with the weekends 14–15 and 21–22/02). Five working days (40 h): 5 h on the
    # 13th, then 23, 24, 25 and 26/02 (32 h), and 3 h on the 27th → 10:00 on Friday 27/02/2026.
    with time_machine.travel(datetime(2026, 2, 13, 10, 0, tzinfo=HCM), tick=False):
        d = receive(world)
    assert d.due_at == datetime(2026, 2, 27, 10, 0, tzinfo=HCM)
    html = _page(client, d)
    assert "10:00 ngày 27/02/2026" in html
    assert "Ngày hẹn được tính thế nào?" in html
    assert (
        "Thời hạn giải quyết tính theo ngày làm việc, nên ngày hẹn không tính các ngày nghỉ: "
        "Tết Nguyên đán (Tết Âm lịch): các ngày 16, 17, 18, 19 và 20/02/2026; 4 ngày nghỉ cuối tuần "
        "(thứ Bảy, Chủ nhật)."
    ) in html
    note = _api(client, d)["appointment_note"]
    assert [day["date"] for day in note["days_off"]] == [f"2026-02-{n}" for n in (16, 17, 18, 19, 20)]
    assert note["days_off"][1]["name"] == "Tết Nguyên đán (Tết Âm lịch) – mùng 1"
    assert (note["weekend_days"], note["make_up_days"], note["working_time"]) == (4, [], True)


def test_a_make_up_saturday_is_named_as_a_counted_working_day(client, world):
    # Received at 09:00 on Tuesday 06/01/2026. Saturday 10/01/2026 is worked in exchange for Friday
    # 02/01: 6 h on the 6th, 8 h each on 7, 8, 9 and Saturday 10/01 (38 h), 2 h on Monday 12/01.
    with time_machine.travel(datetime(2026, 1, 6, 9, 0, tzinfo=HCM), tick=False):
        d = receive(world)
    assert d.due_at == datetime(2026, 1, 12, 9, 0, tzinfo=HCM)
    html = _page(client, d)
    assert "1 ngày nghỉ cuối tuần (thứ Bảy, Chủ nhật)" in html  # Sunday 11/01 only
    assert (
        "Ngày thứ Bảy 10/01/2026 là ngày làm bù theo lịch nghỉ chính thức, nên được tính như ngày làm việc."
        in html
    )
    assert _api(client, d)["appointment_note"]["make_up_days"] == ["2026-01-10"]


def test_the_explanation_follows_a_change_of_the_days_off(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
    # The province declares Wednesday 04/03/2026 a day off (a made-up case): the calendars are
    # rebuilt (the admin and the services tell them), and the explanation with them, within the
    # minute for which a process reuses it without asking the shared cache.
    with time_machine.travel(MONDAY_9AM + timedelta(hours=1), tick=False):
        assert "Giỗ Tổ" not in _page(client, d)
        CalendarDay.objects.create(date=date(2026, 3, 4), name="Ngày nghỉ theo quyết định của tỉnh")
        calendar_changed()
    with time_machine.travel(MONDAY_9AM + timedelta(hours=1, seconds=RECHECK_SECONDS + 1), tick=False):
        assert "Ngày nghỉ theo quyết định của tỉnh: ngày 04/03/2026" in _page(client, d)


# -- a supplement, a payment ----------------------------------------------------------------


def test_during_a_supplement_it_says_what_to_bring_and_why_and_the_old_appointment_is_gone(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
    old_due = d.due_at.astimezone(HCM).strftime("%H:%M ngày %d/%m/%Y")
    with time_machine.travel(MONDAY_9AM + timedelta(days=1), tick=False):
        d = services.dossier_request_supplement(
            actor=world.specialist,
            dossier=d,
            expected_version=d.version,
            items=[
                services.SupplementItem(
                    name="Giấy chứng sinh (bản chính)", reason="Bản nộp là bản chụp, không rõ chữ"
                ),
                services.SupplementItem(name="Giấy xác nhận nơi cư trú", reason="Thiếu trong hồ sơ"),
            ],
            note="Nội bộ: đã gọi điện cho anh An",
        )
    html = _page(client, d)
    assert "Hồ sơ cần bổ sung giấy tờ để tiếp tục được giải quyết" in html
    assert "Giấy tờ cần mang đến bổ sung" in html
    assert (
        "<strong>Giấy chứng sinh (bản chính)</strong><span>Lý do: Bản nộp là bản chụp, không rõ chữ</span>"
        in html
    )
    assert "Giấy xác nhận nơi cư trú" in html and "Lý do: Thiếu trong hồ sơ" in html
    assert "Yêu cầu ngày 03/03/2026" in html
    # The old appointment is not the answer any more (policy restart, the default).
    assert old_due not in html
    assert "Sẽ tính lại khi nhận đủ giấy tờ bổ sung" in html
    assert "Ngày hẹn cũ không còn giá trị: thời hạn giải quyết được tính lại từ đầu" in html
    assert "Nội bộ" not in html and "anh An" not in html
    body = _api(client, d)
    assert body["due_at"] is None and body["appointment_note"] is None
    assert body["supplement"]["items"] == [
        {"name": "Giấy chứng sinh (bản chính)", "reason": "Bản nộp là bản chụp, không rõ chữ"},
        {"name": "Giấy xác nhận nơi cư trú", "reason": "Thiếu trong hồ sơ"},
    ]
    assert (body["supplement"]["policy"], body["supplement"]["at_intake"]) == ("restart", False)
    assert body["supplement"]["requested_at"] == "2026-03-03T02:00:00Z"
    # Once received, the new appointment stands again: five working days from 10/03 09:00 → 17/03.
    with time_machine.travel(MONDAY_9AM + timedelta(days=8), tick=False):
        d = services.dossier_receive_supplement(
            actor=world.receptionist, dossier=d, expected_version=d.version
        )
    html = _page(client, d)
    assert "09:00 ngày 17/03/2026" in html and "Giấy tờ cần mang đến bổ sung" not in html


def test_a_supplement_under_the_pause_policy_says_the_appointment_will_move(client, world):
    world.procedure.supplement_policy = "pause"
    world.procedure.save(update_fields=["supplement_policy"])
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
        d = services.dossier_request_supplement(
            actor=world.specialist,
            dossier=d,
            expected_version=d.version,
            items=[services.SupplementItem(name="Giấy chứng sinh", reason="Bản chụp mờ")],
        )
    assert "ngày hẹn cũ không còn giá trị và sẽ được lùi thêm đúng bằng thời gian chờ" in _page(client, d)
    assert _api(client, d)["supplement"]["policy"] == "pause"


def test_a_supplement_asked_at_reception_says_the_dossier_is_not_received_yet(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = services.dossier_request_supplement(
            actor=world.receptionist,
            data=intake(world),
            items=[services.SupplementItem(name="Tờ khai đăng ký khai sinh", reason="Chưa ký tên")],
        )
    html = _page(client, d)
    assert "Hồ sơ cần bổ sung giấy tờ trước khi được tiếp nhận" in html
    assert "Tờ khai đăng ký khai sinh" in html and "Lý do: Chưa ký tên" in html
    assert "Hồ sơ chưa được tiếp nhận nên chưa có ngày hẹn trả kết quả" in html
    assert _api(client, d)["supplement"]["at_intake"] is True


def test_a_payment_request_says_how_much(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
        d = services.dossier_assign(
            actor=world.leader, dossier=d, expected_version=d.version, officer=world.specialist
        )
        d = services.dossier_request_payment(
            actor=world.specialist, dossier=d, expected_version=d.version, amount_vnd=150000, note="Nội bộ"
        )
    html = _page(client, d)
    assert "Phí, lệ phí cần nộp" in html and "Số tiền: <strong>150.000 đ</strong>" in html
    assert "Cần nộp phí, lệ phí (nghĩa vụ tài chính) 150.000 đ" in html
    assert _api(client, d)["payment"] == {
        "amount_vnd": 150000,
        "amount_text": "150.000 đ",
        "requested_at": "2026-03-02T02:00:00Z",
    }


# -- after the result: early, on time, late --------------------------------------------------


def _approve_and_finish(world, d, at):
    with time_machine.travel(at, tick=False):
        d = services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)
        return services.dossier_finish(actor=world.leader, dossier=d, expected_version=d.version)


def test_a_result_after_the_appointment_is_said_late(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
    # Due 09:00 on Monday 09/03; the result comes at 14:00 on Tuesday 10/03.
    d = _approve_and_finish(world, d, datetime(2026, 3, 10, 14, 0, tzinfo=HCM))
    with time_machine.travel(datetime(2026, 3, 11, 8, 0, tzinfo=HCM), tick=False):
        d = services.dossier_return_result(
            actor=world.receptionist, dossier=d, expected_version=d.version, collected_by="Nguyễn Văn An"
        )
    html = _page(client, d)
    assert (
        "Hồ sơ được giải quyết quá hạn: có kết quả lúc 14:00 ngày 10/03/2026, "
        "ngày hẹn là 09:00 ngày 09/03/2026."
    ) in html
    assert "So với ngày hẹn</dt><dd><strong>Quá hạn</strong>" in html
    assert "Kết quả đã được trả" in html


def test_a_result_exactly_at_the_appointment_is_on_time(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
    d = _approve_and_finish(world, d, datetime(2026, 3, 9, 9, 0, tzinfo=HCM))
    body = _api(client, d)
    assert (body["timeliness"], body["timeliness_label"]) == ("on_time", "Đúng hạn")
    assert body["timeliness_text"].startswith("Hồ sơ được giải quyết đúng hạn")
    assert body["guidance"].startswith("Đã có kết quả. Mời ông/bà nhận kết quả tại Bộ phận Một cửa")


# -- not granted after appraisal ------------------------------------------------------------


def test_a_rejection_is_said_not_granted_with_its_reason_on_the_page_and_in_the_api(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
    with time_machine.travel(MONDAY_9AM + timedelta(days=2), tick=False):
        d = services.dossier_reject(actor=world.leader, dossier=d, expected_version=d.version, reason=REASON)
    assert (d.status_code, d.outcome) == (9, "rejected")  # the national status stays 9
    html = _page(client, d)
    assert '<span class="tracking-status__name">Không giải quyết — đã có văn bản trả lời</span>' in html
    assert "tracking-status--rejected" in html
    assert "Lý do không giải quyết" in html and REASON in html
    assert "Đã xử lý xong" not in html and "Có kết quả" not in html
    assert "Hồ sơ không được giải quyết. Văn bản trả lời nêu rõ lý do đã sẵn sàng" in html
    assert "Kết quả giải quyết</dt><dd>Không giải quyết (có văn bản trả lời nêu rõ lý do)" in html
    assert "Hồ sơ được xử lý xong trước hạn: có văn bản trả lời lúc 09:00 ngày 04/03/2026" in html
    body = _api(client, d)
    assert (body["status_code"], body["status_label"], body["outcome"]) == (
        9,
        "Không giải quyết — đã có văn bản trả lời",
        "rejected",
    )
    assert body["rejection_reason"] == REASON
    assert body["reason"] == {"title": "Lý do không giải quyết", "text": REASON}
    assert [h["label"] for h in body["history"]] == [
        "Được tiếp nhận",
        "Không giải quyết — đã có văn bản trả lời",
    ]
    # Returned like a result: still not granted, never "Đã trả kết quả".
    with time_machine.travel(MONDAY_9AM + timedelta(days=3), tick=False):
        d = services.dossier_return_result(
            actor=world.receptionist, dossier=d, expected_version=d.version, collected_by="Nguyễn Văn An"
        )
    html = _page(client, d)
    assert "Không giải quyết — đã trả văn bản trả lời" in html and REASON in html
    assert "Đã trả kết quả" not in html and "Đã trả văn bản trả lời" in html
    body = _api(client, d)
    assert (body["status_code"], body["status_name"]) == (10, "Đã trả kết quả")  # the national name
    assert body["status_label"] == "Không giải quyết — đã trả văn bản trả lời"
    assert body["rejection_reason"] == REASON


def test_an_approval_keeps_the_national_words(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
    d = _approve_and_finish(world, d, MONDAY_9AM + timedelta(days=1))
    body = _api(client, d)
    assert (body["status_label"], body["outcome"], body["outcome_label"]) == (
        "Đã xử lý xong",
        "approved",
        "Được giải quyết",
    )
    assert body["rejection_reason"] == "" and body["reason"] is None
