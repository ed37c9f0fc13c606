"""The leader signs the result at approval, the agency's seal at issue; the result carries its
code and a QR code to the verification page; pdfsig and pyHanko both accept it."""

import pytest
import zxingcpp
from PIL import Image

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.selectors_online import citizen_files
from motcua.dossiers.tests.conftest import AT_APPROVAL, advance
from motcua.portal.selectors import timeline
from motcua.signing import services, signatures
from motcua.signing.models import EResult
from motcua.signing.tests.conftest import page_png, pdfsig, result_pdf_bytes, upload

pytestmark = pytest.mark.django_db


def approve(sw, dossier, **kwargs):
    return services.dossier_approve_with_result(
        actor=sw.leader, dossier=dossier, expected_version=dossier.version, **kwargs
    )


def finish(sw, dossier):
    dossier.refresh_from_db()
    return dossier_services.dossier_finish(
        actor=sw.receptionist, dossier=dossier, expected_version=dossier.version
    )


def test_leader_signs_at_approval_and_the_seal_at_issue(signing_world, tmp_path, nss_db):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    approved, result = approve(sw, dossier, result_file=upload(result_pdf_bytes()))

    assert approved.state == "approved"
    assert result.code == f"{dossier.code}-KQ1"
    assert result.leader == sw.leader_key and result.issued_at is None
    with result.file.open("rb") as handle:
        leader_only = handle.read()
    check = signatures.verify(leader_only)
    assert check.verdict == "valid", check.message
    assert [s.signer_name for s in check.signatures] == ["Trịnh Văn Lãnh"]
    # Not issued yet: the citizen's store does not have it.
    assert not citizen_files(sw.citizen).filter(document__requirement_code="KQ").exists()

    finished = finish(sw, approved)
    services.dossier_issue_results(dossier=finished, actor=sw.receptionist)
    result.refresh_from_db()
    assert result.issued_at is not None and result.seal == sw.seal
    with result.file.open("rb") as handle:
        issued = handle.read()
    check = signatures.verify(issued)
    assert check.verdict == "valid", check.message
    assert [s.signer_name for s in check.signatures] == ["Trịnh Văn Lãnh", "Ủy ban nhân dân xã An Bình"]

    event = DossierEvent.objects.get(dossier=dossier, action="issue-e-result")
    assert event.data == {"result_code": result.code, "signed_by": "seal", "sha256": result.sha256}
    assert result.stored_file.sha256 == result.sha256
    # Issuing twice does nothing more.
    services.dossier_issue_results(dossier=finished, actor=sw.receptionist)
    assert DossierEvent.objects.filter(dossier=dossier, action="issue-e-result").count() == 1

    # pdfsig (poppler, NSS) with the test CA as the only trusted one: both signatures valid.
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(issued)
    report = pdfsig(path, nss_db)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == 2, report
    assert "Total document signed" in report, report

    # The QR code on page 1 leads to the verification page of this result, with its token.
    png = page_png(issued, tmp_path)
    codes = zxingcpp.read_barcodes(Image.open(png))
    assert [c.text for c in codes] == [services.verify_url(result.code, result.token)]
    assert codes[0].text.startswith("https://dichvucong.example.vn/xac-thuc/ket-qua/")


def test_the_issued_result_is_in_the_citizens_store(signing_world):
    sw = signing_world
    from motcua.dossiers.tests.conftest import intake

    dossier = advance(sw.world, AT_APPROVAL, data=intake(sw.world, channel=1))
    dossier.owner = sw.citizen
    dossier.save(update_fields=["owner"])
    approved, result = approve(sw, dossier, render=True)
    services.dossier_issue_results(dossier=finish(sw, approved), actor=sw.receptionist)
    stored = citizen_files(sw.citizen).filter(document__requirement_code="KQ").get()
    assert stored.original_name == f"{result.code}.pdf"
    assert stored.content_type == "application/pdf"
    # "Hồ sơ của tôi" says so in the dossier's timeline, after the result itself.
    labels = [entry.label for entry in timeline(dossier)]
    assert labels[-1] == "Đã có kết quả điện tử (văn bản có chữ ký số)", labels


def test_a_rendered_result_without_seal_goes_out_with_the_leaders_signature(signing_world, tmp_path):
    sw = signing_world
    sw.seal.active = False
    sw.seal.save(update_fields=["active"])
    dossier = advance(sw.world, AT_APPROVAL)
    approved, result = approve(sw, dossier, render=True)
    assert result.source == "template"
    services.dossier_issue_results(dossier=finish(sw, approved))
    event = DossierEvent.objects.get(dossier=dossier, action="issue-e-result")
    assert event.data["signed_by"] == "leader"
    with result.file.open("rb") as handle:
        pdf = handle.read()
    assert signatures.verify(pdf).verdict == "valid"
    page_png(pdf, tmp_path, "rendered")  # looked at: var/… in the report


def test_second_result_of_a_dossier_is_numbered_kq2(signing_world):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    _, first = approve(sw, dossier, render=True)
    EResult.objects.filter(pk=first.pk).update(number=1)
    # A second result for the same dossier (e.g. a corrected one): the next number.
    second = services._sign_at_approval(
        actor=sw.leader, dossier=first.dossier, pdf=result_pdf_bytes(), ip=None
    )
    assert second.code == f"{dossier.code}-KQ2"


def test_the_rendered_title_is_the_granted_result_never_the_refusal(signing_world):
    sw = signing_world
    from motcua.catalog.models import ResultDocument

    ResultDocument.objects.filter(procedure=sw.procedure).update(order=2)
    ResultDocument.objects.create(
        procedure=sw.procedure, code="KQ0", name="Văn bản nêu rõ lý do từ chối đăng ký kết hôn", order=1
    )
    assert services._result_title(advance(sw.world, AT_APPROVAL)) == "Giấy chứng nhận kết hôn"
