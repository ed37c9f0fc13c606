"""The form pages /bieu-mau/…: PDFs for staff with jurisdiction, nothing for anyone else."""

import io
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import intake, vn

pytestmark = pytest.mark.django_db


def form_url(dossier, form="01") -> str:
    return reverse("printing:form", kwargs={"uid": dossier.uid, "form": form})


def register_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("printing:register") + ("?" + urlencode(params) if params else "")


def test_form_addresses_are_stable_for_other_pages_to_link():
    uid = uuid.UUID("7d0f9a4e-3c1b-4e55-9a8e-0b6c2f1d2e3a")
    assert reverse("printing:form", kwargs={"uid": uid, "form": "01"}) == f"/bieu-mau/{uid}/mau-01.pdf"
    assert reverse("printing:register") == "/bieu-mau/so-theo-doi.pdf"


def test_the_receiving_officer_gets_the_receipt_as_an_inline_pdf(client, world, received):
    client.force_login(world.receptionist)
    response = client.get(form_url(received))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="mau-01-{received.code}.pdf"'
    assert "Content-Security-Policy" not in response  # a PDF for the browser's viewer, not a page
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert received.code in page.extract_text()
    # The tracking link uses the address the officer reached the server by.
    assert f"http://testserver/tra-cuu/?ma={received.code}" in page.extract_text()
    assert AuditEvent.objects.filter(action="personal_data.view", object_id=str(received.pk)).exists()


def test_the_handling_committees_leader_may_print_the_control_slip(client, world, received):
    client.force_login(world.leader)
    response = client.get(form_url(received, "06"))
    assert response.status_code == 200
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_anonymous_visitors_are_sent_to_sign_in(client, received):
    url = form_url(received)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


def test_staff_of_another_commune_get_the_answer_of_an_unknown_dossier(client, world, received):
    client.force_login(world.outsider)
    assert client.get(form_url(received)).status_code == 404


def test_a_citizen_account_is_refused(client, world, received):
    client.force_login(world.citizen)
    assert client.get(form_url(received)).status_code == 403


def test_an_unknown_dossier_is_not_found(client, world, received):
    client.force_login(world.receptionist)
    response = client.get(reverse("printing:form", kwargs={"uid": uuid.uuid4(), "form": "01"}))
    assert response.status_code == 404


def test_form_numbers_outside_01_to_06_have_no_address(client, world, received):
    client.force_login(world.receptionist)
    assert client.get(f"/bieu-mau/{received.uid}/mau-07.pdf").status_code == 404
    assert client.get(f"/bieu-mau/{received.uid}/mau-1.pdf").status_code == 404


def test_a_form_for_something_that_did_not_happen_is_not_found_with_a_reason(client, world, received):
    client.force_login(world.receptionist)
    response = client.get(form_url(received, "03"))
    assert response.status_code == 404
    assert f"Hồ sơ {received.code} chưa có nội dung cho Mẫu số 03" in response.content.decode()


def test_a_refusal_prints_once_the_dossier_was_refused(client, world, frozen):
    refused = services.dossier_refuse(
        actor=world.receptionist, reason="Không thuộc thẩm quyền.", data=intake(world)
    )
    client.force_login(world.receptionist)
    response = client.get(form_url(refused, "03"))
    assert response.status_code == 200
    assert "Không thuộc thẩm quyền." in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


# ---------------------------------------------------------------------------------------------
# The register


def test_the_register_prints_the_period_for_staff_who_see_the_agency(client, world, received):
    client.force_login(world.receptionist)
    response = client.get(register_url(agency="000.00.31.H99", tu="01/03/2026", den="31/03/2026"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'inline; filename="so-theo-doi-000.00.31.H99-20260301-20260331.pdf"'
    )
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == (841.89, 595.28)
    text = page.extract_text()
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "01/03/2026" in text and "31/03/2026" in text
    assert received.code.partition("-")[2] in text


def test_the_register_defaults_to_this_month_so_far(client, world, received):
    client.force_login(world.receptionist)
    response = client.get(register_url(agency="000.01.31.H99"))
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Từ ngày 01/03/2026 đến ngày 02/03/2026" in text


@pytest.mark.parametrize(
    ("tu", "den", "message"),
    [
        ("31/02/2026", "31/03/2026", "Ngày bắt đầu “31/02/2026” không hợp lệ"),
        ("2026-03-01", "31/03/2026", "Ngày bắt đầu “2026-03-01” không hợp lệ"),
        ("01/03/2026", "ngày mai", "Ngày kết thúc “ngày mai” không hợp lệ"),
        ("31/03/2026", "01/03/2026", "Ngày kết thúc (01/03/2026) phải từ ngày bắt đầu (31/03/2026) trở đi"),
        ("01/01/2025", "31/03/2026", "tối đa 366 ngày"),
    ],
)
def test_malformed_register_periods_get_a_vietnamese_400(client, world, frozen, tu, den, message):
    client.force_login(world.receptionist)
    response = client.get(register_url(agency="000.00.31.H99", tu=tu, den=den))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_a_register_too_long_to_print_asks_for_a_shorter_period(client, world, frozen, monkeypatch):
    from motcua.dossiers.views import printing as printing_views

    services.dossier_receive(actor=world.receptionist, data=intake(world))
    services.dossier_receive(actor=world.receptionist, data=intake(world))
    monkeypatch.setattr(printing_views, "MAX_REGISTER_ROWS", 1)
    client.force_login(world.receptionist)
    response = client.get(register_url(agency="000.00.31.H99", tu="01/03/2026", den="31/03/2026"))
    assert response.status_code == 400
    assert (
        "Kỳ đã chọn có 2 hồ sơ, vượt quá 1 hồ sơ mỗi lần in bản PDF: hãy chọn kỳ ngắn hơn, "
        "hoặc tải sổ dạng bảng tính Excel" in response.content.decode()
    )
    # The page says so before anyone clicks, and still offers the spreadsheet.
    page = client.get(
        reverse("printing:register_page") + "?agency=000.00.31.H99&tu=01/03/2026&den=31/03/2026"
    ).content.decode()
    assert "vượt quá 1 hồ sơ" in page
    assert "so-theo-doi.pdf" not in page and "so-theo-doi.xlsx?agency=000.00.31.H99" in page


def test_the_register_needs_an_agency(client, world, frozen):
    client.force_login(world.receptionist)
    response = client.get(register_url(tu="01/03/2026", den="31/03/2026"))
    assert response.status_code == 400
    assert "Chọn cơ quan" in response.content.decode()


def test_the_register_of_an_unknown_agency_is_not_found(client, world, frozen):
    client.force_login(world.receptionist)
    assert client.get(register_url(agency="999.99.99.H99")).status_code == 404


def test_the_register_of_an_agency_outside_ones_jurisdiction_is_refused(client, world, received):
    client.force_login(world.outsider)
    assert client.get(register_url(agency="000.00.31.H99")).status_code == 403


def test_the_register_sends_anonymous_visitors_to_sign_in(client, frozen):
    response = client.get(register_url(agency="000.00.31.H99"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_register_page_counts_the_period_and_links_both_outputs(client, world, received):
    client.force_login(world.receptionist)
    page = client.get(reverse("printing:register_page"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="01/03/2026"' in html and 'value="02/03/2026"' in html  # this month so far
    assert "UBND xã An Bình" in html or "An Bình" in html
    assert "Ủy ban nhân dân xã Bình Minh" not in html  # commune B: not in the officer's reach
    answer = client.get(
        reverse("printing:register_page") + "?agency=000.00.31.H99&tu=01/03/2026&den=31/03/2026"
    ).content.decode()
    assert "<strong>1</strong> hồ sơ" in answer
    assert "so-theo-doi.pdf?agency=000.00.31.H99&amp;tu=01/03/2026&amp;den=31/03/2026" in answer
    assert "so-theo-doi.xlsx?agency=000.00.31.H99&amp;tu=01/03/2026&amp;den=31/03/2026" in answer
    bad = client.get(reverse("printing:register_page") + "?agency=000.00.31.H99&tu=32/03/2026&den=31/03/2026")
    assert bad.status_code == 400
    assert "Ngày bắt đầu “32/03/2026” không hợp lệ" in bad.content.decode()
    assert 'value="32/03/2026"' in bad.content.decode()  # what was typed is kept


def test_the_register_downloads_as_a_spreadsheet_with_real_dates(client, world, received):
    from openpyxl import load_workbook

    client.force_login(world.receptionist)
    response = client.get(
        reverse("printing:register_xlsx") + "?agency=000.00.31.H99&tu=01/03/2026&den=31/03/2026"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="so-theo-doi-000.00.31.H99-20260301-20260331.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ THEO DÕI HỒ SƠ (Mẫu số 07)"
    assert "từ ngày 01/03/2026 đến ngày 31/03/2026" in rows[1][0]
    header = rows[3]
    assert header[:3] == ("STT", "Mã hồ sơ", "Tên thủ tục hành chính")
    line = dict(zip(header, rows[4], strict=True))
    assert line["Mã hồ sơ"] == received.code
    assert line["Người nộp hồ sơ"] == received.applicant_name
    # Times in Việt Nam, as dates the spreadsheet can sort: received Monday 2 March 2026 08:00.
    assert line["Ngày tiếp nhận"] == vn(2026, 3, 2, 8, 0).replace(tzinfo=None)
    assert (line["Trạng thái"], line["Mã trạng thái"]) == (Dossier.State(received.state).label, 2)
    assert rows[-1][0].startswith("Tổng số: 1 hồ sơ")


def test_each_print_or_download_of_the_register_is_recorded(client, world, received):
    client.force_login(world.receptionist)
    query = "?agency=000.00.31.H99&tu=01/03/2026&den=31/03/2026"
    client.get(reverse("printing:register") + query)
    client.get(reverse("printing:register_xlsx") + query)
    client.get(reverse("printing:register_page") + query)  # counting only: no personal data shown
    events = AuditEvent.objects.filter(action="personal_data.register").order_by("seq")
    assert [(e.actor_id, e.extra["output"], e.extra["dossiers"]) for e in events] == [
        (world.receptionist.pk, "pdf", 1),
        (world.receptionist.pk, "xlsx", 1),
    ]


def test_the_register_of_an_agency_out_of_reach_is_refused_in_every_form(client, world, received):
    client.force_login(world.outsider)
    query = "?agency=000.00.31.H99&tu=01/03/2026&den=31/03/2026"
    for name in ("printing:register", "printing:register_xlsx", "printing:register_page"):
        assert client.get(reverse(name) + query).status_code == 403
    assert not AuditEvent.objects.filter(action="personal_data.register").exists()
