"""The counter's online inbox (/quay/truc-tuyen/) through Django's test client and the services."""

import re

import pytest

from motcua.dossiers.models import Dossier, DossierPause
from motcua.dossiers.services import SubmitterData
from motcua.dossiers.tests.conftest import vn
from motcua.dossiers.tests.test_online_services import pdf, submit
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
ONLINE = "/quay/truc-tuyen/"
State = Dossier.State


@pytest.fixture
def officer(world, client):
    client.force_login(world.receptionist)
    return client


def answer(client, d: Dossier, action: str, **data):
    return client.post(f"{ONLINE}{d.code}/{action}/", {"version": d.version, **data})


def test_the_inbox_lists_submissions_oldest_first_with_wait_files_and_submitter(officer, world, frozen):
    frozen.move_to(vn(2026, 3, 2, 8))
    older = submit(world, national_identity=True)
    frozen.move_to(vn(2026, 3, 2, 9, 30))
    files = {"TP01": [pdf()], "TP02": [pdf()], "UQ": [pdf("uy-quyen.pdf")]}
    newer = submit(
        world,
        files=files,
        submitter=SubmitterData(relation="authorised", name="Lê Văn Đại", citizen_id="001085012345"),
    )
    frozen.move_to(vn(2026, 3, 4, 11, 45))
    page = officer.get(ONLINE).content.decode()
    assert page.index(older.code) < page.index(newer.code)
    waits = re.findall(r"Đã chờ ([^<]+)</span>", page)
    assert waits == ["2 ngày 3 giờ", "2 ngày 2 giờ"]
    assert "Định danh quốc gia (VNeID)" in page
    assert "Lê Văn Đại – người được ủy quyền" in page
    assert f"/xu-ly/ho-so/{newer.code}/tep/" in page and "uy-quyen.pdf" in page
    from motcua.audit.models import AuditEvent

    seen = AuditEvent.objects.get(action="personal_data.online_inbox")
    assert (seen.actor, seen.extra["codes"], seen.chain) == (
        world.receptionist,
        [older.code, newer.code],
        "000.01.31.H99",
    )
    today = officer.get("/quay/").content.decode()
    assert re.search(r"Hồ sơ trực tuyến chờ tiếp nhận <span class=\"badge badge-warn\">2</span>", today)


def test_accepting_counts_the_appointment_from_now_and_sends_the_receipt(officer, world, frozen):
    d = submit(world)
    frozen.move_to(vn(2026, 3, 3, 14))
    response = answer(officer, d, "receive")
    assert response.status_code == 302 and response["Location"] == f"/quay/tiep-nhan/{d.uid}/"
    d.refresh_from_db()
    assert (d.state, d.received_at, d.due_at) == (State.RECEIVED, vn(2026, 3, 3, 14), vn(2026, 3, 10, 14))
    receipt = OutboxMessage.objects.get(dossier=d, event="dossier.receive", channel="email")
    assert "hẹn trả kết quả 14:00 ngày 10/03/2026" in receipt.body
    done = officer.get(response["Location"]).content.decode()
    assert "In Mẫu 01" in done and "Hồ sơ trực tuyến tiếp theo" in done
    assert d.code not in officer.get(ONLINE).content.decode()


def test_asking_for_a_supplement_sends_form_02_online(officer, world, frozen):
    d = submit(world)
    response = answer(officer, d, "request-supplement", item_name_1="Tờ khai", item_reason_1="Thiếu chữ ký")
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.state == State.INTAKE_SUPPLEMENT
    assert DossierPause.objects.get(dossier=d).items == [{"name": "Tờ khai", "reason": "Thiếu chữ ký"}]
    notice = OutboxMessage.objects.filter(dossier=d, event="dossier.request-supplement").first()
    assert notice is not None and "Cần bổ sung: Tờ khai (Thiếu chữ ký)." in notice.body


def test_refusing_needs_a_reason_and_loses_nothing_typed(officer, world, frozen):
    d = submit(world)
    response = answer(officer, d, "refuse", reason="")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Hãy ghi rõ lý do." in page
    d.refresh_from_db()
    assert d.state == State.SUBMITTED
    response = answer(officer, d, "refuse", reason="Thủ tục thuộc thẩm quyền cấp huyện")
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.state == State.REFUSED and d.status_code == 3
    assert "Thủ tục thuộc thẩm quyền cấp huyện" in officer.get(response["Location"]).content.decode()


def test_a_stale_page_is_told_to_reload(officer, world, frozen):
    d = submit(world)
    version = d.version
    answer(officer, d, "receive")
    response = officer.post(f"{ONLINE}{d.code}/refuse/", {"version": version, "reason": "Sai"}, follow=True)
    assert "không còn chờ tiếp nhận trực tuyến" in response.content.decode()
    d.refresh_from_db()
    assert d.state == State.RECEIVED


def test_another_communes_officer_sees_nothing_and_cannot_answer(client, world, frozen):
    d = submit(world)
    client.force_login(world.outsider)
    assert d.code not in client.get(ONLINE).content.decode()
    assert answer(client, d, "receive").status_code == 404
    d.refresh_from_db()
    assert d.state == State.SUBMITTED


def test_a_citizen_is_forbidden(client, world):
    client.force_login(world.citizen)
    assert client.get(ONLINE).status_code == 403


def test_the_staff_api_lists_the_online_inbox_and_answers(world, frozen):
    from django.test import Client

    from motcua.accounts.services import api_token_create

    d = submit(world, national_identity=True)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.receptionist, name='thử')}")
    body = api.get("/api/v1/dossiers/online-inbox").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["code"], item["status_code"], item["national_identity"], item["submitted_at"]) == (
        d.code,
        1,
        True,
        "2026-03-02T01:00:00Z",
    )
    response = api.post(
        f"/api/v1/dossiers/{d.code}/actions/receive", {"version": d.version}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert api.get("/api/v1/dossiers/online-inbox").json()["count"] == 0
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.outsider, name='thử')}")
    assert outsider.get("/api/v1/dossiers/online-inbox").json()["count"] == 0
    citizen = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.citizen, name='thử')}")
    error = citizen.get("/api/v1/dossiers/online-inbox")
    assert error.status_code == 404 and set(error.json()) == {"code", "message", "details"}


def test_the_holder_sees_an_online_supplement_and_a_withdrawal_request_in_their_inbox(client, world, frozen):
    from motcua.dossiers import services
    from motcua.dossiers.services import SupplementItem

    d = submit(world)
    d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    d = services.dossier_forward(
        actor=world.receptionist, dossier=d, expected_version=d.version, officer=world.specialist
    )
    d = services.dossier_request_supplement(
        actor=world.specialist, dossier=d, expected_version=d.version, items=[SupplementItem("Tờ khai", "Mờ")]
    )
    client.force_login(world.specialist)
    assert "Đã bổ sung trực tuyến" not in client.get("/xu-ly/?nhom=supplement").content.decode()
    d = services.dossier_supplement_online(
        citizen=world.citizen, dossier=d, expected_version=d.version, files={"TP01": [pdf()]}
    )
    page = client.get("/xu-ly/").content.decode()
    assert d.code in page and "Đã bổ sung trực tuyến" in page
    assert (
        "Người nộp đã bổ sung trực tuyến lúc 08:00 02/03/2026"
        in client.get(f"/xu-ly/ho-so/{d.code}/").content.decode()
    )
    d = services.dossier_receive_supplement(actor=world.specialist, dossier=d, expected_version=d.version)
    d = services.dossier_withdraw_online(
        citizen=world.citizen, dossier=d, expected_version=d.version, reason="Đã chuyển nơi cư trú"
    )
    page = client.get("/xu-ly/").content.decode()
    assert "Đã bổ sung trực tuyến" not in page
    assert "Công dân yêu cầu rút hồ sơ" in page and "Lý do: Đã chuyển nơi cư trú" in page
    detail = client.get(f"/xu-ly/ho-so/{d.code}/").content.decode()
    assert "Người nộp yêu cầu rút hồ sơ" in detail and "Lý do: Đã chuyển nơi cư trú" in detail
