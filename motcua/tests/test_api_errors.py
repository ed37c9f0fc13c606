"""Every answer of the API that is an error has the shape ``{"code", "message", "details"}`` with a
Vietnamese message, including what ninja and Django answer before any operation runs: a body
that is not JSON, a body over the size limit, a path no operation serves, a method the path does
not serve, input that does not match the schema, a missing CSRF token, a server error."""

import re

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert VIETNAMESE.search(body["message"]), body["message"]
    assert isinstance(body["details"], dict)
    return body


@pytest.fixture
def user():
    # Any signed-in account: these requests fail before an operation looks at who is asking.
    return User.objects.create_user("cong_dan", kind=User.Kind.CITIZEN)


@pytest.fixture
def api_client(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='thử nghiệm')}")


def post_body(client, url, body, content_type="application/json", **extra):
    return client.generic("POST", url, body, content_type=content_type, **extra)


# -- the body ---------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"{", b'{"procedure": "1.000001",}', b"procedure=1", "{“a”: 1}".encode()])
def test_a_body_that_is_not_json_is_400_invalid_json(api_client, body):
    # Before: 400 {"code": "error", "message": "Cannot parse request body"}.
    response = post_body(api_client, "/api/v1/dossiers", body)
    assert_error(response, 400, "invalid_json")


def test_a_body_that_is_not_utf8_is_400_invalid_json(api_client):
    assert_error(post_body(api_client, "/api/v1/dossiers", b'{"a": "\xff"}'), 400, "invalid_json")


@pytest.mark.parametrize("body", [b"[1, 2]", '"chuỗi"'.encode(), b"42", b"null"])
def test_a_json_body_that_is_not_an_object_is_400_invalid_json(api_client, body):
    # Before: 400 invalid_input listing every field of the schema as missing.
    body = assert_error(post_body(api_client, "/api/v1/dossiers", body), 400, "invalid_json")
    assert "đối tượng JSON" in body["message"]


def test_a_json_body_over_the_limit_is_413(api_client, settings):
    # Before: Django's HTML 400 page.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_body(api_client, "/api/v1/dossiers", b'{"procedure": "' + b"x" * 2000 + b'"}')
    body = assert_error(response, 413, "body_too_large")
    assert body["details"] == {"limit_bytes": 1000}
    assert "1000" in body["message"].replace(".", "")


def test_form_fields_over_the_limit_are_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post(
        "/api/v1/dossiers/000.01.31.H99-260302-0001/files", {"requirement": "x" * 2000}
    )
    assert_error(response, 413, "body_too_large")


def test_a_session_post_over_the_limit_is_413(client, user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(user)
    response = client.post("/api/v1/dossiers/000.01.31.H99-260302-0001/files", {"requirement": "x" * 2000})
    assert_error(response, 413, "body_too_large")


def test_a_multipart_body_without_boundary_is_400(api_client):
    # Before: an unhandled MultiPartParserError, a 500. RequestGuardMiddleware answers it now;
    # motcua/api.py answers the same should one reach an operation.
    response = post_body(
        api_client,
        "/api/v1/dossiers/000.01.31.H99-260302-0001/files",
        b"xx",
        content_type="multipart/form-data",
    )
    assert_error(response, 400, "unreadable_body")


# -- the route and the method -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/khong-co",
        "/api/v1/dossiers/000.01.31.H99-260302-0001/khong-co",
        "/api/v1/dossiers/",  # operations have no trailing slash
        "/api/v1/",
        "/api/v2/dossiers",
        "/api/",
        "/api/v1/openapi.json/x",
    ],
)
def test_a_path_under_api_that_no_operation_serves_is_404_json(api_client, path):
    # Before: Django's HTML 404 page.
    body = assert_error(api_client.get(path), 404, "not_found")
    assert body["details"] == {"path": path}


def test_an_unknown_path_is_404_for_a_session_post_without_csrf_token_too(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert_error(browser.post("/api/v2/dossiers", {}), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/dossiers", "GET, POST"),
        ("put", "/api/v1/dossiers/000.01.31.H99-260302-0001", "GET"),
        ("get", "/api/v1/dossiers/000.01.31.H99-260302-0001/actions/approve", "POST"),
        ("post", "/api/v1/agencies", "GET"),
        ("patch", "/api/v1/procedures/1.000001", "GET"),
        ("post", "/api/v1/tracking/000.01.31.H99-260302-0001", "GET"),
        ("delete", "/api/v1/calendar/appointment", "GET"),
    ],
)
def test_a_method_the_path_does_not_serve_is_405_with_allow(api_client, method, path, allowed):
    # Before: 405 with the text "Method not allowed".
    response = getattr(api_client, method)(path)
    body = assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == allowed
    assert body["details"] == {"method": method.upper(), "allowed": allowed.split(", ")}


# -- validation -------------------------------------------------------------------------------


def test_schema_errors_are_400_naming_each_field_in_vietnamese(api_client):
    response = api_client.post(
        "/api/v1/dossiers",
        {
            "procedure": "1.000001",
            "channel": 4,
            "result_delivery": "fax",
            "applicant": {"kind": "person"},
            "documents": [{"requirement": "TP01", "count": 0}],
        },
        content_type="application/json",
    )
    body = assert_error(response, 400, "invalid_input")
    assert body["details"]["fields"] == {
        "receiving_agency": "là bắt buộc",
        "channel": "phải là một trong 1, 2, 3",
        "result_delivery": "phải là một trong counter, post, online",
        "applicant.person.full_name": "là bắt buộc",
        "documents.0.count": "phải lớn hơn hoặc bằng 1",
    }
    for name in body["details"]["fields"]:
        assert name in body["message"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"version": "một"}, "version", "phải là một số nguyên"),
        ({"version": 0}, "version", "phải lớn hơn hoặc bằng 1"),
        ({"version": 1, "reason": "x" * 5001}, "reason", "dài quá 5000 ký tự"),
        ({"version": 1, "new_due_at": "mai"}, "new_due_at", "phải là một thời điểm ISO 8601"),
        ({"version": 1, "items": "giấy tờ"}, "items", "phải là một danh sách"),
        ({"version": 1, "officer": 12}, "officer", "phải là một chuỗi ký tự"),
    ],
)
def test_each_kind_of_schema_error_has_a_vietnamese_message(api_client, body, field, message):
    response = api_client.post(
        "/api/v1/dossiers/000.01.31.H99-260302-0001/actions/approve", body, content_type="application/json"
    )
    fields = assert_error(response, 400, "invalid_input")["details"]["fields"]
    assert fields[field].startswith(message), fields


def test_a_bad_applicant_kind_names_the_kinds(api_client):
    response = api_client.post(
        "/api/v1/dossiers",
        {"procedure": "1", "receiving_agency": "1", "applicant": {"kind": "robot", "name": "R2"}},
        content_type="application/json",
    )
    fields = assert_error(response, 400, "invalid_input")["details"]["fields"]
    assert fields == {"applicant": "loại “robot” không hợp lệ: dùng một trong person, organisation"}


# -- CSRF, server errors ----------------------------------------------------------------------


def test_a_session_post_without_the_csrf_token_answers_the_shape_in_vietnamese(user):
    # Before: 403 {"code": "error", "message": "CSRF check Failed"}. The code stays "error".
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post("/api/v1/dossiers", {}, content_type="application/json")
    body = assert_error(response, 403, "error")
    assert "tải lại trang" in body["message"]
    assert body["details"]["reason"] == "csrf"


def test_a_server_error_under_api_is_500_json(monkeypatch):
    from motcua.org import selectors

    def broken(**kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(selectors, "agencies_list", broken)
    response = Client(raise_request_exception=False).get("/api/v1/agencies")
    body = assert_error(response, 500, "server_error")
    assert "hỏng" not in body["message"]  # nothing of the failure leaks


def test_a_permission_denied_raised_under_an_operation_is_403_json(monkeypatch):
    from django.core.exceptions import PermissionDenied

    from motcua.org import selectors

    def refuse(**kwargs):
        raise PermissionDenied

    monkeypatch.setattr(selectors, "agencies_list", refuse)
    assert_error(Client().get("/api/v1/agencies"), 403, "forbidden")


def test_ninja_throttling_answers_429_with_retry_after(monkeypatch):
    from ninja.errors import Throttled

    from motcua.org import selectors

    def throttled(**kwargs):
        raise Throttled(wait=30)

    monkeypatch.setattr(selectors, "agencies_list", throttled)
    body = assert_error(Client().get("/api/v1/agencies"), 429, "throttled")
    assert body["details"] == {"retry_after": 30}
    assert "30 giây" in body["message"]
