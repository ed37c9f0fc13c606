"""Whose keys sign: only the handling agency's, only through its own leader's approval. A
receptionist or a leader of another agency, or another leader of the same agency, never causes
them to be used; a bad attachment leaves nothing approved, signed or stored."""

import pytest
from django.core.files.storage import default_storage

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.conftest import AT_APPROVAL, advance
from motcua.lib.errors import DomainError, InvalidInput
from motcua.signing import services
from motcua.signing.models import EResult
from motcua.signing.tests.conftest import other_leader, register, result_pdf_bytes, upload

pytestmark = pytest.mark.django_db


def stored_results() -> list[str]:
    try:
        folders, _ = default_storage.listdir("ket-qua-dien-tu")
    except FileNotFoundError:
        return []
    return folders


def test_a_leader_of_another_agency_cannot_approve_nor_sign(signing_world, test_pki):
    sw = signing_world
    commune_b = sw.tree.commune_b
    leader_b = other_leader(sw.world, commune_b, "ld_xa_b")
    register(test_pki, agency=commune_b, kind="leader", user=leader_b)
    dossier = advance(sw.world, AT_APPROVAL)
    with pytest.raises(DomainError):
        services.dossier_approve_with_result(
            actor=leader_b,
            dossier=dossier,
            expected_version=dossier.version,
            result_file=upload(result_pdf_bytes()),
        )
    dossier.refresh_from_db()
    assert dossier.state == "processing"
    assert not EResult.objects.exists()


def test_a_receptionist_of_another_agency_cannot_approve_nor_issue(signing_world):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    with pytest.raises(DomainError):
        services.dossier_approve_with_result(
            actor=sw.outsider, dossier=dossier, expected_version=dossier.version, render=True
        )
    assert not EResult.objects.exists()
    # Approved by the right leader, the result waits; the outsider cannot finish it, so the seal
    # is not used.
    approved, result = services.dossier_approve_with_result(
        actor=sw.leader, dossier=dossier, expected_version=dossier.version, render=True
    )
    with pytest.raises(DomainError):
        dossier_services.dossier_finish(
            actor=sw.outsider, dossier=approved, expected_version=approved.version
        )
    assert services.dossier_issue_results(dossier=approved, actor=sw.outsider) == []  # not finished
    result.refresh_from_db()
    assert result.issued_at is None and result.seal is None


def test_another_leader_of_the_handling_agency_never_uses_his_colleagues_key(signing_world):
    sw = signing_world
    second = other_leader(sw.world, sw.tree.commune_a, "ld2_xa_a")
    dossier = advance(sw.world, AT_APPROVAL)
    dossier = dossier_services.dossier_assign(
        actor=sw.leader, dossier=dossier, expected_version=dossier.version, officer=second
    )
    with pytest.raises(InvalidInput) as refused:
        services.dossier_approve_with_result(
            actor=second,
            dossier=dossier,
            expected_version=dossier.version,
            result_file=upload(result_pdf_bytes()),
        )
    assert refused.value.code == "no_leader_key"
    assert "chưa có chứng thư số lãnh đạo của Ủy ban nhân dân xã An Bình" in refused.value.message
    dossier.refresh_from_db()
    assert dossier.state == "processing"  # the approval rolled back with the refusal
    assert not EResult.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("anh.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "not_pdf"),
        ("gia.pdf", b"%PDF-1.7\nkhong phai pdf that\n%%EOF\n", "not_pdf"),
        ("rong.pdf", b"", "not_pdf"),
    ],
)
def test_a_result_that_is_not_a_pdf_is_refused_and_nothing_is_kept(signing_world, name, content, code):
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    before = stored_results()
    with pytest.raises(InvalidInput) as refused:
        services.dossier_approve_with_result(
            actor=sw.leader,
            dossier=dossier,
            expected_version=dossier.version,
            result_file=upload(content, name),
        )
    assert refused.value.code == code
    assert refused.value.message == (
        f"Tệp kết quả “{name}” không phải tệp PDF hợp lệ. Hãy đính kèm bản PDF của văn bản kết quả."
    )
    dossier.refresh_from_db()
    assert dossier.state == "processing"
    assert not EResult.objects.exists()
    assert not DossierEvent.objects.filter(dossier=dossier, action="approve").exists()
    assert stored_results() == before


def test_a_result_over_the_size_limit_is_refused(signing_world, settings):
    settings.SIGNING_RESULT_MAX_BYTES = 1024
    sw = signing_world
    dossier = advance(sw.world, AT_APPROVAL)
    with pytest.raises(InvalidInput) as refused:
        services.dossier_approve_with_result(
            actor=sw.leader,
            dossier=dossier,
            expected_version=dossier.version,
            result_file=upload(result_pdf_bytes()),
        )
    assert refused.value.message == "Tệp kết quả “ket-qua.pdf” lớn hơn 1 KB."
    assert not EResult.objects.exists()


def test_an_expired_certificate_is_refused_with_its_date(signing_world):
    sw = signing_world
    from datetime import datetime
    from zoneinfo import ZoneInfo

    sw.leader_key.valid_until = datetime(2026, 1, 31, 17, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    sw.leader_key.save(update_fields=["valid_until"])
    dossier = advance(sw.world, AT_APPROVAL)
    with pytest.raises(InvalidInput) as refused:
        services.dossier_approve_with_result(
            actor=sw.leader, dossier=dossier, expected_version=dossier.version, render=True
        )
    assert refused.value.code == "certificate_expired"
    assert "đã hết hiệu lực ngày 31/01/2026" in refused.value.message


def test_signing_register_checks_the_key_and_the_anchors(signing_world, test_pki, tmp_path):
    from django.core.management import CommandError, call_command

    from motcua.signing import pki as make

    sw = signing_world
    good = make.issue(test_pki.ca, "Trung tâm Phục vụ hành chính công xã An Bình", "UBND xã An Bình")
    cert, key = good.write(tmp_path, "tt")
    call_command(
        "signing_register", agency=sw.tree.one_stop_a.code, kind="seal", cert=str(cert), key=f"file:{key}"
    )
    assert sw.tree.one_stop_a.signers.get(active=True).kind == "seal"

    rogue = make.issue(test_pki.rogue_ca, "Giả mạo", "Không rõ")
    cert, key = rogue.write(tmp_path, "gia")
    with pytest.raises(CommandError, match="Ký thử không hợp lệ"):
        call_command(
            "signing_register", agency=sw.tree.one_stop_b.code, kind="seal", cert=str(cert), key=f"file:{key}"
        )
    assert not sw.tree.one_stop_b.signers.filter(active=True).exists()

    other = make.issue(test_pki.ca, "Khóa khác", "Không rõ")
    _, wrong_key = other.write(tmp_path, "khac")
    with pytest.raises(CommandError, match="Khóa bí mật không khớp với chứng thư"):
        call_command(
            "signing_register",
            agency=sw.tree.one_stop_b.code,
            kind="seal",
            cert=str(cert),
            key=f"file:{wrong_key}",
        )
    assert not sw.tree.one_stop_b.signers.filter(active=True).exists()
