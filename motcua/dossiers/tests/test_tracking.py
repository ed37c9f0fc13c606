"""Public tracking /tra-cuu/ (page) and GET /api/v1/tracking/{code} (API): code + PIN, no sign-in."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from motcua.dossiers import services
from motcua.dossiers.tests.api_data import (
    APPLICANT_NAME,
    CITIZEN_ID,
    MONDAY_9AM,
    PROCEDURE_NAME,
    build_world,
    receive,
)
from motcua.dossiers.tracking import ADDRESS_THROTTLED_MESSAGE, NOT_FOUND_MESSAGE, mask_name

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"')


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def dossier(world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        return receive(world)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_empty_page_offers_the_form_with_labelled_fields(client):
    response = client.get("/tra-cuu/")
    assert response.status_code == 200
    html = _text(response)
    assert '<label for="ma">Mã hồ sơ</label>' in html
    assert '<label for="pin">Mã tra cứu (PIN)</label>' in html
    assert 'method="get"' in html
    assert "alert" not in html.split("<main", 1)[1].split("</main>")[0].replace("alert-", "")


def test_the_qr_link_fills_in_the_code_and_puts_the_cursor_on_the_pin(client, dossier):
    response = client.get("/tra-cuu/", {"ma": dossier.code})
    assert response.status_code == 200
    html = _text(response)
    assert f'value="{dossier.code}"' in html
    assert re.search(r'id="pin"[^>]*autofocus', html)
    assert "Được tiếp nhận" not in html  # nothing shown without the PIN


def test_code_and_pin_show_status_procedure_dates_agency_and_history(client, world, dossier):
    response = client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin})
    assert response.status_code == 200
    html = _text(response)
    assert "Được tiếp nhận" in html and "mã trạng thái 2/10" in html
    assert PROCEDURE_NAME in html
    assert "09:00 ngày 02/03/2026" in html  # received, Hà Nội time
    assert dossier.due_at.astimezone(MONDAY_9AM.tzinfo).strftime("%H:%M ngày %d/%m/%Y") in html
    assert world.tree.commune_a.name in html  # the agency now holding it (handling, after reception)
    assert "02/03/2026 09:00" in html  # the history's first entry
    assert "Nguyễn V** A**" in html


def test_the_page_shows_nothing_personal_and_no_officer(client, world, dossier):
    html = _text(client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin}))
    for secret in (APPLICANT_NAME, CITIZEN_ID, "0912345678", "an.nguyen@example.vn", "Thôn Đông"):
        assert secret not in html
    assert world.receptionist.full_name not in html
    assert world.receptionist.username not in html


def test_the_pin_may_be_typed_in_small_letters_with_spaces(client, dossier):
    pin = f" {dossier.pin[:3].lower()} {dossier.pin[3:].lower()} "
    response = client.get("/tra-cuu/", {"ma": dossier.code.lower(), "pin": pin})
    assert response.status_code == 200
    assert "Được tiếp nhận" in _text(response)


def test_a_wrong_pin_answers_exactly_like_an_unknown_code(client, dossier):
    wrong_pin = "AAAAAA" if dossier.pin != "AAAAAA" else "BBBBBB"
    unknown = dossier.code[:-4] + "9999"
    by_pin = client.get("/tra-cuu/", {"ma": dossier.code, "pin": wrong_pin})
    by_code = client.get("/tra-cuu/", {"ma": unknown, "pin": dossier.pin})
    assert by_pin.status_code == by_code.status_code == 404
    assert NOT_FOUND_MESSAGE in _text(by_pin)

    # Byte for byte the same page once the typed code is put aside.
    def page(response, code):
        return CSRF.sub("", response.content.decode()).replace(code, "X")

    assert page(by_pin, dossier.code) == page(by_code, unknown)


def test_a_missing_pin_asks_for_it_and_is_not_a_failed_lookup(client, dossier):
    for _ in range(15):
        response = client.get("/tra-cuu/", {"ma": dossier.code, "pin": ""})
        assert response.status_code == 400
        assert "Nhập mã tra cứu (PIN)" in _text(response)
    assert client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin}).status_code == 200


def test_eleven_failures_in_ten_minutes_from_one_address_are_refused_with_429(client, dossier):
    with time_machine.travel(MONDAY_9AM + timedelta(hours=1), tick=False) as clock:
        for n in range(10):
            response = client.get("/tra-cuu/", {"ma": dossier.code, "pin": "WRONG1"}, REMOTE_ADDR="10.0.0.7")
            assert response.status_code == 404, n
            clock.shift(timedelta(seconds=30))
        # Fifth minute: the eleventh attempt is refused, even with the right PIN, until the
        # window (10:00–10:10) ends.
        refused = client.get("/tra-cuu/", {"ma": dossier.code, "pin": "WRONG1"}, REMOTE_ADDR="10.0.0.7")
        assert refused.status_code == 429
        assert ADDRESS_THROTTLED_MESSAGE.format(until="10:10") in _text(refused)
        right = client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin}, REMOTE_ADDR="10.0.0.7")
        assert right.status_code == 429
        assert "Được tiếp nhận" not in _text(right)
        # Another address is not affected.
        other = client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin}, REMOTE_ADDR="10.0.0.8")
        assert other.status_code == 200
        # Ten minutes later the address may try again.
        clock.shift(timedelta(minutes=10))
        again = client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin}, REMOTE_ADDR="10.0.0.7")
        assert again.status_code == 200


def test_up_to_ten_failures_are_answered_not_found_and_the_right_pin_still_works(client, dossier):
    with time_machine.travel(MONDAY_9AM, tick=False):
        for _ in range(9):
            client.get("/tra-cuu/", {"ma": dossier.code, "pin": "WRONG1"}, REMOTE_ADDR="10.0.0.9")
        right = client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin}, REMOTE_ADDR="10.0.0.9")
        assert right.status_code == 200
        tenth = client.get("/tra-cuu/", {"ma": "KHONG-CO", "pin": "WRONG1"}, REMOTE_ADDR="10.0.0.9")
        assert tenth.status_code == 404
        eleventh = client.get("/tra-cuu/", {"ma": "KHONG-CO", "pin": "WRONG1"}, REMOTE_ADDR="10.0.0.9")
        assert eleventh.status_code == 429


def test_successful_lookups_are_never_throttled(client, dossier):
    with time_machine.travel(MONDAY_9AM, tick=False):
        for _ in range(30):
            assert client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin}).status_code == 200


def test_a_supplement_request_shows_status_5_without_the_internal_note(client, world, dossier):
    with time_machine.travel(MONDAY_9AM + timedelta(hours=2), tick=False):
        d = services.dossier_request_supplement(
            actor=world.specialist,
            dossier=dossier,
            expected_version=dossier.version,
            items=[services.SupplementItem(name="Giấy chứng sinh", reason="Bản chụp mờ")],
            note="Ghi chú nội bộ: gọi lại cho chị Hoa",
        )
    html = _text(client.get("/tra-cuu/", {"ma": d.code, "pin": d.pin}))
    assert "Yêu cầu bổ sung giấy tờ" in html and "mã trạng thái 5/10" in html
    assert "02/03/2026 11:00" in html
    assert "Ghi chú nội bộ" not in html and "chị Hoa" not in html
    assert world.specialist.full_name not in html


def test_the_history_dates_every_status_up_to_the_return(client, world, dossier):
    d = dossier
    with time_machine.travel(MONDAY_9AM + timedelta(days=1), tick=False):
        d = services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version, note="Đồng ý")
    with time_machine.travel(MONDAY_9AM + timedelta(days=2), tick=False):
        d = services.dossier_finish(actor=world.leader, dossier=d, expected_version=d.version)
    with time_machine.travel(MONDAY_9AM + timedelta(days=3, hours=1), tick=False):
        d = services.dossier_return_result(
            actor=world.receptionist, dossier=d, expected_version=d.version, collected_by="Nguyễn Văn An"
        )
    body = client.get(f"/api/v1/tracking/{d.code}", {"pin": d.pin}).json()
    assert [(h["at"], h["status_code"]) for h in body["history"]] == [
        ("2026-03-02T02:00:00Z", 2),
        ("2026-03-03T02:00:00Z", 4),
        ("2026-03-04T02:00:00Z", 9),
        ("2026-03-05T03:00:00Z", 10),
    ]
    assert body["status_name"] == "Đã trả kết quả"
    assert body["returned_at"] == "2026-03-05T03:00:00Z"
    html = _text(client.get("/tra-cuu/", {"ma": d.code, "pin": d.pin}))
    assert "Đã trả kết quả" in html and "mã trạng thái 10/10" in html
    assert "05/03/2026 10:00" in html
    assert "Đồng ý" not in html
    assert world.leader.full_name not in html


# -- the API ----------------------------------------------------------------------------------


def test_the_api_answers_the_same_content_without_sign_in(client, world, dossier):
    response = client.get(f"/api/v1/tracking/{dossier.code}", {"pin": dossier.pin})
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "code": dossier.code,
        "status_code": 2,
        "status_name": "Được tiếp nhận",
        "procedure": {"code": "9.000101", "name": PROCEDURE_NAME},
        "received_at": "2026-03-02T02:00:00Z",
        "due_at": body["due_at"],
        "finished_at": None,
        "returned_at": None,
        "holder_agency": world.tree.commune_a.name,
        "applicant": "Nguyễn V** A**",
        "history": [{"at": "2026-03-02T02:00:00Z", "status_code": 2, "status_name": "Được tiếp nhận"}],
    }
    assert body["due_at"] is not None and body["due_at"] > body["received_at"]


def test_the_api_answers_a_wrong_pin_and_an_unknown_code_alike(client, dossier):
    by_pin = client.get(f"/api/v1/tracking/{dossier.code}", {"pin": "WRONG1"})
    by_code = client.get("/api/v1/tracking/KHONG-CO-MA", {"pin": dossier.pin})
    no_pin = client.get(f"/api/v1/tracking/{dossier.code}")
    expected = {"code": "not_found", "message": NOT_FOUND_MESSAGE, "details": {}}
    assert by_pin.status_code == by_code.status_code == no_pin.status_code == 404
    assert by_pin.json() == by_code.json() == no_pin.json() == expected


def test_the_page_and_the_api_share_the_failure_count(client, dossier):
    with time_machine.travel(MONDAY_9AM, tick=False):
        for _ in range(5):
            client.get("/tra-cuu/", {"ma": dossier.code, "pin": "WRONG1"})
            client.get(f"/api/v1/tracking/{dossier.code}", {"pin": "WRONG1"})
        response = client.get(f"/api/v1/tracking/{dossier.code}", {"pin": dossier.pin})
    assert response.status_code == 429
    message = ADDRESS_THROTTLED_MESSAGE.format(until="09:10")
    assert response.json() == {"code": "throttled", "message": message, "details": {}}


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V** A**"),
        ("Lê Thị Thu Hường", "Lê T** T** H**"),
        ("Đặng Ánh", "Đặng Á**"),
        ("Hùng", "Hùng"),
        ("", ""),
    ],
)
def test_the_applicant_name_is_masked_after_the_family_name(name, masked):
    assert mask_name(name) == masked


def test_an_online_submission_not_yet_received_shows_status_1(client, world):
    from motcua.accounts.models import User
    from motcua.dossiers.tests.api_data import intake

    citizen = User.objects.create_user("cong_dan", kind=User.Kind.CITIZEN, full_name="Nguyễn Văn An")
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = services.dossier_submit_online(citizen=citizen, data=intake(world))
    body = client.get(f"/api/v1/tracking/{d.code}", {"pin": d.pin}).json()
    assert (body["status_code"], body["status_name"], body["received_at"], body["due_at"]) == (
        1,
        "Mới đăng ký",
        None,
        None,
    )
    assert body["history"] == [{"at": "2026-03-02T02:00:00Z", "status_code": 1, "status_name": "Mới đăng ký"}]
    html = _text(client.get("/tra-cuu/", {"ma": d.code, "pin": d.pin}))
    assert "Mới đăng ký" in html and "Chưa tiếp nhận" in html


@pytest.mark.parametrize("code", ["' OR '1'='1", "%", "_", "000.01.31.H99-260302-000%", "x" * 500])
def test_odd_codes_find_nothing(client, dossier, code):
    response = client.get(f"/api/v1/tracking/{code}", {"pin": dossier.pin})
    assert response.status_code == 404
    assert client.get("/tra-cuu/", {"ma": code, "pin": dossier.pin}).status_code == 404


def test_a_lookup_reads_the_database_once(client, dossier, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/tracking/{dossier.code}", {"pin": dossier.pin}).status_code == 200
