"""/xac-thuc/: an upload or the QR's address → who signed, when, unchanged or why not. A result
changed by one byte, or signed by a certificate outside the anchors, is invalid for this page and
for pdfsig alike; a bare result code reveals nothing; every check is in the audit log."""

import re

import pytest
from django.urls import reverse

from motcua.audit.models import AuditEvent
from motcua.dossiers import services as dossier_services
from motcua.dossiers.tests.conftest import AT_APPROVAL, advance
from motcua.signing import services, signatures
from motcua.signing.tests.conftest import pdfsig, register, result_pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(signing_world):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    approved, result = services.dossier_approve_with_result(
        actor=sw.leader,
        dossier=dossier,
        expected_version=dossier.version,
        result_file=upload(result_pdf_bytes()),
    )
    finished = dossier_services.dossier_finish(
        actor=sw.receptionist, dossier=approved, expected_version=approved.version
    )
    services.dossier_issue_results(dossier=finished, actor=sw.receptionist)
    result.refresh_from_db()
    with result.file.open("rb") as handle:
        return result, handle.read()


def one_byte_changed(pdf: bytes) -> bytes:
    """A character of the page's content stream changed, inside the first signed range."""
    at = pdf.index(b"stream\n") + 40
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def test_a_result_changed_by_one_byte_is_invalid_here_and_for_pdfsig(issued, tmp_path, nss_db, client):
    result, pdf = issued
    changed = one_byte_changed(pdf)
    assert len(changed) == len(pdf) and changed != pdf
    check = signatures.verify(changed)
    assert check.verdict == "invalid"
    assert {s.verdict for s in check.signatures} == {"modified"}
    path = tmp_path / "sua.pdf"
    path.write_bytes(changed)
    report = pdfsig(path, nss_db)
    assert "Signature is Valid" not in report, report
    assert "Digest Mismatch" in report, report

    response = client.post(reverse("signing:verify"), {"tep": upload(changed, "sua.pdf")})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Văn bản KHÔNG hợp lệ." in text
    assert "Văn bản đã bị thay đổi sau khi ký" in text
    assert result.code not in text  # not our stored bytes: nothing said of the dossier


def test_a_result_signed_outside_the_anchors_is_invalid_here_and_for_pdfsig(
    signing_world, test_pki, tmp_path, nss_db
):
    sw = signing_world
    register(
        test_pki, agency=sw.tree.commune_a, kind="leader", user=sw.leader, rogue=True, stem="rogue-leader"
    )
    sw.seal.active = False
    sw.seal.save(update_fields=["active"])
    dossier = advance(sw.world, AT_APPROVAL)
    _, result = services.dossier_approve_with_result(
        actor=sw.leader, dossier=dossier, expected_version=dossier.version, render=True
    )
    with result.file.open("rb") as handle:
        pdf = handle.read()
    check = signatures.verify(pdf)
    assert check.verdict == "invalid"
    assert [s.verdict for s in check.signatures] == ["untrusted"]
    assert "không do tổ chức chứng thực được công nhận cấp" in check.message
    path = tmp_path / "la.pdf"
    path.write_bytes(pdf)
    report = pdfsig(path, nss_db)
    assert "Signature Validation: Signature is Valid." in report  # the bytes match…
    assert "Certificate Validation: Certificate issuer is unknown." in report  # …the signer is unknown


def test_an_unsigned_pdf_and_a_non_pdf_are_told_apart(client):
    response = client.post(reverse("signing:verify"), {"tep": upload(result_pdf_bytes(), "chua-ky.pdf")})
    assert "Tệp này không có chữ ký số nào." in response.content.decode()
    response = client.post(reverse("signing:verify"), {"tep": upload(b"GIF89a....", "anh.pdf")})
    assert "Không đọc được tệp: đây không phải tệp PDF hợp lệ." in response.content.decode()
    response = client.post(reverse("signing:verify"), {})
    assert response.status_code == 400
    assert "Hãy chọn tệp PDF của văn bản cần kiểm tra." in response.content.decode()


def test_the_issued_result_uploaded_shows_signers_and_what_tracking_shows(issued, client):
    result, pdf = issued
    response = client.post(
        reverse("signing:verify"), {"tep": upload(pdf, "ket-qua.pdf")}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    text = response.content.decode()
    assert "Văn bản hợp lệ: mọi chữ ký số đều đúng" in text
    assert "Trịnh Văn Lãnh" in text and "Ủy ban nhân dân xã An Bình" in text
    assert result.code in text
    assert "Nguyễn T** H**" in text  # masked as on the tracking page
    for private in ("Nguyễn Thị Hoa", "001190012345", "0912345678", "hoa@example.vn"):
        assert private not in text
    event = AuditEvent.objects.filter(action="signing.verify_upload").latest("pk")
    assert event.extra["verdict"] == "valid" and event.extra["result_code"] == result.code
    assert event.ip_address == "203.0.113.9"


def test_the_qr_address_shows_the_result_and_a_bare_code_reveals_nothing(issued, client):
    result, _ = issued
    url = services.verify_url(result.code, result.token)
    path = re.sub(r"^https://[^/]+", "", url)
    response = client.get(path)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kết quả điện tử được lưu trên hệ thống" in text and result.code in text
    assert "Văn bản hợp lệ" in text

    wrong = client.get(reverse("signing:result", kwargs={"code": result.code, "token": "doan-bua"}))
    unknown = client.get(reverse("signing:result", kwargs={"code": "KHONG-CO-KQ1", "token": result.token}))
    assert wrong.status_code == unknown.status_code == 404
    for response in (wrong, unknown):
        text = response.content.decode()
        assert "Không tìm thấy kết quả điện tử với mã và mã xác thực này." in text
        assert "Nguyễn T** H**" not in text and "Trịnh Văn Lãnh" not in text
    logged = list(
        AuditEvent.objects.filter(action="signing.verify_qr").order_by("pk").values_list("extra", flat=True)
    )
    assert [e["found"] for e in logged] == [True, False, False]


def test_a_result_not_yet_issued_is_not_found_by_its_qr(signing_world, client):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    _, result = services.dossier_approve_with_result(
        actor=sw.leader, dossier=dossier, expected_version=dossier.version, render=True
    )
    response = client.get(reverse("signing:result", kwargs={"code": result.code, "token": result.token}))
    assert response.status_code == 404


def test_an_upload_over_the_limit_gets_a_clear_message_and_nothing_is_kept(client, settings):
    settings.SIGNING_VERIFY_MAX_BYTES = 1024
    response = client.post(reverse("signing:verify"), {"tep": upload(b"%PDF-1.7\n" + b"0" * 200_000)})
    assert response.status_code == 413
    assert (
        "Tệp gửi lên quá lớn: chỉ kiểm tra được tệp PDF đến 1 KB. Tệp không được lưu lại."
        in response.content.decode()
    )
    assert AuditEvent.objects.filter(action="signing.verify_upload", extra__verdict="too_large").count() == 1
