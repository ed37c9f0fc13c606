"""Counter pages (/quay/) through Django's test client and the real services: today, a new
dossier (receive, refuse, supplement), returning results; who may use them; bad input."""

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierFile, DossierPause
from motcua.dossiers.tests.conftest import PROCEDURE_CODE, intake, vn
from motcua.org.models import Membership
from motcua.org.testing import make_staff

pytestmark = pytest.mark.django_db

Role = Membership.Role
TODAY = "/quay/"
INTAKE = "/quay/tiep-nhan/"
RETURN = "/quay/tra-ket-qua/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.fixture
def officer(world, client):
    client.force_login(world.receptionist)
    return client


def form_data(**overrides) -> dict:
    """What an officer types for Nguyễn Thị Hoa, both mandatory documents ticked."""
    data: dict[str, Any] = {
        "procedure": PROCEDURE_CODE,
        "idempotency_key": "",
        "kind": "person",
        "full_name": "Nguyễn Thị Hoa",
        "citizen_id": "001190012345",
        "date_of_birth": "17/05/1990",
        "phone": "0912 345 678",
        "email": "hoa@example.vn",
        "address": "Thôn Đông, xã An Bình",
        "tp_tp01_received": "on",
        "tp_tp01_copy_kind": "original",
        "tp_tp01_count": "1",
        "tp_tp02_received": "on",
        "tp_tp02_copy_kind": "certified_copy",
        "tp_tp02_count": "2",
        "tp_tp03_copy_kind": "photocopy",
        "tp_tp03_count": "1",
        "result_delivery": "counter",
        "action": "receive",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def finished_dossier(world, frozen) -> Dossier:
    """A dossier received Monday 2 March 2026 08:00, processed and finished on Thursday 08:00."""
    d = services.dossier_receive(actor=world.receptionist, data=intake(world))
    frozen.move_to(vn(2026, 3, 2, 9, 0))
    d = services.dossier_forward(actor=world.receptionist, dossier=d, expected_version=d.version)
    d = services.dossier_assign(
        actor=world.leader, dossier=d, expected_version=d.version, officer=world.specialist
    )
    d = services.dossier_forward(
        actor=world.specialist, dossier=d, expected_version=d.version, officer=world.leader
    )
    frozen.move_to(vn(2026, 3, 5, 8, 0))
    d = services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)
    return services.dossier_finish(actor=world.receptionist, dossier=d, expected_version=d.version)


# ---------------------------------------------------------------------------------------------
# Who may use the counter


@pytest.mark.parametrize("path", [TODAY, INTAKE, RETURN])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/") and "next=" in response["Location"]


@pytest.mark.parametrize("persona", ["specialist", "leader", "supervisor", "dept_specialist"])
@pytest.mark.parametrize("path", [TODAY, INTAKE, RETURN])
def test_staff_without_a_receptionist_role_are_forbidden(client, world, persona, path):
    client.force_login(getattr(world, persona))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("persona", "shown"), [("receptionist", True), ("specialist", False), ("leader", False)]
)
def test_the_menu_offers_the_counter_only_to_those_who_receive(client, world, persona, shown):
    client.force_login(getattr(world, persona))
    page = client.get("/xu-ly/").content.decode()
    assert ('href="/quay/"' in page) is shown
    assert 'href="/xu-ly/"' in page


def test_a_citizen_is_forbidden(client, world):
    client.force_login(world.citizen)
    assert client.get(TODAY).status_code == 403
    assert client.post(INTAKE, form_data()).status_code == 403
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", TODAY),
        ("put", INTAKE),
        ("delete", RETURN),
        ("patch", TODAY),
        ("post", "/quay/tiep-nhan/{uid}/"),
    ],
)
def test_wrong_methods_get_405(officer, received, method, path):
    response = getattr(officer, method)(path.format(uid=received.uid))
    assert response.status_code == 405


def test_posts_need_the_csrf_token(world, frozen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.receptionist)
    assert client.post(INTAKE, form_data()).status_code == 403
    assert Dossier.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Hôm nay


def test_today_lists_what_was_received_today_and_the_big_buttons(officer, received):
    response = officer.get(TODAY)
    assert response.status_code == 200
    body = response.content.decode()
    sections = {
        slug: [r["d"] for r in rows] for slug, _title, _empty, _kind, rows in response.context["sections"]
    }
    assert [d.code for d in sections["tiep-nhan"]] == ["000.01.31.H99-260302-0001"]
    assert sections["den-han"] == [] and sections["cho-tra"] == []
    assert 'href="/xu-ly/ho-so/000.01.31.H99-260302-0001/"' in body
    assert "Nguyễn Thị Hoa" in body and "Thủ tục đăng ký kết hôn" in body
    assert "02/03/2026 08:00" in body  # received, Hà Nội time
    assert "09/03/2026 08:00" in body  # due: 5 working days later
    assert "Tiếp nhận hồ sơ mới" in body and "Trả kết quả" in body
    assert "Trung tâm Phục vụ hành chính công xã An Bình" in body  # where the officer works


def test_today_shows_what_is_due_today_and_what_waits_for_collection(officer, world, frozen):
    waiting = finished_dossier(world, frozen)
    frozen.move_to(vn(2026, 3, 9, 7, 30))  # Monday 9 March: the second dossier is due today
    due = services.dossier_receive(actor=world.receptionist, data=intake(world))
    frozen.move_to(vn(2026, 3, 16, 7, 30))
    assert due.due_at.date() == vn(2026, 3, 16).date()
    sections = {
        slug: [r["d"] for r in rows] for slug, _t, _e, _k, rows in officer.get(TODAY).context["sections"]
    }
    assert sections["tiep-nhan"] == []
    assert sections["den-han"] == [due]
    assert sections["cho-tra"] == [waiting]


def test_an_officer_of_another_commune_does_not_see_commune_a(client, world, received):
    client.force_login(world.outsider)
    response = client.get(TODAY)
    assert response.status_code == 200
    assert all(rows == [] for _s, _t, _e, _k, rows in response.context["sections"])
    assert "Trung tâm Phục vụ hành chính công xã Bình Minh" in response.content.decode()


def test_an_officer_of_two_communes_chooses_where_they_work_and_it_is_remembered(client, world, frozen):
    both = make_staff("hai_noi", world.tree.commune_a, Role.RECEPTIONIST)
    from motcua.org.services import membership_grant

    membership_grant(
        user=both, agency=world.tree.commune_b, role=Role.RECEPTIONIST, include_subtree=True, actor=None
    )
    client.force_login(both)
    chooser = client.get(TODAY)
    assert chooser.templates[0].name == "dossiers/counter/choose_agency.html"
    assert [a.code for a in chooser.context["agencies"]] == ["000.01.31.H99", "000.01.32.H99"]
    assert client.get(TODAY, {"co-quan": "000.01.32.H99"}).context["agency"].code == "000.01.32.H99"
    assert client.get(TODAY).context["agency"].code == "000.01.32.H99"  # remembered in the session
    assert client.get(INTAKE).context["agency"].code == "000.01.32.H99"
    refused = client.get(TODAY, {"co-quan": "000.00.11.H99"})
    assert refused.status_code == 403
    assert "Bạn không làm việc tại quầy của cơ quan mã 000.00.11.H99" in refused.content.decode()


# ---------------------------------------------------------------------------------------------
# Tiếp nhận: step 1, the procedure


def test_the_search_finds_the_procedures_offered_where_the_officer_works(officer, world, frozen):
    from motcua.catalog.tests.factories import make_procedure

    make_procedure("9.000777", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài")  # offered nowhere
    response = officer.get(INTAKE, {"q": "ket hon"})
    assert response.status_code == 200
    assert [p.code for p in response.context["results"]] == [PROCEDURE_CODE]
    body = response.content.decode()
    assert f'href="/quay/tiep-nhan/?thu-tuc={PROCEDURE_CODE}"' in body
    assert "9.000777" not in body


def test_the_search_answers_htmx_with_the_results_region_only(officer, frozen):
    response = officer.get(INTAKE, {"q": "kết hôn"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="ket-qua"')
    assert "<html" not in body and "Thủ tục đăng ký kết hôn" in body
    assert "HX-Request" in response["Vary"]


def test_a_procedure_the_agency_does_not_offer_gets_a_clear_message(officer, world, frozen):
    from motcua.catalog.tests.factories import make_procedure

    make_procedure("9.000777", "Thủ tục cấp giấy phép xây dựng")
    response = officer.get(INTAKE, {"thu-tuc": "9.000777"})
    assert response.status_code == 400
    assert (
        "không giải quyết thủ tục “Thủ tục cấp giấy phép xây dựng” (mã 9.000777)" in response.content.decode()
    )
    assert officer.get(INTAKE, {"thu-tuc": "0.000000"}).status_code == 404


def test_posting_a_procedure_that_is_not_offered_saves_nothing(client, world, frozen):
    client.force_login(world.outsider)  # commune B offers nothing
    response = client.post(INTAKE, form_data())
    assert response.status_code == 400
    assert "không giải quyết thủ tục" in response.content.decode()
    assert Dossier.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Tiếp nhận: step 2, the form


def test_the_form_lists_the_required_documents_with_the_catalogue_counts(officer, frozen):
    response = officer.get(INTAKE, {"thu-tuc": PROCEDURE_CODE})
    assert response.status_code == 200
    form = response.context["form"]
    rows = response.context["rows"]
    assert [r.document.code for r in rows] == ["TP01", "TP02", "TP03"]
    assert [r.mandatory for r in rows] == [True, True, False]
    assert form["tp_tp03_copy_kind"].value() == "photocopy"
    assert form["tp_tp01_count"].value() == 1
    assert len(form["idempotency_key"].value()) == 32
    body = response.content.decode()
    for text in ["Tờ khai đăng ký kết hôn", "Số định danh cá nhân", "Ngày sinh", "Hình thức nhận kết quả"]:
        assert text in body
    for button in ['value="receive"', 'value="refuse"', 'value="supplement"']:
        assert button in body
    assert 'enctype="multipart/form-data"' in body


def test_receiving_a_complete_dossier_with_scans_gives_its_code_pin_and_appointment(officer, world, frozen):
    data = form_data(tp_tp01_files=[upload("to-khai.pdf", PDF), upload("trang-2.png", png_bytes())])
    response = officer.post(INTAKE, data)
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quay/tiep-nhan/{dossier.uid}/"
    assert dossier.code == "000.01.31.H99-260302-0001"
    assert (dossier.state, dossier.status_code, dossier.channel) == ("received", 2, 1)
    assert (
        dossier.receiving_agency == world.tree.one_stop_a and dossier.handling_agency == world.tree.commune_a
    )
    assert (dossier.applicant_kind, dossier.applicant_name, dossier.citizen_id) == (
        "person",
        "Nguyễn Thị Hoa",
        "001190012345",
    )
    assert str(dossier.date_of_birth) == "1990-05-17" and dossier.phone == "0912345678"
    assert dossier.due_at == vn(2026, 3, 9, 8, 0)
    assert list(dossier.documents.values_list("requirement_code", "copy_kind", "count")) == [
        ("TP01", "original", 1),
        ("TP02", "certified_copy", 2),
    ]
    files = DossierFile.objects.filter(document__dossier=dossier).order_by("original_name")
    assert [(f.original_name, f.content_type) for f in files] == [
        ("to-khai.pdf", "application/pdf"),
        ("trang-2.png", "image/png"),
    ]
    assert dossier.documents.get(requirement_code="TP01").digitised

    page = officer.get(response["Location"])
    body = page.content.decode()
    assert "Đã tiếp nhận hồ sơ" in body
    assert dossier.code in body and dossier.pin in body
    assert "08:00 ngày 09/03/2026" in body
    assert "Đã đính kèm 2 tệp quét vào hồ sơ." in body
    assert f'href="/bieu-mau/{dossier.uid}/mau-01.pdf"' in body  # Mẫu 01, the receipt


def test_a_second_press_of_the_button_does_not_receive_the_dossier_twice(officer, frozen):
    data = form_data(idempotency_key="9f2c1a7e5b")
    first = officer.post(INTAKE, data)
    second = officer.post(INTAKE, data)
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1


def test_the_form_sent_again_after_back_with_another_applicant_says_so_then_receives_it(officer, frozen):
    first = officer.post(INTAKE, form_data(idempotency_key="9f2c1a7e5b"))
    assert first.status_code == 302
    received = Dossier.objects.get()
    # "Back", another applicant typed over the first, "Tiếp nhận": the page still holds the key.
    other = form_data(
        idempotency_key="9f2c1a7e5b", full_name="Trần Văn Bình", citizen_id="001090054321", date_of_birth=""
    )
    refused = officer.post(INTAKE, other)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert f"Biểu mẫu này đã được dùng để tiếp nhận hồ sơ {received.code}" in body
    assert "chưa được tiếp nhận" in body
    assert received.pin not in body
    assert 'value="Trần Văn Bình"' in body  # what was typed is kept
    assert Dossier.objects.count() == 1
    new_key = refused.context["form"]["idempotency_key"].value()
    assert new_key and new_key != "9f2c1a7e5b"
    # Sent once more, as the page now stands: a new dossier for the second applicant.
    again = officer.post(INTAKE, {**other, "idempotency_key": new_key})
    assert again.status_code == 302 and again["Location"] != first["Location"]
    assert sorted(Dossier.objects.values_list("applicant_name", flat=True)) == [
        "Nguyễn Thị Hoa",
        "Trần Văn Bình",
    ]


def test_an_organisation_is_received_with_its_tax_code_and_representative(officer, frozen):
    data = form_data(
        kind="organisation",
        full_name="",
        citizen_id="",
        date_of_birth="",
        org_name="Công ty TNHH Hòa Bình",
        tax_code="0101234567",
        representative="Trần Văn An",
        result_delivery="post",
    )
    assert officer.post(INTAKE, data).status_code == 302
    d = Dossier.objects.get()
    assert (d.applicant_kind, d.applicant_name, d.tax_code, d.representative, d.citizen_id) == (
        "organisation",
        "Công ty TNHH Hòa Bình",
        "0101234567",
        "Trần Văn An",
        "",
    )
    assert d.result_delivery == "post"


def test_refusing_needs_a_reason_and_then_records_it(officer, frozen):
    missing = officer.post(INTAKE, form_data(action="refuse"))
    assert missing.status_code == 400
    assert "Nhập lý do từ chối tiếp nhận" in missing.content.decode()
    assert Dossier.objects.count() == 0

    reason = "Thủ tục không thuộc thẩm quyền: hai bên cư trú ở xã khác."
    response = officer.post(INTAKE, form_data(action="refuse", refusal_reason=reason))
    d = Dossier.objects.get()
    assert response["Location"] == f"/quay/tiep-nhan/{d.uid}/"
    assert (d.state, d.status_code) == ("refused", 3)
    assert d.events.get(action="refuse").note == reason
    body = officer.get(response["Location"]).content.decode()
    assert "Đã từ chối tiếp nhận hồ sơ" in body and reason in body
    assert f'href="/bieu-mau/{d.uid}/mau-03.pdf"' in body


def test_a_supplement_request_first_lists_the_missing_mandatory_documents_for_their_reasons(officer, frozen):
    # TP02 (mandatory) not ticked, nothing listed yet: the form comes back with it as an item.
    data = form_data(action="supplement", tp_tp02_received=None)
    response = officer.post(INTAKE, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form["item_0_name"].value() == "Giấy xác nhận tình trạng hôn nhân"
    assert form["item_0_reason"].errors == ["Ghi rõ lý do cần bổ sung."]
    assert "rồi bấm lại «Yêu cầu bổ sung»" in response.content.decode()
    assert Dossier.objects.count() == 0

    data.update(
        item_0_name="Giấy xác nhận tình trạng hôn nhân",
        item_0_reason="Bản đã nộp hết hạn (quá 6 tháng).",
        item_1_name="Ảnh chân dung",
        item_1_reason="Thiếu.",
        supplement_note="Nộp bổ sung tại quầy số 2.",
        tp_tp01_files=[upload("to-khai.pdf", PDF)],
    )
    response = officer.post(INTAKE, data)
    d = Dossier.objects.get()
    assert response["Location"] == f"/quay/tiep-nhan/{d.uid}/"
    assert (d.state, d.status_code) == ("intake_supplement", 5)
    assert DossierFile.objects.get(document__dossier=d).document.requirement_code == "TP01"
    assert DossierPause.objects.get(dossier=d).items == [
        {"name": "Giấy xác nhận tình trạng hôn nhân", "reason": "Bản đã nộp hết hạn (quá 6 tháng)."},
        {"name": "Ảnh chân dung", "reason": "Thiếu."},
    ]
    body = officer.get(response["Location"]).content.decode()
    assert "Đã hướng dẫn bổ sung hồ sơ" in body and "Bản đã nộp hết hạn (quá 6 tháng)." in body
    assert f'href="/bieu-mau/{d.uid}/mau-02.pdf"' in body


# ---------------------------------------------------------------------------------------------
# Bad input: kept, explained, nothing saved


def _error_of(response, field: str) -> list[str]:
    return response.context["form"][field].errors


def test_an_invalid_citizen_id_is_explained_beside_the_field_with_everything_kept(officer, frozen):
    response = officer.post(INTAKE, form_data(citizen_id="003190012345", address="Số 5 ngõ Trạm"))
    assert response.status_code == 400
    assert Dossier.objects.count() == 0
    assert "mã tỉnh nơi đăng ký khai sinh “003” không tồn tại" in _error_of(response, "citizen_id")[0]
    body = response.content.decode()
    assert 'id="id_citizen_id_error"' in body and 'aria-invalid="true"' in body
    for kept in [
        'value="003190012345"',
        'value="Nguyễn Thị Hoa"',
        'value="17/05/1990"',
        'value="Số 5 ngõ Trạm"',
    ]:
        assert kept in body
    assert 'id="id_tp_tp02_received" checked' in body or 'checked id="id_tp_tp02_received"' in body


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("00119001234", "phải gồm đúng 12 chữ số"),
        ("00119001234X", "phải gồm đúng 12 chữ số"),
        ("001185012345", "không khớp với năm sinh 1990"),  # digits say 1985
    ],
)
def test_citizen_ids_are_checked_digit_by_digit(officer, frozen, value, message):
    response = officer.post(INTAKE, form_data(citizen_id=value))
    assert response.status_code == 400
    assert message in _error_of(response, "citizen_id")[0]


def test_a_missing_applicant_name_and_a_bad_date_are_explained(officer, frozen):
    response = officer.post(INTAKE, form_data(full_name="  ", date_of_birth="1990-05-17", email="hoa@"))
    assert response.status_code == 400
    assert _error_of(response, "full_name") == ["Nhập họ và tên người nộp hồ sơ."]
    assert _error_of(response, "date_of_birth") == [
        "Ngày sinh phải theo dạng ngày/tháng/năm, ví dụ 05/09/1990."
    ]
    assert "Địa chỉ thư điện tử không hợp lệ" in _error_of(response, "email")[0]
    assert Dossier.objects.count() == 0


def test_an_organisation_needs_its_name_tax_code_and_representative(officer, frozen):
    response = officer.post(INTAKE, form_data(kind="organisation", tax_code="12345"))
    assert response.status_code == 400
    assert _error_of(response, "org_name") == ["Nhập tên tổ chức, doanh nghiệp."]
    assert "Mã số thuế gồm 10 chữ số" in _error_of(response, "tax_code")[0]
    assert _error_of(response, "representative") == ["Nhập họ tên người đại diện."]


def test_a_file_that_is_not_a_pdf_or_image_is_refused_before_anything_is_saved(officer, frozen):
    fake = upload("giay-to.pdf", b"MZ\x90\x00 this is a program, not a scan")
    response = officer.post(INTAKE, form_data(tp_tp01_files=[upload("ok.pdf", PDF), fake]))
    assert response.status_code == 400
    assert _error_of(response, "tp_tp01_files") == ["Tệp “giay-to.pdf” không phải PDF, JPEG hoặc PNG."]
    assert "hãy chọn lại tệp" in response.content.decode()
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0


def test_a_file_too_large_is_refused(officer, frozen, settings):
    settings.DOSSIER_FILE_MAX_BYTES = 1024
    big = upload("lon.pdf", PDF[:-7] + b"0" * 2000 + b"\n%%EOF\n")
    response = officer.post(INTAKE, form_data(tp_tp01_files=[big]))
    assert response.status_code == 400
    assert "lớn hơn" in _error_of(response, "tp_tp01_files")[0]
    assert Dossier.objects.count() == 0


def test_a_file_on_an_unticked_document_is_pointed_out(officer, frozen):
    response = officer.post(INTAKE, form_data(tp_tp03_files=[upload("anh.png", png_bytes())]))
    assert response.status_code == 400
    assert _error_of(response, "tp_tp03_files") == ["Đánh dấu đã nhận giấy tờ này, hoặc bỏ các tệp đã chọn."]


def test_receiving_without_a_mandatory_document_is_refused_with_the_way_out(officer, frozen):
    response = officer.post(INTAKE, form_data(tp_tp02_received=None))
    assert response.status_code == 400
    assert _error_of(response, "tp_tp02_received") == ["Giấy tờ bắt buộc chưa nhận."]
    assert "chọn «Yêu cầu bổ sung»" in response.content.decode()
    assert Dossier.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Trả kết quả


def test_the_return_page_is_one_autofocused_code_field(officer, frozen):
    body = officer.get(RETURN).content.decode()
    assert '<label for="ma">Mã hồ sơ</label>' in body
    assert 'id="ma" name="ma"' in body and "autofocus" in body


def test_a_scanned_tracking_address_finds_the_dossier_and_the_result_is_handed_over(officer, world, frozen):
    d = finished_dossier(world, frozen)
    scanned = f"http://motcua.example.vn/tra-cuu/?ma={d.code.lower()}&pin={d.pin}"
    page = officer.get(RETURN, {"ma": scanned})
    assert page.status_code == 200
    assert page.context["dossier"] == d
    body = page.content.decode()
    assert f"Hồ sơ {d.code}" in body and "Xác nhận đã trả kết quả" in body
    assert page.context["form"]["version"].value() == d.version

    frozen.move_to(vn(2026, 3, 6, 14, 0))
    response = officer.post(
        RETURN,
        {
            "code": d.code,
            "version": d.version,
            "method": "counter",
            "collected_by": "Lê Văn Nhận",
            "collector_id": "001090000123",
        },
    )
    assert response.status_code == 302 and response["Location"] == RETURN
    d.refresh_from_db()
    assert (d.state, d.status_code) == ("returned", 10)
    assert d.collected_by == "Lê Văn Nhận (số giấy tờ 001090000123)"
    assert d.returned_at == vn(2026, 3, 6, 14, 0)
    assert f"Hồ sơ {d.code}: đã trả kết quả cho Lê Văn Nhận." in officer.get(RETURN).content.decode()


def test_a_plain_code_typed_by_the_scanner_is_accepted(officer, world, frozen):
    d = finished_dossier(world, frozen)
    assert officer.get(RETURN, {"ma": f"  {d.code}  "}).context["dossier"] == d


def test_a_result_can_go_by_post_with_its_tracking_number(officer, world, frozen):
    d = finished_dossier(world, frozen)
    missing = officer.post(RETURN, {"code": d.code, "version": d.version, "method": "post"})
    assert missing.status_code == 400
    assert missing.context["form"]["postal_tracking"].errors == ["Nhập mã bưu gửi do bưu điện cấp."]
    response = officer.post(
        RETURN, {"code": d.code, "version": d.version, "method": "post", "postal_tracking": "EL123456789VN"}
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.state, d.postal_tracking, d.collected_by) == ("returned", "EL123456789VN", "")


def test_who_collected_is_required_at_the_counter(officer, world, frozen):
    d = finished_dossier(world, frozen)
    response = officer.post(RETURN, {"code": d.code, "version": d.version, "method": "counter"})
    assert response.status_code == 400
    assert response.context["form"]["collected_by"].errors == ["Nhập họ tên người nhận kết quả."]
    d.refresh_from_db()
    assert d.state == "finished"


def test_a_dossier_changed_meanwhile_is_reloaded_with_a_message(officer, world, frozen):
    d = finished_dossier(world, frozen)
    seen = d.version
    services.dossier_add_comment(actor=world.receptionist, dossier=d, body="Đã gọi điện báo công dân.")
    services.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, collected_by="Người khác"
    )
    response = officer.post(
        RETURN, {"code": d.code, "version": seen, "method": "counter", "collected_by": "Lê Văn Nhận"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{RETURN}?ma={d.code}"
    d.refresh_from_db()
    assert d.collected_by == "Người khác"
    page = officer.get(response["Location"])
    body = page.content.decode()
    assert "Hồ sơ đã thay đổi" in body
    assert page.context["dossier"].state == "returned" and page.context["form"] is None


def test_a_dossier_without_a_result_yet_cannot_be_returned(officer, received):
    page = officer.get(RETURN, {"ma": received.code})
    assert page.status_code == 200
    assert page.context["form"] is None
    body = page.content.decode()
    assert "Chưa trả được kết quả." in body
    assert "Hồ sơ đang được giải quyết" in body and "hẹn trả 08:00 ngày 09/03/2026" in body
    response = officer.post(
        RETURN, {"code": received.code, "version": received.version, "method": "counter", "collected_by": "A"}
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.state == "received"


def test_an_unknown_code_and_another_communes_dossier_get_the_same_answer(client, world, received):
    client.force_login(world.outsider)
    outside = client.get(RETURN, {"ma": received.code})
    assert outside.status_code == 404  # as for a code that does not exist: no way to enumerate
    assert f"Không tìm thấy hồ sơ mã “{received.code}”" in outside.content.decode()
    unknown = client.get(RETURN, {"ma": "000.01.32.H99-260302-9999"})
    assert unknown.status_code == 404
    assert "Không tìm thấy hồ sơ mã “000.01.32.H99-260302-9999”" in unknown.content.decode()
    assert client.get(f"/quay/tiep-nhan/{received.uid}/").status_code == 404


def test_a_public_service_centre_receives_for_a_department_it_chooses(client, world, frozen):
    from motcua.catalog import services as catalog_services

    catalog_services.offering_create(agency=world.tree.department, procedure=world.procedure, actor=None)
    centre_officer = make_staff("quay_tinh", world.tree.centre, Role.RECEPTIONIST)
    client.force_login(centre_officer)
    assert [p.code for p in client.get(INTAKE, {"q": "ket hon"}).context["results"]] == [PROCEDURE_CODE]
    page = client.get(INTAKE, {"thu-tuc": PROCEDURE_CODE})
    # Everything offered under the province, communes included (reception anywhere in the province).
    assert page.context["form"].fields["handling_agency"].choices == [
        ("", "— Chọn cơ quan giải quyết —"),
        ("000.00.11.H99", "Sở Tư pháp tỉnh Thử Nghiệm"),
        ("000.00.31.H99", "Ủy ban nhân dân xã An Bình"),
    ]
    assert "Cơ quan giải quyết" in page.content.decode()

    unchosen = client.post(INTAKE, form_data())
    assert unchosen.status_code == 400
    assert _error_of(unchosen, "handling_agency") == ["Chọn cơ quan giải quyết hồ sơ."]
    response = client.post(INTAKE, form_data(handling_agency="000.00.32.H99"))  # commune B does not offer it
    assert response.status_code == 400
    assert _error_of(response, "handling_agency") == ["Cơ quan này không giải quyết thủ tục đã chọn."]

    assert client.post(INTAKE, form_data(handling_agency="000.00.11.H99")).status_code == 302
    d = Dossier.objects.get()
    assert d.code.startswith("000.00.01.H99-260302-")
    assert (d.receiving_agency, d.handling_agency) == (world.tree.centre, world.tree.department)


def test_a_commune_officer_is_not_asked_for_the_handling_agency(officer, frozen):
    assert "handling_agency" not in officer.get(INTAKE, {"thu-tuc": PROCEDURE_CODE}).context["form"].fields


def test_a_change_landing_between_reading_and_writing_is_reported_and_reloaded(
    officer, world, frozen, monkeypatch
):
    from motcua.dossiers import selectors
    from motcua.dossiers.views import counter

    d = finished_dossier(world, frozen)
    real = selectors.dossier_for_staff
    calls = []

    def read_then_someone_else_returns_it(user, code, *, ip=None):
        seen = real(user, code, ip=ip)
        if not calls:  # a colleague hands the result over right after this officer's read
            other = real(user, code)
            services.dossier_return_result(
                actor=world.receptionist,
                dossier=other,
                expected_version=other.version,
                collected_by="Đồng nghiệp",
            )
        calls.append(code)
        return seen

    monkeypatch.setattr(counter.selectors, "dossier_for_staff", read_then_someone_else_returns_it)
    response = officer.post(
        RETURN, {"code": d.code, "version": d.version, "method": "counter", "collected_by": "Lê Văn Nhận"}
    )
    assert response.status_code == 302 and response["Location"] == f"{RETURN}?ma={d.code}"
    d.refresh_from_db()
    assert (d.state, d.collected_by) == ("returned", "Đồng nghiệp")
    assert "Hồ sơ đã thay đổi trong lúc bạn thao tác" in officer.get(response["Location"]).content.decode()
