"""Bad input at the boundary (RequestGuardMiddleware): a NUL character anywhere in a request,
or a multipart body that cannot be parsed, is a 400 with a Vietnamese message — the API's error
body under /api/, a page elsewhere — before any view or query runs; nothing is written.

On PostgreSQL each of these requests answered 500 before (PostgreSQL refuses NUL in text); on
SQLite they reached the views, which then stored or looked up the value."""

import io

import pytest
from django.test import Client
from PIL import Image

from motcua.accounts.services import api_token_create
from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.dossiers.tests.conftest import PROCEDURE_CODE, build_world, intake

pytestmark = pytest.mark.django_db

NUL = "\x00"
RECEIVED_AT = "2026-03-02T08:00:00+07:00"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def received(world):
    return services.dossier_receive(actor=world.receptionist, data=intake(world))


def anonymous() -> Client:
    return Client(raise_request_exception=False)


def staff(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def bearer(user) -> Client:
    return Client(
        raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t')}"
    )


def assert_api_refused(response, where: str, field: str | None = None) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == "invalid_character"
    assert "ký tự NUL" in body["message"] and "không được xử lý" in body["message"]
    assert body["details"]["where"] == where
    if field is not None:
        assert body["details"]["field"] == field
    return body


def assert_page_refused(response) -> str:
    assert response.status_code == 400, response.content[:300]
    html = response.content.decode()
    assert "Yêu cầu không hợp lệ" in html and "chứa ký tự NUL (mã 0)" in html
    return html


def _get(client, url, params=None):
    return client.get(url, params or {})


# (who, url, query) for GET requests; who: anonymous, receptionist, leader.
ANONYMOUS_GETS = [
    ("/tra-cuu/", {"ma": f"000.01.31.H99-260302-0001{NUL}", "pin": "ABCDEF"}),
    ("/thu-tuc/", {"q": f"khai sinh{NUL}"}),
    (f"/thu-tuc/{PROCEDURE_CODE}{NUL}/", None),
    (f"/thu-tuc/{PROCEDURE_CODE}/mau/TP01{NUL}/", None),
]
ANONYMOUS_API_GETS = [
    (f"/api/v1/tracking/000.01.31.H99-260302-0001{NUL}", {"pin": "ABCDEF"}, "path", None),
    ("/api/v1/tracking/000.01.31.H99-260302-0001", {"pin": f"ABC{NUL}"}, "query", "pin"),
    (
        "/api/v1/calendar/appointment",
        {"received_at": RECEIVED_AT, "amount": "5", "unit": "working_days", "agency": f"H99{NUL}"},
        "query",
        "agency",
    ),
    ("/api/v1/procedures", {"q": f"khai{NUL}sinh"}, "query", "q"),
    (f"/api/v1/procedures/{PROCEDURE_CODE}{NUL}", None, "path", None),
    (f"/api/v1/agencies/000.01.31.H99{NUL}/procedures", None, "path", None),
]


@pytest.mark.parametrize(("url", "params"), ANONYMOUS_GETS)
def test_an_anonymous_page_refuses_a_nul_in_path_or_query(world, url, params):
    assert_page_refused(_get(anonymous(), url, params))


@pytest.mark.parametrize(("url", "params", "where", "field"), ANONYMOUS_API_GETS)
def test_an_anonymous_api_call_refuses_a_nul_with_the_error_body(world, url, params, where, field):
    assert_api_refused(_get(anonymous(), url, params), where, field)


def test_the_sign_in_form_refuses_a_nul_in_the_user_name_and_records_no_attempt(world):
    from axes.models import AccessAttempt

    response = anonymous().post("/tai-khoan/dang-nhap/", {"username": f"admin{NUL}", "password": "x" * 12})
    html = assert_page_refused(response)
    assert "Trường “username” của biểu mẫu" in html
    assert not AccessAttempt.objects.exists()


def test_a_nul_in_a_cookie_is_refused_before_the_session_is_read(world):
    client = anonymous()
    client.cookies["sessionid"] = f"abcdefgh{NUL}ijkl"
    html = assert_page_refused(client.get("/thu-tuc/"))
    assert "Cookie “sessionid”" in html


@pytest.mark.parametrize(
    ("who", "url", "params"),
    [
        ("leader", "/xu-ly/", {"q": f"Hoa{NUL}"}),
        ("leader", "/xu-ly/ho-so/{code}{NUL}/", None),
        ("receptionist", "/quay/", {"co-quan": f"000.01.31.H99{NUL}"}),
        ("receptionist", "/quay/tiep-nhan/", {"thu-tuc": f"{PROCEDURE_CODE}{NUL}"}),
        ("receptionist", "/quay/tra-ket-qua/", {"ma": "{code}" + NUL}),
        ("leader", "/bieu-mau/so-theo-doi/", {"agency": f"000.01.31.H99{NUL}"}),
    ],
)
def test_a_staff_page_refuses_a_nul_in_path_or_query(world, received, who, url, params):
    url = url.format(code=received.code, NUL=NUL)
    params = {k: v.format(code=received.code) for k, v in (params or {}).items()}
    assert_page_refused(_get(staff(getattr(world, who)), url, params))


def test_staff_forms_refuse_a_nul_and_write_nothing(world, received):
    events, audits = DossierEvent.objects.count(), AuditEvent.objects.count()
    leader = staff(world.leader)
    comment = leader.post(f"/xu-ly/ho-so/{received.code}/y-kien/", {"body": f"Ý kiến{NUL}"})
    assert "Trường “body” của biểu mẫu" in assert_page_refused(comment)
    reject = leader.post(
        f"/xu-ly/ho-so/{received.code}/thao-tac/reject/", {"version": received.version, "reason": f"x{NUL}"}
    )
    assert_page_refused(reject)
    counter = staff(world.receptionist).post(
        "/quay/tiep-nhan/",
        {"procedure": PROCEDURE_CODE, "full_name": f"Nguyễn{NUL} Văn An", "action": "receive"},
    )
    assert_page_refused(counter)
    assert Dossier.objects.count() == 1
    assert (DossierEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


@pytest.mark.parametrize(
    ("url", "params", "where", "field"),
    [
        ("/api/v1/dossiers", {"q": f"Hoa{NUL}"}, "query", "q"),
        ("/api/v1/dossiers/{code}" + NUL, None, "path", None),
        ("/api/v1/dossiers/{code}" + NUL + "/steps", None, "path", None),
        ("/api/v1/agencies", {"q": NUL}, "query", "q"),
    ],
)
def test_staff_api_reads_refuse_a_nul(world, received, url, params, where, field):
    assert_api_refused(_get(bearer(world.leader), url.format(code=received.code), params), where, field)


def test_api_writes_refuse_a_nul_in_json_and_write_nothing(world, received):
    client, leader = bearer(world.receptionist), bearer(world.leader)
    audits = AuditEvent.objects.count()
    body = {
        "procedure": PROCEDURE_CODE,
        "receiving_agency": "000.01.31.H99",
        "channel": 1,
        "result_delivery": "counter",
        "applicant": {"kind": "person", "full_name": f"Nguyễn Văn An{NUL}", "citizen_id": "001090012345"},
        "documents": [{"requirement": "TP01", "copy_kind": "original", "count": 1}],
    }
    created = client.post("/api/v1/dossiers", body, content_type="application/json")
    assert_api_refused(created, "json", "applicant.full_name")
    action = leader.post(
        f"/api/v1/dossiers/{received.code}/actions/reject",
        {"version": received.version, "reason": f"Không{NUL}"},
        content_type="application/json",
    )
    assert_api_refused(action, "json", "reason")
    assert Dossier.objects.count() == 1 and AuditEvent.objects.count() == audits


def test_an_upload_refuses_a_nul_in_a_form_field(world, received):
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(png, format="PNG")
    png.name = "scan.png"
    response = bearer(world.receptionist).post(
        f"/api/v1/dossiers/{received.code}/files", {"requirement": f"TP01{NUL}", "file": png}
    )
    assert_api_refused(response, "form", "requirement")
    assert not DossierFile.objects.exists()


def test_a_multipart_body_without_boundary_is_refused_in_the_error_shape(world, received):
    client = bearer(world.receptionist)
    response = client.generic(
        "POST", f"/api/v1/dossiers/{received.code}/files", b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unreadable_body"
    assert "thiếu hoặc sai ranh giới (boundary)" in body["message"]
    page = staff(world.receptionist).generic(
        "POST", "/quay/tiep-nhan/", b"--x\r\n", content_type="multipart/form-data"
    )
    assert page.status_code == 400
    assert "Không đọc được dữ liệu gửi lên" in page.content.decode()


def test_ordinary_requests_pass(world, received):
    assert anonymous().get("/thu-tuc/", {"q": "khai sinh"}).status_code == 200
    assert staff(world.leader).get(f"/xu-ly/ho-so/{received.code}/").status_code == 200
    assert bearer(world.leader).get(f"/api/v1/dossiers/{received.code}").status_code == 200
