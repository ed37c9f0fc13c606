"""Public tracking /tra-cuu/ (page, code + PIN POSTed) and POST /api/v1/tracking (API, code + PIN
in the body; the deprecated GET /api/v1/tracking/{code}?pin= answers the same): no sign-in, and
the PIN travels in no address."""

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
from motcua.dossiers.tracking import ADDRESS_THROTTLED_MESSAGE, NOT_FOUND_MESSAGE, code_problem, mask_name

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')
# Well formed, and no dossier has it.
UNKNOWN_CODE = "000.01.31.H99-260302-9999"


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


def _look(client, code, pin, **extra):
    """The citizen submits the page's form (POST; the PIN is in the body, not the address)."""
    return client.post("/tra-cuu/", {"ma": code, "pin": pin}, **extra)


def _api(client, code, pin, **extra):
    return client.post(
        "/api/v1/tracking", {"code": code, "pin": pin}, content_type="application/json", **extra
    )


def test_the_empty_page_offers_the_form_with_labelled_fields(client):
    response = client.get("/tra-cuu/")
    assert response.status_code == 200
    html = _text(response)
    assert '<label for="ma">Mã hồ sơ</label>' in html
    assert '<label for="pin">Mã tra cứu (PIN)</label>' in html
    assert 'method="post"' in html and 'name="csrfmiddlewaretoken"' in html
    assert "alert" not in html.split("<main", 1)[1].split("</main>")[0].replace("alert-", "")


def test_the_qr_link_fills_in_the_code_and_puts_the_cursor_on_the_pin(client, dossier):
    response = client.get("/tra-cuu/", {"ma": dossier.code})
    assert response.status_code == 200
    html = _text(response)
    assert f'value="{dossier.code}"' in html
    assert re.search(r'id="pin"[^>]*autofocus', html)
    assert "Được tiếp nhận" not in html  # nothing shown without the PIN


def test_an_old_link_with_the_pin_in_the_address_shows_nothing_and_drops_the_pin(client, dossier):
    response = client.get("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin})
    assert response.status_code == 302
    assert response["Location"] == f"/tra-cuu/?ma={dossier.code.replace('.', '.')}"
    assert dossier.pin not in response["Location"]
    form = client.get(response["Location"])
    html = _text(form)
    assert f'value="{dossier.code}"' in html and "Được tiếp nhận" not in html
    # The redirect is not a lookup: no failure counted, nothing found.
    assert _look(client, dossier.code, dossier.pin).status_code == 200


def test_the_answer_is_at_the_pages_own_address_and_never_stored(client, dossier):
    response = _look(client, dossier.code, dossier.pin)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/tra-cuu/" and not response.request.get("QUERY_STRING")
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"  # the form posts with its Origin
    assert dossier.pin not in _text(response)  # not even echoed into the form


def test_the_form_is_protected_against_cross_site_posts(dossier):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    forged = browser.post("/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin})
    assert forged.status_code == 403
    assert "Được tiếp nhận" not in _text(forged)
    form = browser.get("/tra-cuu/", {"ma": dossier.code})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    answered = browser.post(
        "/tra-cuu/", {"ma": dossier.code, "pin": dossier.pin, "csrfmiddlewaretoken": token}
    )
    assert answered.status_code == 200 and "Được tiếp nhận" in _text(answered)


def test_the_page_refuses_other_methods(client):
    assert client.put("/tra-cuu/").status_code == 405


def test_code_and_pin_show_status_procedure_dates_agency_and_history(client, world, dossier):
    response = _look(client, dossier.code, dossier.pin)
    assert response.status_code == 200
    html = _text(response)
    assert "Được tiếp nhận" in html
    assert "mã trạng thái" not in html and "/10" not in html  # no jargon
    assert "ông/bà chưa cần làm gì thêm" in html
    assert PROCEDURE_NAME in html
    assert "09:00 ngày 02/03/2026" in html  # received, Hà Nội time
    assert dossier.due_at.astimezone(MONDAY_9AM.tzinfo).strftime("%H:%M ngày %d/%m/%Y") in html
    assert world.tree.commune_a.name in html  # the agency now holding it (handling, after reception)
    assert "02/03/2026 09:00" in html  # the history's first entry
    assert "Nguyễn V** A**" in html


def test_the_page_shows_nothing_personal_and_no_officer(client, world, dossier):
    html = _text(_look(client, dossier.code, dossier.pin))
    for secret in (APPLICANT_NAME, CITIZEN_ID, "0912345678", "an.nguyen@example.vn", "Thôn Đông"):
        assert secret not in html
    assert world.receptionist.full_name not in html
    assert world.receptionist.username not in html


def test_the_pin_may_be_typed_in_small_letters_with_spaces(client, dossier):
    pin = f" {dossier.pin[:3].lower()} {dossier.pin[3:].lower()} "
    response = _look(client, dossier.code.lower(), pin)
    assert response.status_code == 200
    assert "Được tiếp nhận" in _text(response)


def test_a_wrong_pin_answers_exactly_like_an_unknown_code(client, dossier):
    wrong_pin = "AAAAAA" if dossier.pin != "AAAAAA" else "BBBBBB"
    unknown = dossier.code[:-4] + "9999"
    by_pin = _look(client, dossier.code, wrong_pin)
    by_code = _look(client, unknown, dossier.pin)
    assert by_pin.status_code == by_code.status_code == 404
    assert NOT_FOUND_MESSAGE in _text(by_pin)

    # Byte for byte the same page once the typed code is put aside.
    def page(response, code):
        return CSRF.sub("", response.content.decode()).replace(code, "X")

    assert page(by_pin, dossier.code) == page(by_code, unknown)


def test_a_missing_pin_asks_for_it_and_is_not_a_failed_lookup(client, dossier):
    for _ in range(15):
        response = _look(client, dossier.code, "")
        assert response.status_code == 400
        assert "Nhập mã tra cứu (PIN)" in _text(response)
    assert _look(client, dossier.code, dossier.pin).status_code == 200


def test_eleven_failures_in_ten_minutes_from_one_address_are_refused_with_429(client, dossier):
    with time_machine.travel(MONDAY_9AM + timedelta(hours=1), tick=False) as clock:
        for n in range(10):
            response = _look(client, dossier.code, "WRONG1", REMOTE_ADDR="10.0.0.7")
            assert response.status_code == 404, n
            clock.shift(timedelta(seconds=30))
        # Fifth minute: the eleventh attempt is refused, even with the right PIN, until the
        # window (10:00–10:10) ends.
        refused = _look(client, dossier.code, "WRONG1", REMOTE_ADDR="10.0.0.7")
        assert refused.status_code == 429
        assert ADDRESS_THROTTLED_MESSAGE.format(minutes=5, until="10:10") in _text(refused)
        assert refused["Retry-After"] == "300"
        right = _look(client, dossier.code, dossier.pin, REMOTE_ADDR="10.0.0.7")
        assert right.status_code == 429
        assert "Được tiếp nhận" not in _text(right)
        # Another address is not affected.
        other = _look(client, dossier.code, dossier.pin, REMOTE_ADDR="10.0.0.8")
        assert other.status_code == 200
        # Ten minutes later the address may try again.
        clock.shift(timedelta(minutes=10))
        again = _look(client, dossier.code, dossier.pin, REMOTE_ADDR="10.0.0.7")
        assert again.status_code == 200


def test_up_to_ten_failures_are_answered_not_found_and_the_right_pin_still_works(client, dossier):
    with time_machine.travel(MONDAY_9AM, tick=False):
        for _ in range(9):
            _look(client, dossier.code, "WRONG1", REMOTE_ADDR="10.0.0.9")
        right = _look(client, dossier.code, dossier.pin, REMOTE_ADDR="10.0.0.9")
        assert right.status_code == 200
        tenth = _look(client, UNKNOWN_CODE, "WRONG1", REMOTE_ADDR="10.0.0.9")
        assert tenth.status_code == 404
        eleventh = _look(client, UNKNOWN_CODE, "WRONG1", REMOTE_ADDR="10.0.0.9")
        assert eleventh.status_code == 429


def test_successful_lookups_are_never_throttled(client, dossier):
    with time_machine.travel(MONDAY_9AM, tick=False):
        for _ in range(30):
            assert _look(client, dossier.code, dossier.pin).status_code == 200


def test_a_supplement_request_shows_status_5_without_the_internal_note(client, world, dossier):
    with time_machine.travel(MONDAY_9AM + timedelta(hours=2), tick=False):
        d = services.dossier_request_supplement(
            actor=world.specialist,
            dossier=dossier,
            expected_version=dossier.version,
            items=[services.SupplementItem(name="Giấy chứng sinh", reason="Bản chụp mờ")],
            note="Ghi chú nội bộ: gọi lại cho chị Hoa",
        )
    html = _text(_look(client, d.code, d.pin))
    assert "Yêu cầu bổ sung giấy tờ" in html and "mã trạng thái" not in html
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
    body = _api(client, d.code, d.pin).json()
    assert [(h["at"], h["status_code"]) for h in body["history"]] == [
        ("2026-03-02T02:00:00Z", 2),
        ("2026-03-03T02:00:00Z", 4),
        ("2026-03-04T02:00:00Z", 9),
        ("2026-03-05T03:00:00Z", 10),
    ]
    assert body["status_name"] == "Đã trả kết quả"
    assert body["returned_at"] == "2026-03-05T03:00:00Z"
    html = _text(_look(client, d.code, d.pin))
    assert "Đã trả kết quả" in html and "mã trạng thái" not in html
    assert "05/03/2026 10:00" in html
    # Finished on 04/03, the appointment (5 working days from 02/03 09:00) is 09/03: early.
    assert "Hồ sơ được giải quyết trước hạn: có kết quả lúc 09:00 ngày 04/03/2026" in html
    assert body["timeliness"] == "early" and body["timeliness_label"] == "Trước hạn"
    assert "Đồng ý" not in html
    assert world.leader.full_name not in html


# -- the API ----------------------------------------------------------------------------------


def test_the_api_answers_the_same_content_without_sign_in(client, world, dossier):
    response = _api(client, dossier.code, dossier.pin)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body == {
        "code": dossier.code,
        "status_code": 2,
        "status_name": "Được tiếp nhận",
        "status_label": "Được tiếp nhận",
        "outcome": "",
        "outcome_label": "",
        "rejection_reason": "",
        "reason": None,
        "guidance": body["guidance"],
        "procedure": {"code": "9.000101", "name": PROCEDURE_NAME},
        "received_at": "2026-03-02T02:00:00Z",
        "due_at": "2026-03-09T02:00:00Z",  # 5 working days from Monday 09:00
        "finished_at": None,
        "returned_at": None,
        "timeliness": "",
        "timeliness_label": "",
        "timeliness_text": "",
        "holder_agency": world.tree.commune_a.name,
        "applicant": "Nguyễn V** A**",
        "supplement": None,
        "payment": None,
        "appointment_note": {
            "working_time": True,
            "days_off": [],
            "make_up_days": [],
            "weekend_days": 2,
            "text": [
                "Thời hạn giải quyết tính theo ngày làm việc, nên ngày hẹn không tính các ngày nghỉ: "
                "2 ngày nghỉ cuối tuần (thứ Bảy, Chủ nhật)."
            ],
        },
        "history": [
            {
                "at": "2026-03-02T02:00:00Z",
                "status_code": 2,
                "status_name": "Được tiếp nhận",
                "label": "Được tiếp nhận",
            }
        ],
    }
    assert body["guidance"].startswith("Hồ sơ đang được giải quyết")


def test_the_deprecated_get_answers_exactly_like_the_post(client, dossier):
    by_get = client.get(f"/api/v1/tracking/{dossier.code}", {"pin": dossier.pin})
    assert by_get.status_code == 200
    assert by_get.json() == _api(client, dossier.code, dossier.pin).json()


def test_the_openapi_marks_the_get_deprecated_and_documents_the_post(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["paths"]["/api/v1/tracking/{code}"]["get"]["deprecated"] is True
    post = doc["paths"]["/api/v1/tracking"]["post"]
    assert not post.get("deprecated")
    assert "security" not in post
    assert set(post["responses"]) == {"200", "400", "404", "413", "429"}
    body_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(doc["components"]["schemas"][body_ref]["properties"]) == {"code", "pin"}
    out = doc["components"]["schemas"]["TrackingOut"]["properties"]
    for name in ("status_label", "outcome", "rejection_reason", "guidance", "supplement", "appointment_note"):
        assert name in out


def test_the_api_answers_a_wrong_pin_and_an_unknown_code_alike(client, dossier):
    by_pin = _api(client, dossier.code, "WRONG1")
    by_code = _api(client, UNKNOWN_CODE, dossier.pin)
    old_get = client.get(f"/api/v1/tracking/{dossier.code}", {"pin": "WRONG1"})
    no_pin = client.get(f"/api/v1/tracking/{dossier.code}")
    expected = {"code": "not_found", "message": NOT_FOUND_MESSAGE, "details": {}}
    assert by_pin.status_code == by_code.status_code == old_get.status_code == no_pin.status_code == 404
    assert by_pin.json() == by_code.json() == old_get.json() == no_pin.json() == expected


def test_the_post_without_a_pin_or_a_body_is_a_400_that_names_the_field(client, dossier):
    empty = _api(client, dossier.code, " ")
    assert empty.status_code == 400
    assert empty.json() == {
        "code": "pin_required",
        "message": "Nhập mã tra cứu (PIN) gồm 6 ký tự ghi trên giấy tiếp nhận.",
        "details": {"field": "pin"},
    }
    missing = client.post("/api/v1/tracking", {"code": dossier.code}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["code"] == "invalid_input"
    assert "pin" in missing.json()["details"]["fields"]


def test_the_page_and_the_api_share_the_failure_count(client, dossier):
    with time_machine.travel(MONDAY_9AM, tick=False):
        for _ in range(5):
            _look(client, dossier.code, "WRONG1")
            _api(client, dossier.code, "WRONG1")
        response = _api(client, dossier.code, dossier.pin)
    assert response.status_code == 429
    message = ADDRESS_THROTTLED_MESSAGE.format(minutes=10, until="09:10")
    assert response.json() == {"code": "throttled", "message": message, "details": {"retry_after": 600}}
    assert response["Retry-After"] == "600"


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
    body = _api(client, d.code, d.pin).json()
    assert (body["status_code"], body["status_name"], body["received_at"], body["due_at"]) == (
        1,
        "Mới đăng ký",
        None,
        None,
    )
    assert body["history"] == [
        {"at": "2026-03-02T02:00:00Z", "status_code": 1, "status_name": "Mới đăng ký", "label": "Mới đăng ký"}
    ]
    html = _text(_look(client, d.code, d.pin))
    assert "Mới đăng ký" in html and "Chưa tiếp nhận" in html


@pytest.mark.parametrize(
    "code",
    [
        "' OR '1'='1",
        "%",
        "_",
        "000.01.31.H99-260302-000%",
        "x" * 500,
        "KHONG-CO-MA",
        "000.01.31.H99-2603-0001",
    ],
)
def test_a_malformed_code_is_answered_400_in_vietnamese_and_changes_nothing(client, dossier, code):
    with time_machine.travel(MONDAY_9AM, tick=False):
        for _ in range(12):  # more than the address's limit: none of them counts as a failure
            api = _api(client, code, dossier.pin)
            assert api.status_code == 400
            body = api.json()
            assert body["code"] == "invalid_code" and body["details"]["field"] == "code"
            assert body["message"].startswith("Mã hồ sơ “") and "không đúng dạng" in body["message"]
            assert client.get(f"/api/v1/tracking/{code}", {"pin": dossier.pin}).status_code == 400
            page = _look(client, code, dossier.pin)
            assert page.status_code == 400
            assert "không đúng dạng" in _text(page) and 'aria-invalid="true"' in _text(page)
        assert _look(client, dossier.code, dossier.pin).status_code == 200


@pytest.mark.parametrize(
    ("code", "well_formed"),
    [
        ("000.01.31.H99-260302-0001", True),
        ("H99.31-261206-0006", True),
        ("000.01.31.H99-260302-000%", False),
        ("000.01.31.H99 260302 0001", False),
        ("260302-0001", False),
    ],
)
def test_the_form_of_a_code(code, well_formed):
    assert (code_problem(code) is None) is well_formed


def test_a_lookup_reads_the_database_once(client, dossier, django_assert_num_queries):
    # Kept after the first lookup in the process: the calendar's explanation, and the office
    # the footer of every public page names.
    _api(client, dossier.code, dossier.pin)
    _look(client, dossier.code, dossier.pin)
    with django_assert_num_queries(1):
        assert _api(client, dossier.code, dossier.pin).status_code == 200
    with django_assert_num_queries(1):
        assert _look(client, dossier.code, dossier.pin).status_code == 200
