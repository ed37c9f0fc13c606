"""The printed forms 01–07: each PDF's text (extracted with pypdf), page size and QR code.

Dossiers come from the real services (fixtures in conftest.py: commune A's one-stop unit
receives on Monday 02/03/2026 08:00, appointment five working days later); states the services
reach only with much set-up (late steps, an open overdue step) come from print_factories.

Set MOTCUA_FORMS_DIR=var/forms to keep the PDFs and look at them (pdftoppm -r 110 -png …).
"""

import io
import os
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from django.test import RequestFactory
from pypdf import PageObject, PdfReader

from motcua.catalog import services as catalog_services
from motcua.dossiers import printing, printing_register, services
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ApplicantData, SupplementItem
from motcua.dossiers.tests import print_factories as pf
from motcua.dossiers.tests.conftest import intake, vn

pytestmark = pytest.mark.django_db

A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)
APPLICANT = ApplicantData(
    kind="person",
    name="Nguyễn Thị Thu Hường",
    citizen_id="001190012345",
    date_of_birth=date(1990, 5, 17),
    phone="0912 345 678",
    email="huong@example.vn",
    address="Thôn Đông Hưng, xã An Bình",
)


def pdf_pages(pdf: bytes) -> Sequence[PageObject]:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf)).pages


def pdf_text(pdf: bytes) -> str:
    """All pages' text, NFC, whitespace runs (line breaks in table cells) made one space."""
    text = " ".join(page.extract_text() for page in pdf_pages(pdf))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in pdf_pages(pdf)]


def keep(name: str, pdf: bytes) -> bytes:
    folder = os.environ.get("MOTCUA_FORMS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.pdf").write_bytes(pdf)
    return pdf


def qr_modules(image) -> list[list[bool]]:
    """Read back the QR code's modules (dark = True) by sampling the centre of each."""
    grey = image.convert("L")
    box = printing.QR_BOX_SIZE
    count = grey.size[0] // box
    return [
        [grey.getpixel((x * box + box // 2, y * box + box // 2)) < 128 for x in range(count)]
        for y in range(count)
    ]


def receive(world, **overrides):
    return services.dossier_receive(
        actor=world.receptionist, data=intake(world, applicant=APPLICANT, **overrides)
    )


def assert_header(text: str, *, number: str, place_date: str):
    assert f"Mẫu số {number}" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert place_date in text


# ---------------------------------------------------------------------------------------------
# Mẫu 01


def test_receipt_names_the_applicant_documents_times_officer_and_pin_on_one_a5_page(world, frozen):
    dossier = receive(world)
    pdf = keep("mau-01", printing.render_form("01", dossier))

    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert_header(text, number="01", place_date="An Bình, ngày 02 tháng 03 năm 2026")
    assert "ỦY BAN NHÂN DÂN XÃ AN BÌNH" in text  # the one-stop unit under its committee
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {dossier.code}" in text and dossier.code == "000.01.31.H99-260302-0001"
    assert "Họ và tên người nộp: Nguyễn Thị Thu Hường" in text
    assert "Số định danh cá nhân: 001190012345" in text
    assert "Nội dung yêu cầu giải quyết: Thủ tục đăng ký kết hôn" in text
    assert "1 Tờ khai đăng ký kết hôn 1" in text
    assert "2 Giấy xác nhận tình trạng hôn nhân 1" in text
    assert "Thời gian giải quyết hồ sơ theo quy định: 05 ngày làm việc" in text
    assert "Thời gian nhận hồ sơ: 08 giờ 00 phút, ngày 02/03/2026" in text
    # Five working days from Monday 08:00: the next Monday 08:00.
    assert "Thời gian trả kết quả giải quyết hồ sơ: 08 giờ 00 phút, ngày 09/03/2026" in text
    assert "Hình thức nhận kết quả: Nhận tại Bộ phận Một cửa" in text
    assert f"Mã tra cứu (PIN) {dossier.pin}" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Tân" in text
    assert f"http://127.0.0.1:8000/tra-cuu/?ma={dossier.code}" in text


def test_receipt_qr_code_reads_back_as_the_tracking_address(world, frozen):
    dossier = receive(world)
    pdf = printing.render_form("01", dossier)

    images = pdf_pages(pdf)[0].images
    assert len(images) == 1
    modules = qr_modules(images[0].image)
    url = f"http://127.0.0.1:8000/tra-cuu/?ma={dossier.code}"
    assert modules == printing.qr_code(url).get_matrix()
    assert modules != printing.qr_code(url.replace("0001", "0002")).get_matrix()


def test_tracking_address_prefers_the_public_url_setting_then_the_request(world, frozen, settings):
    settings.ALLOWED_HOSTS = ["motcua.an-binh.gov.vn"]
    dossier = receive(world)
    request = RequestFactory().get("/bieu-mau/", HTTP_HOST="motcua.an-binh.gov.vn", secure=True)

    html = printing.form_html("01", dossier, request=request)
    assert f"https://motcua.an-binh.gov.vn/tra-cuu/?ma={dossier.code}" in html
    assert 'src="data:image/png;base64,' in html

    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.thunghiem.gov.vn/"
    assert printing.tracking_url(dossier.code, request=request) == (
        f"https://dichvucong.thunghiem.gov.vn/tra-cuu/?ma={dossier.code}"
    )


# ---------------------------------------------------------------------------------------------
# Mẫu 02


def test_supplement_request_at_the_counter_lists_each_missing_item_and_why(world, frozen):
    dossier = services.dossier_request_supplement(
        actor=world.receptionist,
        data=intake(world, applicant=APPLICANT),
        items=[
            SupplementItem("Giấy xác nhận tình trạng hôn nhân", "Đã quá 6 tháng kể từ ngày cấp."),
            SupplementItem("Bản sao Căn cước của bên nam", "Ảnh chụp mờ, không đọc được số định danh."),
        ],
    )
    pdf = keep("mau-02", printing.render_form("02", dossier))

    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert_header(text, number="02", place_date="An Bình, ngày 02 tháng 03 năm 2026")
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert f"Số: {dossier.code}/HDHS" in text
    assert "Nguyễn Thị Thu Hường" in text
    assert "Qua kiểm tra, hồ sơ chưa đầy đủ, hợp lệ." in text
    assert "1 Giấy xác nhận tình trạng hôn nhân Đã quá 6 tháng kể từ ngày cấp." in text
    assert "2 Bản sao Căn cước của bên nam Ảnh chụp mờ, không đọc được số định danh." in text
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Lê Thị Tân" in text


def test_supplement_request_during_processing_says_the_clock_restarts(world, frozen):
    dossier = receive(world)
    frozen.move_to(vn(2026, 3, 2, 9, 0))
    dossier = services.dossier_forward(
        actor=world.receptionist, dossier=dossier, expected_version=dossier.version
    )
    dossier = services.dossier_assign(
        actor=world.leader, dossier=dossier, expected_version=dossier.version, officer=world.specialist
    )
    frozen.move_to(vn(2026, 3, 3, 10, 0))
    dossier = services.dossier_request_supplement(
        actor=world.specialist,
        dossier=dossier,
        expected_version=dossier.version,
        items=[SupplementItem("Giấy xác nhận tình trạng hôn nhân", "Ghi sai năm sinh của bên nữ.")],
    )

    text = pdf_text(printing.render_form("02", dossier))
    assert "An Bình, ngày 03 tháng 03 năm 2026" in text
    assert "Qua thẩm định, hồ sơ chưa đủ điều kiện giải quyết." in text
    assert "1 Giấy xác nhận tình trạng hôn nhân Ghi sai năm sinh của bên nữ." in text
    assert "Thời hạn giải quyết được tính lại từ đầu sau khi nhận đủ hồ sơ bổ sung." in text
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Nguyễn Văn Chuyên" in text


# ---------------------------------------------------------------------------------------------
# Mẫu 03


def test_refusal_at_the_counter_gives_the_reason_and_the_receiving_officer(world, frozen):
    reason = "Thủ tục không thuộc thẩm quyền của UBND xã: cả hai bên đều cư trú ở nước ngoài."
    dossier = services.dossier_refuse(
        actor=world.receptionist, reason=reason, data=intake(world, applicant=APPLICANT)
    )
    pdf = keep("mau-03", printing.render_form("03", dossier))

    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert_header(text, number="03", place_date="An Bình, ngày 02 tháng 03 năm 2026")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text
    assert f"Mã hồ sơ: {dossier.code}" in text
    assert "Họ và tên người nộp: Nguyễn Thị Thu Hường" in text
    assert "không tiếp nhận hồ sơ này với lý do cụ thể như sau: " + reason in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Tân" in text


def test_rejection_after_appraisal_comes_from_the_handling_committee_and_its_head(world, frozen):
    dossier = receive(world)
    frozen.move_to(vn(2026, 3, 2, 9, 0))
    dossier = services.dossier_forward(
        actor=world.receptionist, dossier=dossier, expected_version=dossier.version
    )
    frozen.move_to(vn(2026, 3, 4, 15, 0))
    dossier = services.dossier_forward(  # the specialist's appraisal done: to the leader
        actor=world.specialist, dossier=dossier, expected_version=dossier.version, officer=world.leader
    )
    reason = "Bên nam chưa đủ 20 tuổi tại ngày đăng ký kết hôn (khoản 1 Điều 8 Luật Hôn nhân và gia đình)."
    dossier = services.dossier_reject(
        actor=world.leader, dossier=dossier, expected_version=dossier.version, reason=reason
    )

    text = pdf_text(printing.render_form("03", dossier))
    assert "ỦY BAN NHÂN DÂN XÃ AN BÌNH" in text and "TRUNG TÂM PHỤC VỤ" not in text
    assert "An Bình, ngày 04 tháng 03 năm 2026" in text
    assert "Ủy ban nhân dân xã An Bình không giải quyết hồ sơ này với lý do cụ thể như sau: " + reason in text
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Trịnh Văn Lãnh" in text


# ---------------------------------------------------------------------------------------------
# Mẫu 04


def test_apology_gives_the_reason_and_the_old_and_new_appointments(world, frozen):
    dossier = receive(world)
    frozen.move_to(vn(2026, 3, 3, 9, 0))
    reason = "Cần xác minh tình trạng hôn nhân của bên nam tại nơi cư trú trước đây (tỉnh Bình Định)."
    dossier = services.dossier_extend(
        actor=world.leader,
        dossier=dossier,
        expected_version=dossier.version,
        reason=reason,
        new_due_at=vn(2026, 3, 12, 16, 0),
    )
    pdf = keep("mau-04", printing.render_form("04", dossier))

    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert_header(text, number="04", place_date="An Bình, ngày 03 tháng 03 năm 2026")
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Kính gửi: Ông/Bà Nguyễn Thị Thu Hường" in text
    assert f"mã hồ sơ {dossier.code}" in text
    assert "hẹn trả kết quả vào 08 giờ 00 phút, ngày 09/03/2026" in text
    assert reason in text
    assert "hẹn lại thời gian trả kết quả giải quyết hồ sơ vào 16 giờ 00 phút, ngày 12/03/2026" in text
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Trịnh Văn Lãnh" in text


# ---------------------------------------------------------------------------------------------
# Mẫu 05


def test_notice_of_stopping_gives_the_day_and_the_reason(world, frozen):
    dossier = receive(world)
    frozen.move_to(vn(2026, 3, 4, 10, 30))
    reason = "Tòa án nhân dân khu vực 3 đang thụ lý yêu cầu hủy việc kết hôn trái pháp luật của bên nam."
    dossier = services.dossier_stop(
        actor=world.leader, dossier=dossier, expected_version=dossier.version, reason=reason
    )
    pdf = keep("mau-05", printing.render_form("05", dossier))

    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert_header(text, number="05", place_date="An Bình, ngày 04 tháng 03 năm 2026")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    # Issued by the competent committee, not the one-stop unit that held the dossier.
    assert "ỦY BAN NHÂN DÂN XÃ AN BÌNH" in text and "TRUNG TÂM PHỤC VỤ" not in text
    assert "Ủy ban nhân dân xã An Bình thông báo dừng giải quyết hồ sơ" in text
    assert "Kính gửi: Ông/Bà Nguyễn Thị Thu Hường" in text
    assert "thông báo dừng giải quyết hồ sơ nêu trên kể từ ngày 04/03/2026" in text
    assert reason in text


def test_notice_after_a_withdrawal_says_it_was_the_applicants_request(world, frozen):
    dossier = receive(world)
    dossier = services.dossier_withdraw(
        actor=world.receptionist,
        dossier=dossier,
        expected_version=dossier.version,
        reason="Người nộp xin rút hồ sơ.",
    )
    text = pdf_text(printing.render_form("05", dossier))
    assert "theo đề nghị rút hồ sơ của Ông/Bà" in text
    assert "Người nộp xin rút hồ sơ." in text


# ---------------------------------------------------------------------------------------------
# Mẫu 06


def test_control_slip_has_one_row_per_hand_over_with_people_times_and_result(world, frozen):
    dossier = receive(world)
    frozen.move_to(vn(2026, 3, 2, 9, 0))
    dossier = services.dossier_forward(
        actor=world.receptionist, dossier=dossier, expected_version=dossier.version
    )
    dossier = services.dossier_assign(
        actor=world.leader, dossier=dossier, expected_version=dossier.version, officer=world.specialist
    )
    frozen.move_to(vn(2026, 3, 4, 10, 0))
    dossier = services.dossier_forward(
        actor=world.specialist, dossier=dossier, expected_version=dossier.version, officer=world.leader
    )
    frozen.move_to(vn(2026, 3, 5, 8, 0))
    dossier = services.dossier_approve(actor=world.leader, dossier=dossier, expected_version=dossier.version)
    dossier = services.dossier_finish(
        actor=world.receptionist, dossier=dossier, expected_version=dossier.version
    )
    pdf = keep("mau-06", printing.render_form("06", dossier))

    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert_header(text, number="06", place_date="An Bình, ngày 02 tháng 03 năm 2026")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Kèm theo hồ sơ của: Nguyễn Thị Thu Hường" in text
    assert "Cơ quan chủ trì giải quyết: Ủy ban nhân dân xã An Bình" in text
    rows = [(s.seq, s.name) for s in dossier.steps.order_by("seq")]
    assert rows == [(1, "Tiếp nhận hồ sơ"), (2, "Thẩm định hồ sơ"), (3, "Phê duyệt"), (4, "Trả kết quả")]
    # Row 2: taken at 09:00 Monday with 24 working hours, done Wednesday 10:00: early.
    assert (
        "2 Thẩm định hồ sơ Ủy ban nhân dân xã An Bình Lê Thị Tân → Nguyễn Văn Chuyên "
        "Nhận: 02/03/2026 09:00 Hạn: 05/03/2026 09:00 Xong: 04/03/2026 10:00 Trước hạn"
    ) in text
    assert (
        "3 Phê duyệt Ủy ban nhân dân xã An Bình Nguyễn Văn Chuyên → Trịnh Văn Lãnh Nhận: 04/03/2026 10:00"
        in text
    )
    # Handed back to the one-stop unit before anyone there took it: the unit is the receiver.
    assert (
        "4 Trả kết quả Trung tâm Phục vụ hành chính công xã An Bình Trịnh Văn Lãnh → "
        "Trung tâm Phục vụ hành chính công xã An Bình"
    ) in text
    assert "Có kết quả lúc 05/03/2026 08:00" in text


def test_control_slip_marks_late_steps_and_an_open_step_past_its_due_time(db):
    world = pf.build_print_world()
    dossier = pf.make_dossier(world)
    pf.add_processing_steps(world, dossier)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(printing.timezone, "now", lambda: pf.at(23, 9, 0))
        text = pdf_text(printing.render_form("06", dossier))

    assert "4 Lãnh đạo UBND xã ký duyệt Ủy ban nhân dân xã An Bình Hoàng Thị Thảo → Nguyễn Văn Hùng" in text
    assert "Hạn: 19/11/2026 10:00 Xong: 19/11/2026 15:20 Quá hạn" in text
    assert "Hạn: 20/11/2026 16:30 Xong: — Đang xử lý, đã quá hạn" in text
    # The reception row: the applicant hands the dossier to the officer.
    assert (
        "1 Tiếp nhận hồ sơ Trung tâm Phục vụ hành chính công xã An Bình Nguyễn Thị Thu Hường → Lê Thị Tân"
        in text
    )


# ---------------------------------------------------------------------------------------------
# Mẫu 07


def test_register_lists_the_agencys_dossiers_of_the_period_on_a4_landscape(world, frozen):
    catalog_services.offering_create(agency=world.tree.commune_b, procedure=world.procedure, actor=None)
    first = receive(world)
    frozen.move_to(vn(2026, 3, 3, 14, 0))
    second = services.dossier_receive(actor=world.receptionist, data=intake(world))
    elsewhere = services.dossier_receive(
        actor=world.outsider, data=intake(world, receiving_agency="000.01.32.H99")
    )
    frozen.move_to(vn(2026, 4, 1, 8, 0))
    later = receive(world)
    frozen.move_to(vn(2026, 3, 4, 9, 0))
    # The first one is finished early, the second still open and (on 12/3) overdue.
    first = services.dossier_forward(actor=world.receptionist, dossier=first, expected_version=first.version)
    first = services.dossier_forward(actor=world.specialist, dossier=first, expected_version=first.version)
    first = services.dossier_approve(actor=world.leader, dossier=first, expected_version=first.version)
    first = services.dossier_finish(actor=world.receptionist, dossier=first, expected_version=first.version)
    frozen.move_to(vn(2026, 3, 12, 9, 0))

    dossiers = printing_register.register_dossiers(
        agency=world.tree.commune_a, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    assert [d.code for d in dossiers] == [first.code, second.code]
    pdf = keep(
        "mau-07",
        printing_register.render_register(
            agency=world.tree.commune_a,
            date_from=date(2026, 3, 1),
            date_to=date(2026, 3, 31),
            dossiers=dossiers,
        ),
    )

    assert set(page_sizes(pdf)) == {A4_LANDSCAPE}
    text = pdf_text(pdf)
    assert_header(text, number="07", place_date="An Bình, ngày 12 tháng 03 năm 2026")
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    for dossier in (first, second):
        agency_part, _, rest = dossier.code.partition("-")
        assert f"{agency_part}- {rest}" in text
    assert elsewhere.code.partition("-")[0] not in text.replace("000.01.31.H99", "")
    assert later.code.rpartition("-")[0].partition("-")[2] not in text  # 260401: April is outside
    assert "Nguyễn Thị Thu Hường" in text and "Nguyễn Thị Hoa" in text
    assert "Thủ tục đăng ký kết hôn" in text
    assert "02/03/2026 08:00 09/03/2026 08:00 04/03/2026 09:00" in text  # received, due, finished
    assert "Có kết quả, chờ trả Mã trạng thái 9 Trước hạn" in text
    assert "Đang giải quyết, đã quá hạn" in text
    assert "Tổng số: 2 hồ sơ; đã giải quyết trước hạn 1, đúng hạn 0, quá hạn 0; đang giải quyết 1" in text


def test_register_of_an_empty_period_says_so(world, frozen):
    pdf = printing_register.render_register(
        agency=world.tree.one_stop_a, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31), dossiers=[]
    )
    text = pdf_text(pdf)
    assert "Không có hồ sơ nào được tiếp nhận trong kỳ." in text
    assert "Tổng số: 0 hồ sơ" in text


FORMULA_NAMES = [
    '=HYPERLINK("http://ke-gian.example/","Bấm vào đây")',
    "+84912345678",
    "-1+2",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def test_register_xlsx_writes_formula_like_text_from_applicants_as_literal_text(world, frozen):
    """OWASP's mitigation, in XLSX: a string cell whose style has quotePrefix (Excel's own "'")."""
    from openpyxl import load_workbook

    codes = []
    for name in FORMULA_NAMES:
        dossier = receive(world)
        # Stored as is (leading blanks are stripped at intake; data from older imports is not).
        Dossier.objects.filter(pk=dossier.pk).update(applicant_name=name, address="=1+1")
        codes.append(dossier.code)
    dossiers = printing_register.register_dossiers(
        agency=world.tree.commune_a, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    content = printing_register.render_register_xlsx(
        agency=world.tree.commune_a, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), dossiers=dossiers
    )

    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[4]]
    name_col, address_col = header.index("Người nộp hồ sơ"), header.index("Địa chỉ")
    rows = list(sheet.iter_rows(min_row=5, max_row=4 + len(FORMULA_NAMES)))
    assert [row[1].value for row in rows] == codes
    for row, name in zip(rows, FORMULA_NAMES, strict=True):
        for cell, value in ((row[name_col], name), (row[address_col], "=1+1")):
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            assert cell.quotePrefix is True
            # The text as written (a carriage return may come back as a line feed: openpyxl reads
            # with lxml when installed — pyHanko brings it — and with the standard library else).
            assert cell.value.replace("\r", "\n") == value.replace("\r", "\n")
    # Ordinary text is left alone.
    assert rows[0][header.index("Tên thủ tục hành chính")].quotePrefix is False


# ---------------------------------------------------------------------------------------------
# Robustness


def test_every_form_renders_with_blanks_when_optional_data_is_missing(db):
    world = pf.build_print_world()
    dossier = pf.make_dossier(
        world,
        documents=[],
        applicant="Công ty TNHH Thương mại Đức Thịnh",
        applicant_kind=Dossier.ApplicantKind.ORGANISATION,
        citizen_id="",
        tax_code="0101234567",
        representative="",
        phone="",
        email="",
        address="",
        created_by=None,
    )
    for form in ("01", "02", "03", "04", "05", "06"):
        text = pdf_text(printing.render_form(form, dossier))
        assert f"Mẫu số {form}" in text
        assert printing.FORMS[form].title.upper() in text
        assert "Công ty TNHH Thương mại Đức Thịnh" in text
    receipt = pdf_text(printing.render_form("01", dossier))
    assert "Tên tổ chức: Công ty TNHH Thương mại Đức Thịnh" in receipt
    assert "Mã số thuế: 0101234567" in receipt
    assert "(Chưa ghi nhận giấy tờ nào)" in receipt


def test_which_forms_apply_follows_what_happened_to_the_dossier(db):
    world = pf.build_print_world()
    received = pf.make_dossier(world, number=1)
    supplemented = pf.make_dossier(world, number=2)
    pf.add_supplement(world, supplemented)
    refused = pf.make_dossier(world, number=3)
    pf.add_refusal(world, refused)
    extended = pf.make_dossier(world, number=4)
    pf.add_extension(world, extended)
    stopped = pf.make_dossier(world, number=5)
    pf.add_stop(world, stopped)

    def numbers(d):
        return [info.number for info in printing.available_forms(d)]

    assert numbers(received) == ["01", "06"]
    assert numbers(supplemented) == ["01", "02", "06"]
    assert numbers(refused) == ["01", "03", "06"]
    assert numbers(extended) == ["01", "04", "06"]
    assert numbers(stopped) == ["01", "05", "06"]


def test_an_unknown_form_number_is_refused_in_vietnamese(db):
    world = pf.build_print_world()
    dossier = pf.make_dossier(world)
    from motcua.lib.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Không có biểu mẫu số “09”"):
        printing.render_form("09", dossier)


def test_the_register_does_not_call_a_paused_dossier_late(db):
    """Waiting for a supplement or a payment stops the clock: on 25/11 a dossier due on 20/11 that
    has waited for a supplement since 17/11 is not overdue (as in the inbox's "late" bucket),
    while one still being processed is."""
    world = pf.build_print_world()
    waiting = pf.make_dossier(world, number=1)
    pf.add_supplement(world, waiting)
    running = pf.make_dossier(world, number=2, state=Dossier.State.PROCESSING)
    now = pf.at(25, 9, 0)
    assert printing_register.register_row(1, waiting, now=now)["timeliness"] == "Đang tạm dừng tính thời hạn"
    assert printing_register.register_row(2, running, now=now)["timeliness"] == "Đang giải quyết, đã quá hạn"
    assert not waiting.clock_running and running.clock_running
