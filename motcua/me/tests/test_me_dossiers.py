"""/api/v1/me/dossiers with an app's token: submit with files, idempotent resubmission, list,
detail, supplement, withdraw — the same rules as the portal (the online services decide)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Profile, User
from motcua.accounts.signin_methods import NATIONAL_IDENTITY, SESSION_KEY
from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import SupplementItem
from motcua.dossiers.tests.conftest import PROCEDURE_CODE, vn
from motcua.me.models import SubmissionKey
from motcua.me.services import mobile_app_register
from motcua.me.tests.oauth_flow import REDIRECT_URI, bearer, token_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DATA = {
    "procedure": PROCEDURE_CODE,
    "receiving_agency": "000.01.31.H99",
    "result_delivery": "online",
    "documents": [{"requirement": "TP01"}, {"requirement": "TP02"}],
}


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def app(world):
    # The citizen's profile fills the applicant (no "applicant" in the data part).
    Profile.objects.update_or_create(
        user=world.citizen,
        defaults={"citizen_id": "001190012345", "address": "Thôn Đông, xã An Bình"},
    )
    return mobile_app_register(name="Dịch vụ công Tỉnh Demo", redirect_uris=[REDIRECT_URI])


def token(client, app, user, *, national_identity: bool = False) -> str:
    client.force_login(user)
    if national_identity:
        session = client.session
        session[SESSION_KEY] = NATIONAL_IDENTITY
        session.save()
    access = token_for(client, app)["access_token"]
    client.logout()
    return access


def submit(client, access: str, data: dict | None = None, key: str | None = None, **files):
    files = files or {"TP01": pdf("to-khai.pdf"), "TP02": pdf("xac-nhan.pdf")}
    headers = bearer(access) | ({"HTTP_IDEMPOTENCY_KEY": key} if key else {})
    return client.post("/api/v1/me/dossiers", {"data": json.dumps(data or DATA), **files}, **headers)


def test_a_citizen_submits_with_one_file_per_document_and_finds_it_in_my_dossiers(client, app, world, frozen):
    access = token(client, app, world.citizen)

    answer = submit(client, access)

    assert answer.status_code == 201, answer.content
    body = answer.json()
    dossier = Dossier.objects.get()
    assert body["code"] == dossier.code and dossier.code.startswith("000.01.31.H99-260302-")
    assert (body["status_code"], body["status_name"], body["channel"]) == (1, "Mới đăng ký", 2)
    assert (dossier.owner, dossier.national_identity) == (world.citizen, False)
    assert [(d["requirement"], [f["original_name"] for f in d["files"]]) for d in body["documents"]] == [
        ("TP01", ["to-khai.pdf"]),
        ("TP02", ["xac-nhan.pdf"]),
    ]
    assert body["actions"] == ["withdraw"]
    assert body["submitted_at"] == "2026-03-02T01:00:00Z"  # 08:00 in Hà Nội

    listed = client.get("/api/v1/me/dossiers", **bearer(access)).json()
    assert (listed["count"], listed["pages"], [d["code"] for d in listed["items"]]) == (1, 1, [dossier.code])
    detail = client.get(f"/api/v1/me/dossiers/{dossier.code}", **bearer(access))
    assert detail.status_code == 200
    assert [e["status_code"] for e in detail.json()["timeline"]] == [1]
    assert AuditEvent.objects.filter(action="personal_data.view", object_id=str(dossier.pk)).exists()


def test_a_dossier_submitted_through_an_app_authorised_after_a_vneid_sign_in_says_so(
    client, app, world, frozen
):
    access = token(client, app, world.citizen, national_identity=True)
    assert submit(client, access).status_code == 201
    assert Dossier.objects.get().national_identity is True


def test_sending_again_with_the_same_idempotency_key_returns_the_same_dossier(client, app, world, frozen):
    access = token(client, app, world.citizen)
    first = submit(client, access, key="lan-nop-1")
    again = submit(client, access, key="lan-nop-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == 1 and DossierFile.objects.count() == 2

    other = submit(client, access, key="lan-nop-1", TP01=pdf("khac.pdf"), TP02=pdf("xac-nhan.pdf"))
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["details"] == {"dossier": first.json()["code"]}
    assert Dossier.objects.count() == 1


def test_a_refused_submission_leaves_nothing_and_may_be_sent_again_with_its_key(client, app, world, frozen):
    access = token(client, app, world.citizen)
    missing = submit(client, access, key="k", TP01=pdf("to-khai.pdf"))

    assert missing.status_code == 400
    assert missing.json()["code"] == "document_file_missing"
    assert missing.json()["details"]["missing"] == ["TP02"]
    assert not Dossier.objects.exists() and not SubmissionKey.objects.exists()
    assert submit(client, access, key="k").status_code == 201


def test_bad_json_in_the_data_part_is_a_clear_400(client, app, world, frozen):
    access = token(client, app, world.citizen)
    answer = client.post("/api/v1/me/dossiers", {"data": "{không phải json"}, **bearer(access))
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_json"
    wrong = submit(client, access, data={**DATA, "result_delivery": "fax"})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_input"
    assert wrong.json()["details"]["fields"] == {
        "data.result_delivery": "phải là một trong counter, post, online"
    }


def test_another_citizens_dossier_is_not_found_and_not_listed(client, app, world, frozen):
    mine = submit(client, token(client, app, world.citizen)).json()["code"]
    other = User.objects.create_user(username="0987654321", full_name="Lê Văn Nam", kind=User.Kind.CITIZEN)
    access = token(client, app, other)

    answer = client.get(f"/api/v1/me/dossiers/{mine}", **bearer(access))

    assert answer.status_code == 404
    assert answer.json()["code"] == "dossier_not_found"
    assert client.get("/api/v1/me/dossiers", **bearer(access)).json()["count"] == 0
    withdraw = client.post(
        f"/api/v1/me/dossiers/{mine}/withdraw",
        {"version": 1, "reason": "Thử"},
        content_type="application/json",
        **bearer(access),
    )
    assert withdraw.status_code == 404
    assert Dossier.objects.get().state == Dossier.State.SUBMITTED


def test_withdrawing_before_reception_is_immediate_and_a_stale_version_is_409(client, app, world, frozen):
    access = token(client, app, world.citizen)
    body = submit(client, access).json()
    url = f"/api/v1/me/dossiers/{body['code']}/withdraw"

    stale = client.post(
        url,
        {"version": body["version"] + 1, "reason": "Nộp nhầm"},
        content_type="application/json",
        **bearer(access),
    )
    assert stale.status_code == 409
    done = client.post(
        url,
        {"version": body["version"], "reason": "Nộp nhầm"},
        content_type="application/json",
        **bearer(access),
    )

    assert done.status_code == 200, done.content
    assert (done.json()["status_code"], done.json()["actions"]) == (7, [])
    assert Dossier.objects.get().state == Dossier.State.WITHDRAWN


def test_a_supplement_asked_at_the_counter_is_sent_from_the_app(client, app, world, frozen):
    body = submit(client, token(client, app, world.citizen)).json()
    d = Dossier.objects.get()
    d = services.dossier_request_supplement(
        actor=world.receptionist,
        dossier=d,
        expected_version=d.version,
        items=[SupplementItem("Giấy xác nhận tình trạng hôn nhân", "Bản chụp mờ")],
    )
    frozen.move_to(vn(2026, 3, 4, 10))
    access = token(client, app, world.citizen)
    detail = client.get(f"/api/v1/me/dossiers/{body['code']}", **bearer(access)).json()
    assert detail["actions"] == ["supplement", "withdraw"]
    assert detail["supplement"]["items"] == [
        {"name": "Giấy xác nhận tình trạng hôn nhân", "reason": "Bản chụp mờ"}
    ]
    assert detail["guidance"]

    answer = client.post(
        f"/api/v1/me/dossiers/{body['code']}/supplement",
        {"data": json.dumps({"version": detail["version"], "note": "Gửi bản rõ"}), "TP02": pdf("ro.pdf")},
        **bearer(access),
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["status_code"] == 1
    names = {f.original_name for f in DossierFile.objects.filter(document__requirement_code="TP02")}
    assert names == {"xac-nhan.pdf", "ro.pdf"}


def test_after_reception_withdrawing_is_a_request_and_is_not_offered_twice(client, app, world, frozen):
    access = token(client, app, world.citizen)
    code = submit(client, access).json()["code"]
    d = Dossier.objects.get()
    d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    detail = client.get(f"/api/v1/me/dossiers/{code}", **bearer(access)).json()
    assert detail["actions"] == ["withdraw"]

    asked = client.post(
        f"/api/v1/me/dossiers/{code}/withdraw",
        {"version": detail["version"], "reason": "Không cần nữa"},
        content_type="application/json",
        **bearer(access),
    )

    assert asked.status_code == 200, asked.content
    assert (asked.json()["status_code"], asked.json()["actions"]) == (2, [])
    assert Dossier.objects.get().state == Dossier.State.RECEIVED


def test_my_dossiers_cost_the_same_queries_for_one_dossier_or_five(client, app, world, frozen):
    access = token(client, app, world.citizen)
    submit(client, access)

    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/me/dossiers", **bearer(access)).json()["count"] == 1
    for _ in range(4):
        submit(client, access)
    with CaptureQueriesContext(connection) as five:
        assert client.get("/api/v1/me/dossiers", **bearer(access)).json()["count"] == 5
    assert len(five) == len(one) <= 8


def test_a_refreshed_token_keeps_the_vneid_sign_in_of_its_authorisation(client, app, world, frozen):
    client.force_login(world.citizen)
    session = client.session
    session[SESSION_KEY] = NATIONAL_IDENTITY
    session.save()
    first = token_for(client, app)
    client.logout()
    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": app.client_id},
    ).json()

    assert submit(client, refreshed["access_token"]).status_code == 201
    assert Dossier.objects.get().national_identity is True
