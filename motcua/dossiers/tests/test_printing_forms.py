"""The printed forms as a ward uses them (issue 9, item 8, and the written rejection of item 4):
Mẫu 01 with eight long catalogue names on one A5 page, officers signing with their names, Mẫu 04
before and after the appointment, Mẫu 02's contact telephone, the written rejection after
appraisal (Mẫu 03, "Phiếu từ chối giải quyết hồ sơ").

Set MOTCUA_FORMS_DIR=var/forms to keep the PDFs (then ``pdftoppm -r 70 -png`` and look).
"""

import io
import re
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from motcua.dossiers import printing, printing_register, services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests import print_factories as pf
from motcua.dossiers.tests.conftest import intake, vn
from motcua.dossiers.tests.test_printing import A5, APPLICANT, keep, page_sizes, pdf_text, receive
from motcua.org.models import Agency, Membership
from motcua.org.testing import make_staff

pytestmark = pytest.mark.django_db


def pdf_lines(pdf: bytes) -> list[str]:
    """The text line by line as laid out (NFC, spaces collapsed within a line)."""
    lines = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for line in unicodedata.normalize("NFC", page.extract_text()).splitlines():
            lines.append(re.sub(r"\s+", " ", line).strip())
    return lines


@pytest.fixture
def pworld(db):
    return pf.build_print_world()


# ---------------------------------------------------------------------------------------------
# Mẫu 01: eight documents with the catalogue's long names on one A5 page


def test_a_receipt_with_eight_long_catalogue_documents_fits_one_a5_page_with_its_signatures(
    pworld, monkeypatch
):
    dossier = pf.make_dossier(pworld, documents=pf.LONG_DOCUMENTS)
    pdf = keep("mau-01-tam-giay-to", printing.render_form("01", dossier))

    assert page_sizes(pdf) == [A5]  # one page
    text = pdf_text(pdf)
    for index in range(1, 9):
        assert f" {index} " in text
    # Each document is recognisable: the words that name it are printed.
    assert "Tờ khai đăng ký khai sinh theo mẫu" in text
    assert "Giấy chứng sinh; trường hợp không có Giấy" in text
    assert "Văn bản ủy quyền (được chứng thực)" in text
    assert "Giấy tờ có giá trị chứng minh thông tin về cư trú" in text
    assert "Hộ chiếu/Thẻ căn cước công dân" in text
    assert "Trường hợp khai sinh cho trẻ em sinh ra do mang" in text
    assert "Trường hợp trẻ em bị bỏ rơi" in text
    assert "Giấy chứng nhận kết hôn của cha, mẹ" in text
    assert "Số lượng hồ sơ: 01 bộ (9 bản giấy tờ)" in text
    assert "NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên)" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Tân" in text.replace(
        "Nguyễn Thị Thu Hường ", ""
    )

    # With every full name (nothing shortened) the same receipt would run onto a second page.
    monkeypatch.setattr(printing, "DOCUMENT_NAME_LIMITS", (None,))
    assert len(page_sizes(printing.render_form("01", dossier))) == 2


def test_an_organisations_receipt_with_eight_long_documents_also_fits_one_page(pworld):
    """The longest applicant block: an organisation with its representative, a long address and an
    e-mail, the result sent by post."""
    dossier = pf.make_dossier(
        pworld,
        documents=pf.LONG_DOCUMENTS,
        applicant="Công ty Trách nhiệm hữu hạn Thương mại và Dịch vụ Vận tải Đức Thịnh Phát",
        applicant_kind=Dossier.ApplicantKind.ORGANISATION,
        citizen_id="",
        tax_code="0101234567-001",
        representative="Nguyễn Văn Thịnh, Giám đốc",
        email="phongnhansu.ducthinhphat@congtyducthinhphat.com.vn",
        address="Số 145 đường Nguyễn Văn Linh, tổ dân phố Đông Hưng 2, xã An Bình, tỉnh Thử Nghiệm",
        result_delivery=Dossier.ResultDelivery.POST,
    )
    pdf = keep("mau-01-to-chuc-tam-giay-to", printing.render_form("01", dossier))
    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert "Hình thức nhận kết quả: Qua dịch vụ bưu chính" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên)" in text and text.endswith("Lê Thị Tân ")


def test_a_receipt_prints_full_document_names_when_they_fit(pworld):
    dossier = pf.make_dossier(pworld, documents=pf.LONG_DOCUMENTS[:2])
    text = pdf_text(printing.render_form("01", dossier))
    for name, _kind, _count in pf.LONG_DOCUMENTS[:2]:
        assert " ".join(name.split()) in text


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        # A closing condition in parentheses goes first.
        (
            80,
            "Tờ khai đăng ký khai sinh theo mẫu",
        ),
        # Then what follows the first sentence.
        (
            130,
            "Văn bản ủy quyền (được chứng thực) theo quy định của pháp luật trong trường hợp ủy quyền "
            "thực hiện việc đăng ký khai sinh",
        ),
        # Then the words past the limit, marked "…".
        (
            80,
            "Văn bản ủy quyền (được chứng thực) theo quy định của pháp luật trong trường…",
        ),
        (None, None),
    ],
)
def test_a_long_document_name_is_shortened_at_a_sentence_then_a_word(limit, expected):
    names = {
        "Tờ": pf.LONG_DOCUMENTS[0][0],
        "Văn": pf.LONG_DOCUMENTS[2][0],
    }
    if limit is None:
        assert printing.short_document_name("  Tờ khai  theo mẫu ", None) == "Tờ khai theo mẫu"
        return
    name = names[expected.split()[0]]
    short = printing.short_document_name(name, limit)
    assert short == expected
    assert len(short) <= limit


def test_a_sentence_ends_at_a_full_stop_before_a_capital_not_after_an_abbreviation():
    name = "Giấy xác nhận của Công an TP. Hồ Chí Minh về nơi cư trú. Trường hợp đã có dữ liệu thì không nộp."
    assert printing.first_sentence(name) == "Giấy xác nhận của Công an TP. Hồ Chí Minh về nơi cư trú"
    assert printing.first_sentence("Bản sao Giấy khai sinh.") == "Bản sao Giấy khai sinh."


# ---------------------------------------------------------------------------------------------
# Officers sign with their names, never their sign-in names


def test_every_form_names_the_officers_who_sign_and_never_a_username(pworld):
    leader = make_staff("pct_anbinh_02", pworld.tree.commune_a, Membership.Role.LEADER)
    # No full name: Django's two name fields; no name at all.
    leader.full_name, leader.first_name, leader.last_name = "", "Đỗ Minh", "Quang"
    leader.save()
    nameless = make_staff("chuyenvien_khong_ten", pworld.tree.commune_a, Membership.Role.SPECIALIST)
    nameless.full_name = ""
    nameless.save()
    dossier = pf.make_dossier(pworld)
    pf.add_processing_steps(pworld, dossier)
    pf.add_supplement(pworld, dossier)
    pf.add_extension(pworld, dossier)
    pf.add_stop(pworld, dossier)
    # The written rejection is signed by the leader who decided; the supplement was asked for by an
    # officer whose account has no name at all.
    DossierEvent.objects.create(
        dossier=dossier, action="reject", state=Dossier.State.FINISHED, status_code=9,
        at=pf.at(19, 15, 20), actor=leader, agency=pworld.tree.commune_a, note="Không đủ điều kiện.",
    )  # fmt: skip
    dossier.pauses.update(requested_by=nameless)

    signers = {
        "01": "Lê Thị Tân",  # the receiving officer
        "02": "",  # nameless: left blank for a handwritten name
        "03": "Đỗ Minh Quang",
        "04": "Nguyễn Văn Hùng",
        "05": "Nguyễn Văn Hùng",
        "06": "Hoàng Thị Thảo",  # hand-overs: giver and receiver by name
    }
    usernames = [
        pworld.receptionist.username, pworld.specialist.username, pworld.leader.username,
        leader.username, nameless.username,
    ]  # fmt: skip
    for form, name in signers.items():
        pdf = keep(f"mau-{form}-ky-ten", printing.render_form(form, dossier))
        text = pdf_text(pdf)
        if name:
            assert name in text, form
        for username in usernames:
            assert username not in text, (form, username)
    supplement = pdf_text(printing.render_form("02", dossier))
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên)" in supplement
    assert "người hướng dẫn:" not in supplement  # no name to give: no empty label

    register = pdf_text(
        keep(
            "mau-07-nguoi-lap-so",
            printing_register.render_register(
                agency=pworld.tree.commune_a,
                date_from=pf.at(1, 0).date(),
                date_to=pf.at(30, 0).date(),
                dossiers=Dossier.objects.filter(pk=dossier.pk),
                prepared_by=pworld.receptionist,
            ),
        )
    )
    assert "NGƯỜI LẬP SỔ (Ký và ghi rõ họ tên) Lê Thị Tân" in register
    assert pworld.receptionist.username not in register


def test_the_signing_name_is_the_full_name_then_djangos_names_then_blank():
    class Person:
        def __init__(self, full_name="", first_name="", last_name="", username="x_user"):
            self.full_name, self.first_name, self.last_name = full_name, first_name, last_name
            self.username = username

        def get_full_name(self):
            return self.full_name or self.username

    assert printing.person_name(Person(full_name="Lê Thị Tân")) == "Lê Thị Tân"
    assert printing.person_name(Person(first_name="Đỗ Minh", last_name="Quang")) == "Đỗ Minh Quang"
    assert printing.person_name(Person()) == ""
    assert printing.person_name(None) == ""


# ---------------------------------------------------------------------------------------------
# Mẫu 04: before the appointment (not late) and after it (late)


def apology(world, frozen, *, late: bool):
    """Received Monday 02/03/2026 08:00, appointment Monday 09/03 08:00; the apology is written on
    Tuesday 03/03 (what dossier_extend allows) or, in an older record, on Tuesday 10/03."""
    dossier = receive(world)
    frozen.move_to(vn(2026, 3, 3, 9, 0))
    dossier = services.dossier_extend(
        actor=world.leader,
        dossier=dossier,
        expected_version=dossier.version,
        reason="Cần xác minh tình trạng hôn nhân của bên nam tại nơi cư trú trước đây (tỉnh Bình Định).",
        new_due_at=vn(2026, 3, 12, 16, 0),
    )
    if late:
        dossier.extension.__class__.objects.filter(pk=dossier.extension.pk).update(
            created_at=vn(2026, 3, 10, 9, 0)
        )
        dossier.refresh_from_db()
    return keep(f"mau-04-{'tre-hen' if late else 'truoc-hen'}", printing.render_form("04", dossier))


def assert_no_broken_lines(pdf: bytes):
    lines = pdf_lines(pdf)
    # A time stays on one line ("16 giờ 00 phút, ngày 12/03/2026"), never split after "giờ 00".
    for line in lines:
        assert not re.search(r"\d{2} giờ \d{2}$", line), line
        assert not re.match(r"^phút, ngày", line), line
    # The only dotted blank is the document's number, for the clerk's register.
    dotted = [line for line in lines if "…" in line]
    assert dotted == ["Số: ……………"], dotted


def test_an_apology_before_the_appointment_does_not_say_the_dossier_is_late(world, frozen):
    pdf = apology(world, frozen, late=False)
    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert "hẹn trả kết quả vào 08 giờ 00 phút, ngày 09/03/2026" in text
    assert (
        "Ủy ban nhân dân xã An Bình chưa thể trả kết quả giải quyết hồ sơ cho Ông/Bà đúng thời gian "
        "đã hẹn nêu trên. Lý do:"
    ) in text
    assert (
        "thành thật xin lỗi Ông/Bà vì không trả được kết quả đúng hẹn và hẹn lại thời gian trả kết "
        "quả giải quyết hồ sơ vào 16 giờ 00 phút, ngày 12/03/2026"
    ) in text
    for late_words in ("đã quá", "quá hạn", "đã gây phiền hà", "Đến nay", "chưa trả kết quả"):
        assert late_words not in text
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Trịnh Văn Lãnh" in text
    assert_no_broken_lines(pdf)


def test_an_apology_after_the_appointment_says_it_is_late_and_apologises(world, frozen):
    pdf = apology(world, frozen, late=True)
    text = pdf_text(pdf)
    assert "An Bình, ngày 10 tháng 03 năm 2026" in text
    assert (
        "Đến nay đã quá thời gian hẹn trả nhưng Ủy ban nhân dân xã An Bình chưa trả được kết quả "
        "giải quyết hồ sơ cho Ông/Bà. Lý do:"
    ) in text
    assert "Sự chậm trễ này đã gây phiền hà cho Ông/Bà." in text
    assert "hẹn lại thời gian trả kết quả giải quyết hồ sơ vào 16 giờ 00 phút, ngày 12/03/2026" in text
    assert "chưa thể trả" not in text
    assert_no_broken_lines(pdf)


# ---------------------------------------------------------------------------------------------
# Mẫu 02: whom to call


def supplement_text(world, **agency_fields) -> str:
    Agency.objects.filter(pk=world.tree.one_stop_a.pk).update(**agency_fields)
    dossier = pf.make_dossier(world)
    pf.add_supplement(world, dossier)
    pdf = keep("mau-02-lien-he", printing.render_form("02", dossier))
    return pdf_text(pdf)


def test_a_supplement_request_gives_the_units_telephone(pworld):
    text = supplement_text(pworld)
    assert (
        "liên hệ Trung tâm Phục vụ hành chính công xã An Bình, số điện thoại 0210 3856 123 "
        "(người hướng dẫn: Hoàng Thị Thảo) để được hỗ trợ."
    ) in text


def test_a_unit_without_a_telephone_gives_its_committees(pworld):
    Agency.objects.filter(pk=pworld.tree.commune_a.pk).update(phone="0210 3856 100")
    text = supplement_text(pworld, phone="")
    assert (
        "liên hệ Trung tâm Phục vụ hành chính công xã An Bình, số điện thoại 0210 3856 100 "
        "(của Ủy ban nhân dân xã An Bình) (người hướng dẫn: Hoàng Thị Thảo)"
    ) in text


def test_with_no_telephone_anywhere_the_request_gives_the_address_and_no_empty_label(pworld):
    Agency.objects.filter(path__in=[a.path for a in Agency.objects.all()]).exclude(
        pk=pworld.tree.one_stop_a.pk
    ).update(phone="")
    text = supplement_text(pworld, phone="")
    assert "số điện thoại" not in text.replace("Số điện thoại: 0912 345 678", "")
    assert (
        "liên hệ Trung tâm Phục vụ hành chính công xã An Bình, địa chỉ Số 12 đường Trần Hưng Đạo, "
        "xã An Bình, tỉnh Thử Nghiệm (người hướng dẫn: Hoàng Thị Thảo) để được hỗ trợ."
    ) in text


# ---------------------------------------------------------------------------------------------
# The written rejection after appraisal (Mẫu 03, "Phiếu từ chối giải quyết hồ sơ")

REJECTION_REASON = (
    "Bên nam chưa đủ 20 tuổi tại ngày đăng ký kết hôn (khoản 1 Điều 8 Luật Hôn nhân và gia đình)."
)


def rejected(world, frozen) -> Dossier:
    dossier = receive(world)
    frozen.move_to(vn(2026, 3, 2, 9, 0))
    dossier = services.dossier_forward(
        actor=world.receptionist, dossier=dossier, expected_version=dossier.version
    )
    frozen.move_to(vn(2026, 3, 4, 15, 0))
    dossier = services.dossier_forward(  # the specialist's appraisal done: to the leader
        actor=world.specialist, dossier=dossier, expected_version=dossier.version, officer=world.leader
    )
    return services.dossier_reject(
        actor=world.leader, dossier=dossier, expected_version=dossier.version, reason=REJECTION_REASON
    )


def test_the_written_rejection_gives_the_reasons_agency_signer_and_date(world, frozen):
    dossier = rejected(world, frozen)
    pdf = keep("mau-03-tu-choi-giai-quyet", printing.render_form("03", dossier))

    assert page_sizes(pdf) == [A5]
    text = pdf_text(pdf)
    assert "Mẫu số 03" in text
    assert "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in text and "TIẾP NHẬN" not in text.split("Mã hồ sơ")[0]
    assert "ỦY BAN NHÂN DÂN XÃ AN BÌNH" in text and "TRUNG TÂM PHỤC VỤ" not in text
    assert "An Bình, ngày 04 tháng 03 năm 2026" in text
    assert "Ngày 02/03/2026, Trung tâm Phục vụ hành chính công xã An Bình tiếp nhận hồ sơ của:" in text
    assert (
        "Qua xem xét, thẩm định, Ủy ban nhân dân xã An Bình không giải quyết hồ sơ này với lý do cụ "
        "thể như sau: " + REJECTION_REASON
    ) in text
    assert "được trả lại kèm theo Phiếu này tại Trung tâm Phục vụ hành chính công xã An Bình" in text
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Trịnh Văn Lãnh" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" not in text


def test_a_rejected_dossier_lists_the_written_rejection_until_and_after_its_return(world, frozen):
    dossier = rejected(world, frozen)
    forms = printing.available_forms(dossier)
    assert [(info.number, info.label) for info in forms] == [
        ("01", "Mẫu 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        ("03", "Mẫu 03 – Phiếu từ chối giải quyết hồ sơ"),
        ("06", "Mẫu 06 – Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    ]
    assert dossier.status_code == 9 and dossier.outcome == Dossier.Outcome.REJECTED

    frozen.move_to(vn(2026, 3, 5, 9, 0))
    dossier = services.dossier_return_result(
        actor=world.receptionist, dossier=dossier, expected_version=dossier.version, collected_by="Người nộp"
    )
    assert dossier.status_code == 10
    assert "03" in [info.number for info in printing.available_forms(dossier)]


def test_a_refusal_at_reception_keeps_its_own_title_and_signatures(world, frozen):
    dossier = services.dossier_refuse(
        actor=world.receptionist,
        reason="Thủ tục không thuộc thẩm quyền của UBND xã.",
        data=intake(world, applicant=APPLICANT),
    )
    info = printing.form_info("03", dossier)
    assert info.title == "Phiếu từ chối tiếp nhận, giải quyết hồ sơ"
    text = pdf_text(printing.render_form("03", dossier))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Tân" in text


def test_the_handling_leader_prints_the_written_rejection(client, world, frozen):
    dossier = rejected(world, frozen)
    client.force_login(world.leader)
    response = client.get(reverse("printing:form", kwargs={"uid": dossier.uid, "form": "03"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in pdf_text(response.content)
