""" "Hồ sơ của tôi": the list and the detail (timeline, the agency's messages), supplement online,
ask to withdraw, the receipt as PDF; nobody else's dossier, by guessing its address."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from motcua.audit.models import AuditEvent
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import SupplementItem
from motcua.portal import services
from motcua.portal.tests.conftest import pdf

pytestmark = pytest.mark.django_db


def submitted(world, owner=None, delivery="online") -> Dossier:
    draft = services.draft_start(owner=owner or world.hoa, procedure=world.procedure)
    services.draft_update(draft=draft, changes={"result_delivery": delivery})
    for code in ("TP01", "TP02"):
        services.draft_add_file(draft=draft, requirement_code=code, uploaded=pdf(f"{code.lower()}.pdf"))
    dossier, _ = services.draft_submit(draft=draft)
    return dossier


def detail(dossier: Dossier, suffix: str = "") -> str:
    return reverse("portal:detail", kwargs={"code": dossier.code}) + suffix


def test_the_list_shows_drafts_and_only_the_citizens_own_dossiers(client, world, frozen):
    mine = submitted(world)
    theirs = submitted(world, owner=world.binh)
    services.draft_start(owner=world.hoa, procedure=world.procedure)
    client.force_login(world.hoa)
    page = client.get(reverse("portal:mine")).content.decode()
    assert mine.code in page and theirs.code not in page
    assert "Hồ sơ nháp đang làm" in page and "Thủ tục đăng ký kết hôn" in page
    assert "Mới đăng ký" in page and "Tính từ khi tiếp nhận" in page


def test_the_detail_shows_the_timeline_and_what_the_agency_asked(client, world, frozen):
    dossier = submitted(world)
    dossier = dossier_services.dossier_request_supplement(
        actor=world.receptionist,
        dossier=dossier,
        expected_version=dossier.version,
        items=[
            SupplementItem(name="Giấy xác nhận tình trạng hôn nhân", reason="Bản chụp bị mờ, không đọc được")
        ],
    )
    client.force_login(world.hoa)
    page = client.get(detail(dossier)).content.decode()
    assert "Yêu cầu bổ sung giấy tờ" in page
    assert "Bản chụp bị mờ, không đọc được" in page
    timeline = page.split('class="timeline"')[1].split("</ol>")[0]
    assert timeline.count("<li>") == 2 and "Mới đăng ký" in timeline and "Yêu cầu bổ sung giấy tờ" in timeline
    assert "Mẫu số 02" in page  # the supplement request (Mẫu 02) to download
    assert AuditEvent.objects.filter(action="personal_data.view", actor=world.hoa).exists()


def test_another_citizens_dossier_by_its_code_is_a_404_page_and_logged(client, world, frozen):
    dossier = submitted(world)
    client.force_login(world.binh)
    for suffix in ("", "rut-ho-so/", "mau-01.pdf"):
        response = client.get(detail(dossier, suffix))
        assert response.status_code == 404
        assert "Nguyễn Thị Hoa" not in response.content.decode()
    assert AuditEvent.objects.filter(action="personal_data.refused", actor=world.binh).count() == 3


def test_a_supplement_is_sent_online_and_goes_back_to_the_counter(client, world, frozen):
    dossier = submitted(world)
    dossier = dossier_services.dossier_request_supplement(
        actor=world.receptionist,
        dossier=dossier,
        expected_version=dossier.version,
        items=[SupplementItem(name="Giấy xác nhận tình trạng hôn nhân", reason="Bản chụp bị mờ")],
    )
    client.force_login(world.hoa)
    url = reverse("portal:supplement", kwargs={"code": dossier.code})
    response = client.post(url, {"version": dossier.version, "note": "Đã chụp lại"})
    assert response.status_code == 400
    assert "Vui lòng tải lên ít nhất một tệp bổ sung." in response.content.decode()
    response = client.post(
        url, {"version": dossier.version, "note": "Đã chụp lại", "file_TP02": pdf("xac-nhan-ro.pdf")}
    )
    assert response.status_code == 302 and response["Location"] == detail(dossier)
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.SUBMITTED
    assert DossierFile.objects.filter(document__dossier=dossier, original_name="xac-nhan-ro.pdf").exists()


def test_withdrawing_before_reception_asks_for_a_confirmation_then_withdraws(client, world, frozen):
    dossier = submitted(world)
    client.force_login(world.hoa)
    url = detail(dossier, "rut-ho-so/")
    page = client.get(url).content.decode()
    assert "hồ sơ sẽ được rút ngay" in page
    response = client.post(url, {"version": dossier.version, "reason": "Nộp nhầm thủ tục"})
    assert (
        response.status_code == 400 and "Vui lòng đánh dấu xác nhận rút hồ sơ." in response.content.decode()
    )
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.SUBMITTED
    response = client.post(url, {"version": dossier.version, "reason": "Nộp nhầm thủ tục", "confirm": "on"})
    assert response["Location"] == detail(dossier)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.status_code) == (Dossier.State.WITHDRAWN, 7)
    page = client.get(detail(dossier)).content.decode()
    assert "Công dân yêu cầu rút hồ sơ" in page and "Nộp nhầm thủ tục" in page


def test_withdrawing_after_reception_is_a_request(client, world, frozen):
    dossier = submitted(world)
    dossier = dossier_services.dossier_receive(actor=world.receptionist, dossier=dossier, expected_version=1)
    client.force_login(world.hoa)
    response = client.post(
        detail(dossier, "rut-ho-so/"),
        {"version": dossier.version, "reason": "Không cần nữa", "confirm": "on"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.RECEIVED and dossier.withdrawal_requested_at is not None
    page = client.get(detail(dossier)).content.decode()
    assert "Ông/bà đã gửi yêu cầu rút hồ sơ lúc" in page


def test_the_receipt_downloads_once_the_dossier_is_received(client, world, frozen):
    dossier = submitted(world)
    client.force_login(world.hoa)
    assert client.get(detail(dossier, "mau-01.pdf")).status_code == 404
    dossier = dossier_services.dossier_receive(actor=world.receptionist, dossier=dossier, expected_version=1)
    response = client.get(detail(dossier, "mau-01.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # Forms of the back office (the control slip, Mẫu 06) are not the citizen's.
    assert client.get(detail(dossier, "mau-06.pdf")).status_code == 404


def test_the_list_reads_the_same_number_of_queries_for_one_dossier_or_five(
    client, world, frozen, django_assert_num_queries
):
    client.force_login(world.hoa)
    submitted(world)
    client.get(reverse("portal:mine"))  # warm the session and the caches
    with django_assert_num_queries(5) as one:
        client.get(reverse("portal:mine"))
    for _ in range(4):
        submitted(world)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("portal:mine")).content.decode()
    assert page.count('<th scope="row">') == 5


def test_a_supplement_after_its_deadline_is_refused_and_nothing_is_sent(client, world, frozen):
    dossier = submitted(world)
    dossier = dossier_services.dossier_request_supplement(
        actor=world.receptionist,
        dossier=dossier,
        expected_version=dossier.version,
        items=[SupplementItem(name="Giấy xác nhận tình trạng hôn nhân", reason="Bản chụp bị mờ")],
    )
    frozen.shift(timedelta(days=31))
    client.force_login(world.hoa)
    response = client.post(
        reverse("portal:supplement", kwargs={"code": dossier.code}),
        {"version": dossier.version, "file_TP02": pdf("muon.pdf"), "note": "Gửi muộn"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Đã quá hạn bổ sung hồ sơ {dossier.code} (hạn: 08:00 ngày 01/04/2026)." in page
    assert "Gửi muộn</textarea>" in page  # what was typed is still in the form
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.INTAKE_SUPPLEMENT
    assert not DossierFile.objects.filter(original_name="muon.pdf").exists()


def test_the_timeline_says_each_change_once(client, world, frozen):
    dossier = submitted(world)
    dossier = dossier_services.dossier_receive(actor=world.receptionist, dossier=dossier, expected_version=1)
    dossier = dossier_services.dossier_assign(
        actor=world.leader, dossier=dossier, expected_version=dossier.version, officer=world.specialist
    )
    dossier = dossier_services.dossier_assign(
        actor=world.leader, dossier=dossier, expected_version=dossier.version, officer=world.specialist2
    )
    client.force_login(world.hoa)
    page = client.get(detail(dossier)).content.decode()
    timeline = page.split('class="timeline"')[1].split("</ol>")[0]
    labels = re.findall(r"</time> <span>([^<]+)</span>", timeline)
    assert labels == ["Mới đăng ký", "Được tiếp nhận", "Đang xử lý"]
    # The timeline names no officer (the messages sent to the citizen do: Decree 224/2026 art. 15).
    assert world.specialist.full_name not in timeline
