"""Every way a dossier reaches its result issues the e-result once: the back office's and the
API's finish (in the same request), and the scheduler's job for the other paths. The API signs at
approval as the back office does."""

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.services import api_token_create
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.conftest import AT_APPROVAL, advance
from motcua.signing import services
from motcua.signing.models import EResult
from motcua.signing.tests.conftest import result_pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_the_job_issues_a_result_finished_elsewhere_once(signing_world):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    approved, result = services.dossier_approve_with_result(
        actor=sw.leader, dossier=dossier, expected_version=dossier.version, render=True
    )
    assert services.issue_pending() == 0  # approved, not finished: nothing to issue
    dossier_services.dossier_finish(
        actor=sw.receptionist, dossier=approved, expected_version=approved.version
    )
    assert services.issue_pending() == 1
    assert services.issue_pending() == 0
    result.refresh_from_db()
    assert result.issued_at is not None and result.issued_by is None  # the system issued it
    event = DossierEvent.objects.get(dossier=dossier, action="issue-e-result")
    assert event.data["signed_by"] == "seal" and event.actor is None


def _api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='thử')}")


def _act(client: Client, code: str, action: str, **body):
    return client.post(f"/api/v1/dossiers/{code}/actions/{action}", body, content_type="application/json")


def test_the_api_signs_at_approval_and_issues_at_finish_as_the_back_office(signing_world):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    response = _act(_api(sw.leader), dossier.code, "approve", version=dossier.version, render_result=True)
    assert response.status_code == 200, response.content
    result = EResult.objects.get(dossier=dossier)
    assert (result.code, result.leader_id, result.source) == (
        f"{dossier.code}-KQ1",
        sw.leader_key.pk,
        "template",
    )
    assert result.issued_at is None
    response = _act(_api(sw.receptionist), dossier.code, "finish", version=response.json()["version"])
    assert response.status_code == 200, response.content
    result.refresh_from_db()
    assert result.issued_at is not None and result.issued_by_id == sw.receptionist.pk
    assert services.issue_pending() == 0  # nothing left for the scheduler's job


def test_the_api_approval_without_a_leader_key_changes_nothing(signing_world):
    sw = signing_world
    sw.leader_key.active = False
    sw.leader_key.save(update_fields=["active"])
    dossier = advance(sw.world, AT_APPROVAL)
    response = _act(_api(sw.leader), dossier.code, "approve", version=dossier.version, render_result=True)
    assert response.status_code == 400 and response.json()["code"] == "no_leader_key"
    dossier.refresh_from_db()
    assert dossier.state == "processing" and not EResult.objects.exists()
    plain = _act(_api(sw.leader), dossier.code, "approve", version=dossier.version)
    assert plain.status_code == 200 and not EResult.objects.exists()  # a plain approval, as on the page


def test_the_back_office_refuses_a_result_that_is_not_a_pdf_and_keeps_the_form(signing_world, client):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    client.force_login(sw.leader)
    page = client.get(reverse("backoffice:dossier", kwargs={"code": dossier.code}))
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "Văn bản kết quả (tệp PDF)" in page.content.decode()
    response = client.post(
        reverse("backoffice:action", kwargs={"code": dossier.code, "action": "approve"}),
        {
            "version": dossier.version,
            "note": "Đồng ý",
            "ket_qua": upload(b"<html>khong phai pdf</html>", "ket-qua.pdf"),
        },
    )
    assert response.status_code == 400
    assert "Tệp kết quả “ket-qua.pdf” không phải tệp PDF hợp lệ." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == "processing" and not EResult.objects.exists()

    response = client.post(
        reverse("backoffice:action", kwargs={"code": dossier.code, "action": "approve"}),
        {"version": dossier.version, "ket_qua": upload(result_pdf_bytes())},
    )
    assert response.status_code == 302
    assert EResult.objects.get().code == f"{dossier.code}-KQ1"


def test_a_leader_without_a_key_sees_no_result_field_and_approves_as_before(signing_world, client):
    sw = signing_world
    sw.leader_key.active = False
    sw.leader_key.save(update_fields=["active"])
    dossier = advance(sw.world, AT_APPROVAL)
    client.force_login(sw.leader)
    page = client.get(reverse("backoffice:dossier", kwargs={"code": dossier.code}))
    assert "Văn bản kết quả (tệp PDF)" not in page.content.decode()
    response = client.post(
        reverse("backoffice:action", kwargs={"code": dossier.code, "action": "approve"}),
        {"version": dossier.version},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "approved" and not EResult.objects.exists()


def test_only_the_citizen_who_sees_the_dossier_downloads_its_result(signing_world, client):
    sw = signing_world
    from django.contrib.auth import get_user_model

    dossier = advance(sw.world, AT_APPROVAL)
    dossier.owner = sw.citizen
    dossier.save(update_fields=["owner"])
    approved, result = services.dossier_approve_with_result(
        actor=sw.leader, dossier=dossier, expected_version=dossier.version, render=True
    )
    url = reverse("signing:download", kwargs={"uid": result.uid})
    client.force_login(sw.citizen)
    assert client.get(url).status_code == 404  # not issued yet
    finished = dossier_services.dossier_finish(
        actor=sw.receptionist, dossier=approved, expected_version=approved.version
    )
    services.dossier_issue_results(dossier=finished)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # "Hồ sơ của tôi" offers it in its own section, not among the papers handed in.
    page = client.get(reverse("portal:detail", kwargs={"code": dossier.code})).content.decode()
    handed_in = page.split('id="giay-to"')[1]
    assert url in page and result.code not in handed_in
    User = get_user_model()
    stranger = User.objects.create_user(username="nguoi_khac", password="x-" * 10, kind=User.Kind.CITIZEN)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
