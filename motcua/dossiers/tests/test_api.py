"""The dossier API (/api/v1/): authentication, intake with idempotency, files, actions, reads.

Every answer is checked for its status and its body; errors have the shape
``{"code", "message", "details"}`` with a Vietnamese message, and a refused request changes nothing.
"""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import api_token_create, api_token_revoke
from motcua.audit.models import AuditEvent
from motcua.catalog import services as catalog_services
from motcua.catalog.tests.factories import make_procedure
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.tests.api_data import (
    APPLICANT_NAME,
    CITIZEN_ID,
    MONDAY_9AM,
    PROCEDURE_CODE,
    api_body,
    build_world,
    receive,
)
from motcua.org.testing import make_staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RECEIVED_AT = "2026-03-02T02:00:00Z"
DUE_AT = "2026-03-09T02:00:00Z"  # 5 working days after Monday 09:00 (Hà Nội)


@pytest.fixture
def world():
    return build_world()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        yield traveller


def bearer(user, client=None) -> Client:
    """A client that authenticates with a fresh token of ``user``."""
    raw = api_token_create(user=user, name="thử nghiệm")
    return client or Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post_json(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **headers)


def assert_error(response, status, code, message=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert isinstance(body["details"], dict)
    if message is not None:
        assert body["message"] == message
    return body


# -- authentication ---------------------------------------------------------------------------

STAFF_ENDPOINTS = [
    ("get", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers/000.01.31.H99-260302-0001"),
    ("get", "/api/v1/dossiers/000.01.31.H99-260302-0001/steps"),
    ("post", "/api/v1/dossiers"),
    ("post", "/api/v1/dossiers/000.01.31.H99-260302-0001/files"),
    ("post", "/api/v1/dossiers/000.01.31.H99-260302-0001/actions/approve"),
]


@pytest.mark.parametrize(("method", "url"), STAFF_ENDPOINTS)
def test_without_credentials_every_staff_endpoint_answers_401(client, method, url):
    response = getattr(client, method)(url)
    assert_error(response, 401, "unauthenticated", "Cần đăng nhập.")


@pytest.mark.parametrize(
    "header",
    ["Bearer khong-phai-khoa", "Bearer ", "Token abc", "Basic bGVfdGFuOm1hdGtoYXU="],
)
def test_a_wrong_or_malformed_authorization_header_answers_401(world, header):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/dossiers")
    assert_error(response, 401, "unauthenticated")


def test_a_bearer_token_authenticates_and_records_its_last_use(world, frozen):
    raw = api_token_create(user=world.leader)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/dossiers", {"scope": "agency"})
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0, "page": 1, "pages": 1}
    assert ApiToken.objects.get(user=world.leader).last_used_at == MONDAY_9AM


def test_a_revoked_token_answers_401(world):
    raw = api_token_create(user=world.leader)
    api_token_revoke(token=ApiToken.objects.get(user=world.leader))
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/dossiers")
    assert_error(response, 401, "unauthenticated")


def test_the_token_of_a_deactivated_account_answers_401(world):
    raw = api_token_create(user=world.leader)
    User.objects.filter(pk=world.leader.pk).update(is_active=False)
    assert_error(Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/dossiers"), 401, "unauthenticated")


def test_the_pages_session_authenticates_a_signed_in_officer(client, world, frozen):
    client.force_login(world.receptionist)
    response = post_json(client, "/api/v1/dossiers", api_body(world))
    assert response.status_code == 201


def test_a_session_write_needs_the_csrf_token_but_a_bearer_write_does_not(world, frozen):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.receptionist)
    assert_error(post_json(browser, "/api/v1/dossiers", api_body(world)), 403, "error")
    assert not Dossier.objects.exists()

    raw = api_token_create(user=world.receptionist)
    script = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert post_json(script, "/api/v1/dossiers", api_body(world)).status_code == 201


def test_the_openapi_document_lists_the_dossier_operations_and_the_bearer_scheme(client):
    doc = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/steps",
        "/api/v1/dossiers/{code}/files",
        "/api/v1/dossiers/{code}/actions/{action}",
        "/api/v1/tracking/{code}",
    ):
        assert path in doc["paths"]
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "security" not in doc["paths"]["/api/v1/tracking/{code}"]["get"]


# -- intake -----------------------------------------------------------------------------------


def test_posting_a_dossier_receives_it_and_answers_its_code_pin_status_and_dates(world, frozen):
    response = post_json(bearer(world.receptionist), "/api/v1/dossiers", api_body(world))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"code", "pin", "status_code", "received_at", "due_at"}
    assert body["code"] == "000.01.31.H99-260302-0001"
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", body["pin"])
    assert (body["status_code"], body["received_at"], body["due_at"]) == (2, RECEIVED_AT, DUE_AT)
    d = Dossier.objects.get(code=body["code"])
    assert (d.applicant_name, d.citizen_id, d.date_of_birth.isoformat()) == (
        APPLICANT_NAME,
        CITIZEN_ID,
        "1990-05-17",
    )
    assert (d.phone, d.email, d.channel, d.result_delivery) == (
        "0912345678",
        "an.nguyen@example.vn",
        1,
        "counter",
    )
    assert [(x.requirement_code, x.copy_kind, x.count) for x in d.documents.all()] == [
        ("TP01", "original", 1)
    ]
    assert d.created_by == world.receptionist


def test_an_organisation_applies_with_name_tax_code_and_representative(world, frozen):
    body = api_body(
        world,
        applicant={
            "kind": "organisation",
            "name": "Công ty TNHH Ánh Dương",
            "tax_code": "0101234567",
            "representative": "Trần Thị Bình",
            "phone": "0243 856 1234",
            "email": "",
            "address": "Số 1 phố Huế",
        },
    )
    response = post_json(bearer(world.receptionist), "/api/v1/dossiers", body)
    assert response.status_code == 201
    d = Dossier.objects.get(code=response.json()["code"])
    assert (d.applicant_kind, d.applicant_name, d.tax_code, d.representative) == (
        "organisation",
        "Công ty TNHH Ánh Dương",
        "0101234567",
        "Trần Thị Bình",
    )


def test_an_organisation_without_tax_code_or_representative_is_refused_as_at_the_counter(world, frozen):
    client = bearer(world.receptionist)
    organisation = {"kind": "organisation", "name": "Công ty TNHH Ánh Dương"}
    no_tax_code = post_json(
        client,
        "/api/v1/dossiers",
        api_body(world, applicant={**organisation, "representative": "Trần Thị Bình"}),
    )
    assert no_tax_code.status_code == 400
    assert no_tax_code.json()["code"] == "required"
    assert no_tax_code.json()["message"] == "Nhập mã số thuế của tổ chức."
    assert no_tax_code.json()["details"]["field"] == "applicant.tax_code"
    no_representative = post_json(
        client, "/api/v1/dossiers", api_body(world, applicant={**organisation, "tax_code": "0101234567"})
    )
    assert no_representative.status_code == 400
    assert no_representative.json()["message"] == "Nhập họ tên người đại diện."
    assert no_representative.json()["details"]["field"] == "applicant.representative"
    assert not Dossier.objects.exists()


def test_a_retry_with_the_same_idempotency_key_returns_the_same_dossier(world, frozen):
    client = bearer(world.receptionist)
    first = post_json(client, "/api/v1/dossiers", api_body(world), HTTP_IDEMPOTENCY_KEY="kiosk-1-0001")
    frozen.shift(timedelta(minutes=1))
    retry = post_json(client, "/api/v1/dossiers", api_body(world), HTTP_IDEMPOTENCY_KEY="kiosk-1-0001")
    assert first.status_code == 201 and retry.status_code in (200, 201)
    assert retry.json() == first.json()
    assert Dossier.objects.count() == 1
    other = post_json(client, "/api/v1/dossiers", api_body(world), HTTP_IDEMPOTENCY_KEY="kiosk-1-0002")
    assert other.json()["code"] == "000.01.31.H99-260302-0002"
    assert Dossier.objects.count() == 2


def test_a_key_sent_again_with_another_body_is_refused_and_gives_nothing_of_the_first(world, frozen):
    client = bearer(world.receptionist)
    first = post_json(client, "/api/v1/dossiers", api_body(world), HTTP_IDEMPOTENCY_KEY="kiosk-1-0001")
    assert first.status_code == 201
    second_applicant = {
        **api_body(world)["applicant"],
        "full_name": "Trần Thị Bích",
        "citizen_id": "001190054321",
    }
    reused = post_json(
        client,
        "/api/v1/dossiers",
        api_body(world, applicant=second_applicant),
        HTTP_IDEMPOTENCY_KEY="kiosk-1-0001",
    )
    body = assert_error(reused, 422, "idempotency_key_reused")
    assert first.json()["pin"] not in reused.content.decode()
    assert "khóa mới" in body["message"]
    assert Dossier.objects.count() == 1
    assert Dossier.objects.get().applicant_name == APPLICANT_NAME


def test_without_a_key_two_posts_make_two_dossiers(world, frozen):
    client = bearer(world.receptionist)
    codes = {post_json(client, "/api/v1/dossiers", api_body(world)).json()["code"] for _ in range(2)}
    assert codes == {"000.01.31.H99-260302-0001", "000.01.31.H99-260302-0002"}


def test_the_same_key_from_another_officer_is_another_dossier(world, frozen):
    colleague = make_staff("le_tan_2", world.tree.one_stop_a, "receptionist", full_name="Lê Văn Hai")
    a = post_json(bearer(world.receptionist), "/api/v1/dossiers", api_body(world), HTTP_IDEMPOTENCY_KEY="k-1")
    b = post_json(bearer(colleague), "/api/v1/dossiers", api_body(world), HTTP_IDEMPOTENCY_KEY="k-1")
    assert a.json()["code"] != b.json()["code"]
    assert Dossier.objects.count() == 2


def _offered_elsewhere(world):
    other = make_procedure("9.000202", "Thủ tục cấp bản sao trích lục hộ tịch")
    catalog_services.offering_create(agency=world.tree.commune_b, procedure=other, actor=None)


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            {"applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "citizen_id": "12345"}},
            "citizen_id_invalid",
            "Số định danh cá nhân “12345” không hợp lệ: phải gồm đúng 12 chữ số.",
        ),
        (
            {"applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "citizen_id": "999090012345"}},
            "citizen_id_invalid",
            None,
        ),
        (
            {"procedure": "9.999999"},
            "procedure_not_found",
            "Không tìm thấy thủ tục hành chính mã “9.999999”.",
        ),
        ({"procedure": "9.000202"}, "procedure_not_offered", None),
        (
            {"documents": [{"requirement": "TP99", "copy_kind": "original", "count": 1}]},
            "document_unknown",
            None,
        ),
        ({"documents": []}, "documents_missing", None),
        ({"receiving_agency": "000.99.99.H99"}, "agency_not_found", None),
        ({"channel": 4}, "invalid_input", None),
        ({"result_delivery": "fax"}, "invalid_input", None),
        ({"applicant": {"kind": "robot", "name": "R2"}}, "invalid_input", None),
        ({"applicant": None}, "invalid_input", None),
        (
            {"documents": [{"requirement": "TP01", "copy_kind": "original", "count": 0}]},
            "invalid_input",
            None,
        ),
    ],
)
def test_bad_intake_answers_400_in_vietnamese_and_creates_nothing(world, frozen, change, code, message):
    _offered_elsewhere(world)
    client = bearer(world.receptionist)
    events_before = AuditEvent.objects.count()
    response = post_json(client, "/api/v1/dossiers", api_body(world, **change))
    body = assert_error(response, 400, code, message)
    assert re.search(r"[àáảãạăâđèéêìíòóôơùúưỳý]", body["message"], re.IGNORECASE), body["message"]
    assert not Dossier.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_an_officer_of_another_commune_may_not_receive_here(world, frozen):
    response = post_json(bearer(world.outsider), "/api/v1/dossiers", api_body(world))
    assert_error(response, 403, "outside_jurisdiction")
    assert not Dossier.objects.exists()


def test_an_overlong_idempotency_key_is_bad_input(world, frozen):
    response = post_json(
        bearer(world.receptionist), "/api/v1/dossiers", api_body(world), HTTP_IDEMPOTENCY_KEY="k" * 101
    )
    assert_error(response, 400, "invalid_input")
    assert not Dossier.objects.exists()


# -- files ------------------------------------------------------------------------------------


@pytest.fixture
def received(world, frozen):
    return receive(world)


def upload(client, code, data, name="to-khai.pdf", requirement="TP01", content_type="application/pdf"):
    return client.post(
        f"/api/v1/dossiers/{code}/files",
        {"requirement": requirement, "file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_a_pdf_is_attached_to_its_document_and_described(world, received):
    response = upload(bearer(world.receptionist), received.code, PDF)
    assert response.status_code == 201
    body = response.json()
    stored = DossierFile.objects.get()
    assert body == {
        "id": stored.pk,
        "requirement": "TP01",
        "document": "Tờ khai đăng ký khai sinh theo mẫu",
        "original_name": "to-khai.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "uploaded_at": RECEIVED_AT,
    }
    assert stored.file.read() == PDF


def test_a_file_that_is_not_a_pdf_or_an_image_is_refused_whatever_its_name(world, received):
    response = upload(bearer(world.receptionist), received.code, b"MZ\x90\x00 not a pdf", name="giay-to.pdf")
    assert_error(response, 400, "file_type", "Tệp “giay-to.pdf” không phải PDF, JPEG hoặc PNG.")
    assert not DossierFile.objects.exists()


def test_a_file_over_the_limit_is_refused(world, received, settings):
    settings.DOSSIER_FILE_MAX_BYTES = 1024
    response = upload(bearer(world.receptionist), received.code, PDF + b"0" * 2000)
    body = assert_error(response, 400, "file_too_large")
    assert "lớn hơn" in body["message"]
    assert not DossierFile.objects.exists()


def test_a_png_whose_header_claims_30000_by_30000_pixels_is_refused(world, received):
    from motcua.dossiers.tests.test_files import png_claiming

    response = upload(
        bearer(world.receptionist),
        received.code,
        png_claiming(30000, 30000),
        name="bom.png",
        content_type="image/png",
    )
    body = assert_error(response, 400, "image_too_large")
    assert body["message"].startswith("Ảnh “bom.png” có kích thước quá lớn")
    assert not DossierFile.objects.exists()


def test_a_file_for_an_unknown_requirement_is_refused(world, received):
    response = upload(bearer(world.receptionist), received.code, PDF, requirement="TP77")
    assert_error(response, 400, "document_unknown")


def test_a_file_without_its_parts_is_bad_input(world, received):
    response = bearer(world.receptionist).post(
        f"/api/v1/dossiers/{received.code}/files", {"requirement": "TP01"}
    )
    assert_error(response, 400, "invalid_input")


def test_files_outside_the_jurisdiction_or_for_an_unknown_dossier(world, received):
    assert_error(upload(bearer(world.outsider), received.code, PDF), 404, "dossier_not_found")
    assert_error(
        upload(bearer(world.receptionist), "000.01.31.H99-260302-9999", PDF), 404, "dossier_not_found"
    )
    assert not DossierFile.objects.exists()


# -- actions ----------------------------------------------------------------------------------


def act(client, code, action, **body):
    return post_json(client, f"/api/v1/dossiers/{code}/actions/{action}", body)


def test_an_action_answers_the_dossier_summary_with_its_new_version(world, received, frozen):
    frozen.shift(timedelta(hours=1))
    response = act(bearer(world.leader), received.code, "approve", version=received.version, note="Đồng ý")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["state"], body["status_code"]) == (received.code, "approved", 4)
    assert body["version"] == received.version + 1
    assert body["state_name"] == "Đã phê duyệt, chờ hoàn thành kết quả"
    assert body["procedure"] == {"code": PROCEDURE_CODE, "name": "Thủ tục đăng ký khai sinh"}
    assert body["due_at"] == DUE_AT
    assert "citizen_id" not in body


def test_the_whole_life_through_the_api_ends_returned_and_trackable(world, received, frozen, client):
    leader, counter = bearer(world.leader), bearer(world.receptionist)
    version = received.version
    for client_, action, extra in (
        (leader, "assign", {"officer": world.specialist.username}),
        (
            bearer(world.specialist),
            "request-supplement",
            {"items": [{"name": "Giấy chứng sinh", "reason": "Mờ"}]},
        ),
        (counter, "receive-supplement", {"note": "Đã nhận bản chính"}),
        (leader, "approve", {}),
        (leader, "finish", {}),
        (counter, "return-result", {"collected_by": "Nguyễn Văn An"}),
    ):
        frozen.shift(timedelta(hours=2))
        response = act(client_, received.code, action, version=version, **extra)
        assert response.status_code == 200, (action, response.json())
        version = response.json()["version"]
    final = response.json()
    assert (final["state"], final["status_code"]) == ("returned", 10)
    tracked = client.get(f"/api/v1/tracking/{received.code}", {"pin": received.pin}).json()
    assert [h["status_code"] for h in tracked["history"]] == [2, 4, 5, 4, 9, 10]


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, received):
    response = act(bearer(world.leader), received.code, "approve", version=received.version + 5)
    body = assert_error(response, 409, "stale")
    assert "tải lại" in body["message"]
    received.refresh_from_db()
    assert (received.state, received.version) == ("received", 1)


def test_an_action_in_the_wrong_state_is_a_conflict(world, received):
    response = act(bearer(world.receptionist), received.code, "return-result", version=received.version)
    body = assert_error(response, 409, "wrong_state")
    assert "Đã tiếp nhận, chờ xử lý" in body["message"]
    received.refresh_from_db()
    assert received.state == "received"


def test_an_action_outside_the_jurisdiction_is_not_found(world, received):
    response = act(bearer(world.outsider), received.code, "approve", version=received.version)
    assert_error(response, 404, "dossier_not_found")
    received.refresh_from_db()
    assert received.state == "received"


def test_an_action_outside_the_jurisdiction_answers_as_an_unknown_code_and_the_attempt_is_audited(
    world, received
):
    outsider = bearer(world.outsider)
    outside = act(outsider, received.code.lower(), "approve", version=received.version, note="x")
    unknown = act(outsider, "000.01.31.H99-260302-9999", "approve", version=1, note="x")
    assert outside.status_code == unknown.status_code == 404
    assert outside.json()["details"] == {"code": received.code}
    assert {k: v for k, v in outside.json().items() if k != "details"} == {
        k: v for k, v in unknown.json().items() if k != "details"
    }
    # Bad input does not tell a code outside the jurisdiction from an unknown one either.
    no_officer = act(outsider, received.code, "assign", version=1, officer="khong_co_ai")
    assert_error(no_officer, 404, "dossier_not_found")
    refused = AuditEvent.objects.filter(action="personal_data.refused")
    assert [(e.actor, e.object_id, e.chain, e.extra["code"]) for e in refused] == [
        (world.outsider, str(received.pk), received.holder_agency.code, received.code)
    ] * 2
    assert not AuditEvent.objects.filter(action__in=["personal_data.view", "dossier.approve"]).exists()


def test_an_action_is_audited_as_the_action_not_as_a_view_of_personal_data(world, received, frozen):
    frozen.shift(timedelta(hours=1))
    response = act(bearer(world.leader), received.code, "approve", version=received.version, note="Đồng ý")
    assert response.status_code == 200, response.json()
    approved = AuditEvent.objects.filter(action="dossier.approve").get()
    assert (approved.actor, approved.object_id, approved.extra["code"]) == (
        world.leader,
        str(received.pk),
        received.code,
    )
    assert not AuditEvent.objects.filter(action__startswith="personal_data.").exists()
    # The page or the API's detail of the dossier still logs the view.
    assert bearer(world.leader).get(f"/api/v1/dossiers/{received.code}").status_code == 200
    assert AuditEvent.objects.filter(action="personal_data.view", actor=world.leader).count() == 1


def test_a_supervisor_sees_the_dossier_but_an_action_is_refused_as_read_only(world, received):
    response = act(bearer(world.people.supervisor), received.code, "approve", version=received.version)
    assert_error(response, 403, "read_only")
    assert not AuditEvent.objects.filter(action__startswith="personal_data.").exists()
    received.refresh_from_db()
    assert (received.state, received.version) == ("received", 1)


def test_an_unknown_action_is_not_found(world, received):
    response = act(bearer(world.leader), received.code, "phe-duyet-nhanh", version=1)
    assert_error(response, 404, "not_found", "Không có thao tác “phe-duyet-nhanh”.")


def test_an_action_without_what_it_needs_is_bad_input(world, received):
    no_reason = act(bearer(world.leader), received.code, "reject", version=received.version)
    assert_error(no_reason, 400, "invalid_input", "Nhập lý do.")
    no_items = act(bearer(world.specialist), received.code, "request-supplement", version=received.version)
    assert_error(no_items, 400, "invalid_input", "Nêu ít nhất một giấy tờ cần bổ sung và lý do.")
    no_version = act(bearer(world.leader), received.code, "approve")
    assert_error(no_version, 400, "invalid_input")
    unknown_officer = act(bearer(world.leader), received.code, "assign", version=1, officer="khong_co_ai")
    assert_error(unknown_officer, 400, "invalid_input", "Không có cán bộ “khong_co_ai”.")
    received.refresh_from_db()
    assert (received.state, received.version, received.holder) == ("received", 1, None)


def test_an_extension_takes_its_new_appointment(world, received, frozen):
    new_due = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    response = act(
        bearer(world.leader),
        received.code,
        "extend",
        version=received.version,
        reason="Cần xác minh thêm tại nơi cư trú",
        new_due_at=new_due.isoformat(),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["due_at"] == "2026-03-12T09:00:00Z"
    assert response.json()["extension_count"] == 1


@pytest.mark.parametrize("new_due_at", ["9999-12-31T23:59:59Z", "2026-03-16T10:01:00Z"])
def test_an_extension_past_one_more_processing_time_is_refused(world, received, frozen, new_due_at):
    # Due Monday 9 March 09:00; 5 more working days end on Monday 16 March: 17:00 at the latest.
    response = act(
        bearer(world.leader),
        received.code,
        "extend",
        version=received.version,
        reason="Cần xác minh thêm tại nơi cư trú",
        new_due_at=new_due_at,
    )
    body = assert_error(response, 400, "extension_too_long")
    assert body["message"].startswith("Ngày hẹn trả mới muộn nhất là 17:00 16/03/2026")
    assert body["details"] == {"field": "new_due_at", "latest": "2026-03-16T17:00:00+07:00"}
    received.refresh_from_db()
    assert (received.version, received.extension_count, received.due_at) == (1, 0, received.original_due_at)


@pytest.mark.parametrize("action", ["request-payment", "record-payment"])
def test_no_payment_is_asked_or_recorded_by_a_free_amount(world, received, action):
    """Fees go through the payments API (/dossiers/{code}/payment/…): what is due, for what, by
    when, how it was paid, its receipt. The generic actions take none, whatever amount is sent."""
    d = services.dossier_assign(
        actor=world.leader, dossier=received, expected_version=received.version, officer=world.specialist
    )
    response = act(bearer(world.specialist), d.code, action, version=d.version, amount_vnd=10**20)
    body = assert_error(response, 404, "not_found")
    assert "/api/v1/dossiers/{code}/payment/" in body["message"]
    d.refresh_from_db()
    assert (d.state, d.fee_due_vnd, d.version) == ("processing", None, 2)


def test_a_time_without_offset_is_read_as_ha_noi_time(world, received, frozen):
    response = act(
        bearer(world.leader),
        received.code,
        "extend",
        version=received.version,
        reason="Cần xác minh thêm",
        new_due_at="2026-03-12T16:00:00",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["due_at"] == "2026-03-12T09:00:00Z"


# -- reads ------------------------------------------------------------------------------------


def test_the_detail_shows_the_applicant_documents_and_the_actions_and_logs_the_view(world, received):
    before = AuditEvent.objects.filter(action="personal_data.view").count()
    response = bearer(world.leader).get(f"/api/v1/dossiers/{received.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["applicant"] == {
        "kind": "person",
        "name": APPLICANT_NAME,
        "citizen_id": CITIZEN_ID,
        "date_of_birth": None,
        "tax_code": "",
        "representative": "",
        "phone": "0912345678",
        "email": "an.nguyen@example.vn",
        "address": "Thôn Đông, xã An Bình",
    }
    assert body["documents"] == [
        {
            "requirement": "TP01",
            "name": "Tờ khai đăng ký khai sinh theo mẫu",
            "copy_kind": "original",
            "count": 1,
            "digitised": False,
            "files": [],
        }
    ]
    assert "approve" in body["available_actions"] and "return-result" not in body["available_actions"]
    assert body["holder_agency"] == {"code": world.tree.commune_a.code, "name": world.tree.commune_a.name}
    views = AuditEvent.objects.filter(action="personal_data.view")
    assert views.count() == before + 1
    assert views.latest("pk").actor == world.leader


def test_the_detail_outside_the_jurisdiction_is_404_like_an_unknown_code_and_the_attempt_audited(
    world, received
):
    # A 403 here told any staff account which codes exist: the answer is that of an unknown code.
    outsider = bearer(world.outsider)
    outside = outsider.get(f"/api/v1/dossiers/{received.code}")
    body = assert_error(outside, 404, "dossier_not_found", "Không tìm thấy hồ sơ.")
    assert body["details"] == {"code": received.code}
    unknown = assert_error(
        outsider.get("/api/v1/dossiers/000.01.31.H99-260302-9999"),
        404,
        "dossier_not_found",
        "Không tìm thấy hồ sơ.",
    )
    assert unknown["details"] == {"code": "000.01.31.H99-260302-9999"}
    assert_error(outsider.get(f"/api/v1/dossiers/{received.code}/steps"), 404, "dossier_not_found")
    refused = AuditEvent.objects.filter(action="personal_data.refused")
    assert refused.count() == 2
    assert {(e.actor, e.object_id, e.chain, e.extra["code"]) for e in refused} == {
        (world.outsider, str(received.pk), received.holder_agency.code, received.code)
    }
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    citizen = User.objects.create_user("cong_dan", kind=User.Kind.CITIZEN, full_name="Trần Thị Dân")
    assert_error(
        bearer(citizen).get(f"/api/v1/dossiers/{received.code}"), 404, "not_found", "Không tìm thấy hồ sơ."
    )
    assert_error(bearer(citizen).get(f"/api/v1/dossiers/{received.code}/steps"), 404, "not_found")


def test_the_steps_are_the_control_slip_rows(world, received, frozen):
    frozen.shift(timedelta(hours=3))
    act(bearer(world.leader), received.code, "assign", version=1, officer=world.specialist.username)
    response = bearer(world.leader).get(f"/api/v1/dossiers/{received.code}/steps")
    assert response.status_code == 200
    rows = response.json()
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    first = rows[0]
    assert first["agency"] == {"code": world.tree.commune_a.code, "name": world.tree.commune_a.name}
    assert first["started_at"] == RECEIVED_AT
    assert set(first) == {
        "seq", "kind", "name", "agency", "role", "giver", "receiver", "started_at", "due_at",
        "finished_at", "timeliness", "ended_by", "note",
    }  # fmt: skip
    assert any(r["receiver"] == {"username": "chuyen_vien_xa", "full_name": "Hoàng Thị Thảo"} for r in rows)


def test_the_list_filters_like_the_inbox_and_pages_by_twenty(world, frozen):
    dossiers = [receive(world, name=f"Người nộp {n:02d}") for n in range(23)]
    client = bearer(world.leader)
    first = client.get("/api/v1/dossiers", {"scope": "agency"}).json()
    assert (first["count"], first["page"], first["pages"], len(first["items"])) == (23, 1, 2, 20)
    second = client.get("/api/v1/dossiers", {"scope": "agency", "page": 2}).json()
    assert {i["code"] for i in first["items"]} | {i["code"] for i in second["items"]} == {
        d.code for d in dossiers
    }
    found = client.get("/api/v1/dossiers", {"scope": "agency", "q": "Người nộp 07"}).json()
    assert [i["code"] for i in found["items"]] == [dossiers[7].code]
    by_agency = client.get(
        "/api/v1/dossiers", {"scope": "agency", "agency": world.tree.commune_a.code}
    ).json()
    assert by_agency["count"] == 23
    assert client.get("/api/v1/dossiers", {"scope": "agency", "bucket": "late"}).json()["count"] == 0
    assert bearer(world.outsider).get("/api/v1/dossiers", {"scope": "agency"}).json()["count"] == 0
    mine = client.get("/api/v1/dossiers").json()
    assert mine["count"] == 23  # none assigned yet: each waits for the leader to assign it
    assert client.get("/api/v1/dossiers", {"bucket": "to_assign"}).json()["count"] == 23
    assert bearer(world.specialist).get("/api/v1/dossiers").json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"bucket": "tat-ca"}, 400, "invalid_input"),
        ({"sort": "ten"}, 400, "invalid_input"),
        ({"scope": "tinh"}, 400, "invalid_input"),
        ({"page": "hai"}, 400, "invalid_input"),
        ({"page": "3"}, 400, "invalid_input"),
        ({"scope": "agency", "agency": "000.99.99.H99"}, 404, "agency_not_found"),
        ({"scope": "agency", "agency": "000.00.32.H99"}, 403, "outside_jurisdiction"),
    ],
)
def test_bad_list_parameters_answer_the_error_shape(world, params, status, code):
    assert_error(bearer(world.leader).get("/api/v1/dossiers", params), status, code)


def test_a_citizen_has_no_inbox(world):
    citizen = User.objects.create_user("cong_dan", kind=User.Kind.CITIZEN)
    assert_error(bearer(citizen).get("/api/v1/dossiers"), 404, "not_found")
