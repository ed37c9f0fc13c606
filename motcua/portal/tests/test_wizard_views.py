"""The submission wizard without JavaScript (the test client posts each step's form), end to end:
procedure page → start → whom → applicant → documents → delivery → review → submit → the code;
and the bad cases: another citizen's draft, a 200 MB upload, an executable named .pdf, a session
that expired in the middle, a double submission."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.audit.models import AuditEvent
from motcua.catalog import services as catalog_services
from motcua.dossiers.models import Dossier, DossierFile
from motcua.portal.models import Draft
from motcua.portal.tests.conftest import EXECUTABLE, pdf

pytestmark = pytest.mark.django_db


def step(draft: Draft, name: str) -> str:
    return reverse("portal:draft_step", kwargs={"uid": draft.uid, "step": name})


def start_draft(client, world) -> Draft:
    response = client.post(reverse("portal:start", kwargs={"code": world.procedure.code}))
    draft = Draft.objects.get(owner=world.hoa)
    assert response.status_code == 302 and response["Location"] == step(draft, "cho-ai")
    return draft


def test_a_citizen_submits_online_from_the_procedure_page_without_javascript(client, world, frozen):
    page = client.get(reverse("catalog:procedure", kwargs={"code": world.procedure.code}))
    assert "Nộp hồ sơ trực tuyến" in page.content.decode()
    start = reverse("portal:start", kwargs={"code": world.procedure.code})
    # Not signed in: the sign-in page first, then back here.
    response = client.get(start)
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/?next=")

    client.force_login(world.hoa)
    assert "Bắt đầu nộp hồ sơ" in client.get(start).content.decode()
    draft = start_draft(client, world)

    response = client.post(step(draft, "cho-ai"), {"whom": "self", "go": "next"})
    assert response["Location"] == step(draft, "nguoi-nop")
    page = client.get(step(draft, "nguoi-nop")).content.decode()
    assert 'value="Nguyễn Thị Hoa"' in page and 'value="001190012345"' in page

    applicant = {
        "name": "Nguyễn Thị Hoa",
        "citizen_id": "001190012345",
        "date_of_birth": "1990-05-17",
        "phone": "0912 345 678",
        "email": "hoa@example.vn",
        "address": "Thôn Đông, xã An Bình",
        "go": "next",
    }
    response = client.post(step(draft, "nguoi-nop"), applicant)
    assert response["Location"] == step(draft, "giay-to")

    # Next without the required documents: named, nothing lost.
    response = client.post(step(draft, "giay-to"), {"go": "next"})
    assert response.status_code == 400
    assert "chưa đủ giấy tờ bắt buộc: TP01 – Tờ khai đăng ký kết hôn; TP02" in response.content.decode()
    response = client.post(
        step(draft, "giay-to"),
        {"file_TP01": pdf("to-khai.pdf"), "file_TP02": pdf("xac-nhan.pdf"), "go": "next"},
    )
    assert response["Location"] == step(draft, "nhan-ket-qua")

    response = client.post(step(draft, "nhan-ket-qua"), {"go": "next"})
    assert response.status_code == 400 and "Vui lòng chọn cách nhận kết quả." in response.content.decode()
    response = client.post(step(draft, "nhan-ket-qua"), {"result_delivery": "online", "go": "next"})
    assert response["Location"] == step(draft, "xem-lai")

    review = client.get(step(draft, "xem-lai")).content.decode()
    assert "to-khai.pdf" in review and "xac-nhan.pdf" in review and "Nhận bản điện tử trực tuyến" in review

    response = client.post(step(draft, "xem-lai"), {"go": "submit"})
    done = reverse("portal:draft_done", kwargs={"uid": draft.uid})
    assert response["Location"] == done
    dossier = Dossier.objects.get()
    assert (dossier.status_code, dossier.channel, dossier.owner, dossier.applicant_name) == (
        1,
        2,
        world.hoa,
        "Nguyễn Thị Hoa",
    )
    assert dossier.phone == "0912345678" and dossier.result_delivery == "online"
    assert DossierFile.objects.filter(document__dossier=dossier).count() == 2
    page = client.get(done).content.decode()
    assert f"Mã hồ sơ: <strong>{dossier.code}</strong>" in page
    assert "Mới đăng ký" in page and "đang chờ Bộ phận Một cửa kiểm tra để tiếp nhận" in page

    # The button again, or Back and submit: the same dossier, the page says it.
    response = client.post(step(draft, "xem-lai"), {"go": "submit"})
    assert response["Location"] == done
    assert Dossier.objects.count() == 1


def test_another_citizens_draft_is_a_404_page_and_the_attempt_is_logged(client, world, frozen):
    client.force_login(world.hoa)
    draft = start_draft(client, world)
    client.force_login(world.binh)
    for url in (
        step(draft, "cho-ai"),
        step(draft, "xem-lai"),
        reverse("portal:draft_done", kwargs={"uid": draft.uid}),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Nguyễn Thị Hoa" not in response.content.decode()
    response = client.post(step(draft, "nguoi-nop"), {"name": "Kẻ lạ", "go": "next"})
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.data["applicant"]["name"] == "Nguyễn Thị Hoa"
    logged = AuditEvent.objects.filter(action="portal.draft_not_found", object_id=str(draft.uid))
    assert logged.count() == 4 and {e.actor_id for e in logged} == {world.binh.pk}
    # A made-up address: the same page.
    assert client.get("/ho-so-cua-toi/nhap/khong-phai-ma/cho-ai/").status_code == 404


def test_a_200_mb_upload_is_refused_clearly_and_nothing_typed_is_lost(client, world, frozen, tmp_path):
    client.force_login(world.hoa)
    draft = start_draft(client, world)
    client.post(step(draft, "cho-ai"), {"whom": "self", "go": "next"})
    client.post(step(draft, "giay-to"), {"file_TP01": pdf("to-khai.pdf"), "go": "save"})
    big = tmp_path / "ban-quet.pdf"
    with big.open("wb") as handle:  # sparse: 200 MB on the wire, nothing on the disk
        handle.write(b"%PDF-1.4\n")
        handle.truncate(200 * 1024 * 1024)
    with big.open("rb") as handle:
        response = client.post(step(draft, "giay-to"), {"file_TP02": handle, "alt_TP02": "", "go": "next"})
    assert response.status_code == 400
    assert "Tệp “ban-quet.pdf” lớn hơn 10 MB." in response.content.decode()
    assert list(draft.files.values_list("requirement_code", "original_name")) == [("TP01", "to-khai.pdf")]


def test_a_pdf_that_is_really_an_executable_is_refused(client, world, frozen):
    client.force_login(world.hoa)
    draft = start_draft(client, world)
    response = client.post(
        step(draft, "giay-to"),
        {
            "file_TP01": SimpleUploadedFile("to-khai.pdf", EXECUTABLE, content_type="application/pdf"),
            "go": "next",
        },
    )
    assert response.status_code == 400
    assert "Tệp “to-khai.pdf” không phải PDF, JPEG hoặc PNG." in response.content.decode()
    assert draft.files.count() == 0


def test_an_expired_session_mid_draft_keeps_the_draft_and_what_was_typed(client, world, frozen):
    client.force_login(world.hoa)
    draft = start_draft(client, world)
    client.post(step(draft, "cho-ai"), {"whom": "self", "go": "next"})
    client.post(step(draft, "giay-to"), {"file_TP01": pdf("to-khai.pdf"), "go": "save"})
    # The session expires (deleted on the server), the citizen still posts the next step.
    client.session.flush()
    client.cookies.pop("sessionid", None)
    response = client.post(
        step(draft, "nhan-ket-qua"), {"result_delivery": "post", "delivery_address": "Số 5 phố Huế"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/?next=" + step(draft, "nhan-ket-qua")
    # Signed in again: the draft is there, and what was typed after the session expired too.
    client.force_login(world.hoa)
    page = client.get(step(draft, "nhan-ket-qua")).content.decode()
    assert "Đã khôi phục nội dung ông/bà nhập trước khi phiên đăng nhập hết hạn." in page
    assert 'value="Số 5 phố Huế"' in page
    draft.refresh_from_db()
    assert draft.data["result_delivery"] == "post" and draft.data["delivery_address"] == "Số 5 phố Huế"
    assert draft.data["applicant"]["name"] == "Nguyễn Thị Hoa"
    assert list(draft.files.values_list("original_name", flat=True)) == ["to-khai.pdf"]


def test_bad_applicant_data_is_kept_and_each_field_says_what_is_wrong(client, world, frozen):
    client.force_login(world.hoa)
    draft = start_draft(client, world)
    response = client.post(
        step(draft, "nguoi-nop"),
        {"name": "", "citizen_id": "123", "phone": "12", "email": "hoa@", "go": "next"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'id="f-name-error">Nhập họ và tên người nộp hồ sơ\.', page)
    assert "Số định danh cá nhân “123” không hợp lệ: phải gồm đúng 12 chữ số." in page
    assert 'value="hoa@"' in page
    draft.refresh_from_db()
    assert draft.data["applicant"]["citizen_id"] == "123" and draft.step == Draft.Step.WHOM


def test_a_staff_account_is_told_to_use_the_counter(client, world, frozen):
    client.force_login(world.receptionist)
    response = client.post(reverse("portal:start", kwargs={"code": world.procedure.code}))
    assert "Chỉ tài khoản công dân hoặc tổ chức được nộp hồ sơ trực tuyến." in response.content.decode()
    assert Draft.objects.count() == 0


def test_where_several_agencies_offer_the_procedure_the_citizen_chooses_where(client, world, frozen):
    catalog_services.offering_create(agency=world.tree.commune_b, procedure=world.procedure, actor=None)
    client.force_login(world.hoa)
    draft = start_draft(client, world)
    client.post(step(draft, "giay-to"), {"file_TP01": pdf(), "file_TP02": pdf(), "go": "save"})
    page = client.get(step(draft, "nhan-ket-qua")).content.decode()
    assert page.count('name="place"') == 2 and "Bình Minh" in page and "An Bình" in page
    response = client.post(step(draft, "nhan-ket-qua"), {"result_delivery": "post", "go": "next"})
    page = response.content.decode()
    assert "Vui lòng chọn nơi tiếp nhận hồ sơ." in page
    assert "Vui lòng nhập địa chỉ nhận kết quả qua bưu chính." in page
    b = f"{world.tree.one_stop_b.code}|{world.tree.commune_b.code}"
    response = client.post(
        step(draft, "nhan-ket-qua"),
        {
            "place": b,
            "result_delivery": "post",
            "delivery_address": "Số 5 phố Huế, xã Bình Minh",
            "go": "next",
        },
    )
    assert response["Location"] == step(draft, "xem-lai")
    client.post(step(draft, "xem-lai"), {"go": "submit"})
    dossier = Dossier.objects.get()
    assert (dossier.receiving_agency, dossier.handling_agency) == (
        world.tree.one_stop_b,
        world.tree.commune_b,
    )
    assert (dossier.result_delivery, dossier.address) == ("post", "Số 5 phố Huế, xã Bình Minh")
