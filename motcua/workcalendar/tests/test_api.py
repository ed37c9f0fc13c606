"""GET /api/v1/calendar/appointment through the Django test client."""

from datetime import time

import pytest

from motcua.org.models import Agency
from motcua.workcalendar.models import WorkSchedule

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendar/appointment"


def test_it_answers_the_tet_example_with_the_days_skipped(client):
    response = client.get(
        URL, {"received_at": "2026-02-13T16:10:00+07:00", "amount": "5", "unit": "working_days"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["due_at"] == "2026-02-27T16:10:00+07:00"
    assert body["skipped"][0] == {"date": "2026-02-14", "reason": "Thứ Bảy"}
    assert body["skipped"][3] == {"date": "2026-02-17", "reason": "Tết Nguyên đán (Tết Âm lịch) – mùng 1"}
    assert len(body["skipped"]) == 9
    assert "intervals" not in body


def test_it_reads_a_time_without_offset_as_viet_nam_time_and_explains(client):
    response = client.get(
        URL, {"received_at": "2026-03-02T10:00", "amount": "4", "unit": "working_hours", "explain": "1"}
    )
    body = response.json()
    # 10:00–11:30 (90 min) and 13:30–16:00 (150 min).
    assert body["due_at"] == "2026-03-02T16:00:00+07:00"
    assert body["intervals"] == [
        {"start": "2026-03-02T10:00:00+07:00", "end": "2026-03-02T11:30:00+07:00", "minutes": 90},
        {"start": "2026-03-02T13:30:00+07:00", "end": "2026-03-02T16:00:00+07:00", "minutes": 150},
    ]


def test_it_converts_a_utc_reception_and_accepts_an_unencoded_plus_sign(client):
    # 09:10Z = 16:10 in Viet Nam; "+07:00" typed unencoded arrives as " 07:00".
    for received in ("2026-02-13T09:10:00Z", "2026-02-13T16:10:00 07:00"):
        response = client.get(URL, {"received_at": received, "amount": "5", "unit": "working_days"})
        assert response.json()["due_at"] == "2026-02-27T16:10:00+07:00", received


def test_it_applies_the_end_of_day_rule_and_calendar_units(client):
    response = client.get(
        URL, {"received_at": "2026-03-02T10:00", "amount": "2", "unit": "working_days", "rule": "end_of_day"}
    )
    assert response.json()["due_at"] == "2026-03-04T17:00:00+07:00"
    response = client.get(URL, {"received_at": "2024-01-31T09:00", "amount": "1", "unit": "months"})
    assert response.json()["due_at"] == "2024-02-29T17:00:00+07:00"


def test_it_uses_the_calendar_of_the_given_agency(client):
    Agency.objects.create(
        code="000.01.31.H99",
        name="Bộ phận Một cửa xã An Bình",
        kind="one_stop",
        schedule=WorkSchedule.objects.get(code="co-thu-bay"),
    )
    late = WorkSchedule.objects.create(code="mo-muon", name="Mở cửa 7 giờ 30")
    for weekday in range(5):
        late.sessions.create(weekday=weekday, start=time(7, 30), end=time(11, 30))
        late.sessions.create(weekday=weekday, start=time(13, 30), end=time(17, 0))
    Agency.objects.create(
        code="000.00.31.H99", name="UBND xã An Bình", kind="peoples_committee", schedule=late
    )
    params = {"received_at": "2026-03-07T09:00", "amount": "4", "unit": "working_hours"}
    # Open on Saturday mornings, but the legal clock starts on Monday all the same: 07:00 + 4 h = 11:00.
    assert (
        client.get(URL, params | {"agency": "000.01.31.H99"}).json()["due_at"] == "2026-03-09T11:00:00+07:00"
    )
    # A unit whose day starts at 07:30: Monday 07:30 + 4 h = 11:30.
    assert (
        client.get(URL, params | {"agency": "000.00.31.H99"}).json()["due_at"] == "2026-03-09T11:30:00+07:00"
    )
    # The default calendar starts on Monday: 07:00 + 4 h = 11:00.
    assert client.get(URL, params).json()["due_at"] == "2026-03-09T11:00:00+07:00"


def test_it_answers_404_for_an_unknown_agency(client):
    response = client.get(
        URL,
        {"received_at": "2026-03-02T10:00", "amount": "1", "unit": "working_days", "agency": "000.00.99.H99"},
    )
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["message"] == "Không tìm thấy cơ quan có mã “000.00.99.H99”."


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"received_at": "13/02/2026 16:10", "amount": "5", "unit": "working_days"}, "received_at"),
        ({"received_at": "2026-02-30T10:00", "amount": "5", "unit": "working_days"}, "received_at"),
        ({"received_at": "2026-03-02T10:00", "amount": "0", "unit": "working_days"}, "amount"),
        ({"received_at": "2026-03-02T10:00", "amount": "-3", "unit": "working_days"}, "amount"),
        ({"received_at": "2026-03-02T10:00", "amount": "năm", "unit": "working_days"}, "amount"),
        ({"received_at": "2026-03-02T10:00", "amount": "1.5", "unit": "working_days"}, "amount"),
        ({"received_at": "2026-03-02T10:00", "amount": "5", "unit": "weeks"}, "unit"),
        ({"received_at": "2026-03-02T10:00", "amount": "5", "unit": "days", "rule": "soon"}, "rule"),
        ({"amount": "5", "unit": "days"}, "received_at"),
    ],
)
def test_it_answers_400_with_a_vietnamese_message_naming_the_bad_parameter(client, params, names):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == "invalid_input"
    assert names in body["message"]
    assert names in str(body["details"])


def test_it_answers_400_for_a_moment_outside_the_calendar(client):
    response = client.get(URL, {"received_at": "2070-12-01T10:00", "amount": "300", "unit": "working_days"})
    assert response.status_code == 400
    assert "ngoài phạm vi" in response.json()["message"]


@pytest.mark.parametrize("unit", ["working_days", "working_hours", "days", "months"])
@pytest.mark.parametrize("amount", ["99999999", "10000", "9" * 5000])
def test_it_answers_400_for_an_amount_too_large(client, unit, amount):
    # 99999999 days or months overflowed the date arithmetic (500) before the bound.
    response = client.get(URL, {"received_at": "2026-03-02T10:00", "amount": amount, "unit": unit})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["message"].startswith("Thời hạn (amount) quá lớn: tối đa 9999, không phải")
    assert body["details"]["max"] == 9999


def test_the_largest_amount_is_counted_or_said_to_leave_the_calendar(client):
    ok = client.get(URL, {"received_at": "2026-03-02T10:00", "amount": "9999", "unit": "days"})
    assert ok.status_code == 200 and ok.json()["due_at"].startswith("2053-07-1")
    beyond = client.get(URL, {"received_at": "2026-03-02T10:00", "amount": "9999", "unit": "months"})
    assert beyond.status_code == 400 and "ngoài phạm vi" in beyond.json()["message"]
