"""Online submission, supplement and withdrawal (issue 11 §2): worked examples, frozen time."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import RequiredDocument
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierFile, DossierPause
from motcua.dossiers.services import DocumentInput, StoredFileRef, SubmitterData, SupplementItem
from motcua.dossiers.tests.conftest import intake, vn
from motcua.lib.errors import Conflict, InvalidInput
from motcua.notifications.models import OutboxMessage

State = Dossier.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# An executable (ELF) named as a PDF.
EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


def pdf(name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def both_files() -> dict:
    return {"TP01": [pdf("to-khai.pdf")], "TP02": [pdf("xac-nhan.pdf")]}


def online(world, **overrides):
    return intake(world, channel=2, result_delivery="online", **overrides)


def submit(world, citizen=None, **kwargs):
    kwargs.setdefault("files", both_files())
    return services.dossier_submit_online(citizen=citizen or world.citizen, data=online(world), **kwargs)


def test_an_online_submission_gets_its_code_its_files_and_the_national_identity_mark(world, frozen):
    d = submit(world, national_identity=True, ip="203.0.113.9")
    assert (d.state, d.status_code, d.channel) == (State.SUBMITTED, 1, 2)
    assert d.code.startswith("000.01.31.H99-260302-")
    assert (d.submitted_at, d.received_at, d.due_at) == (vn(2026, 3, 2, 8), None, None)
    assert d.national_identity is True and d.owner == world.citizen
    files = DossierFile.objects.filter(document__dossier=d).order_by("document__order")
    assert [(f.document.requirement_code, f.original_name, f.content_type) for f in files] == [
        ("TP01", "to-khai.pdf", "application/pdf"),
        ("TP02", "xac-nhan.pdf", "application/pdf"),
    ]
    assert all(f.document.digitised and f.uploaded_by == world.citizen for f in files)
    event = d.events.get()
    assert (event.action, event.data) == ("submit_online", {"national_identity": True, "files": 2})


def test_a_password_sign_in_is_recorded_as_not_national_identity(world, frozen):
    assert submit(world).national_identity is False


def test_the_same_form_sent_twice_returns_the_first_dossier(world, frozen):
    first = submit(world, idempotency_key="form-1")
    again = submit(world, idempotency_key="form-1")
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1
    assert DossierFile.objects.count() == 2
    other = submit(world, idempotency_key="form-2")
    assert other.pk != first.pk


def test_a_required_document_without_a_file_is_named_and_nothing_is_written(world, frozen):
    with pytest.raises(InvalidInput) as exc:
        submit(world, files={"TP01": [pdf()]})
    # TP02 declared in the data but not uploaded: named.
    assert exc.value.code == "document_file_missing"
    assert exc.value.details["missing"] == ["TP02"]
    with pytest.raises(InvalidInput) as exc:
        services.dossier_submit_online(
            citizen=world.citizen,
            data=online(world, documents=[]),
            files={"TP01": [pdf()]},
        )
    assert exc.value.code == "documents_missing"
    assert exc.value.message == (
        "Hồ sơ nộp trực tuyến chưa đủ giấy tờ bắt buộc: TP02 – Giấy xác nhận tình trạng hôn nhân."
    )
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()


def test_a_pdf_that_is_really_an_executable_is_refused(world, frozen):
    with pytest.raises(InvalidInput) as exc:
        submit(world, files={"TP01": [pdf()], "TP02": [SimpleUploadedFile("xac-nhan.pdf", EXECUTABLE)]})
    assert exc.value.code == "file_type"
    assert exc.value.message == "TP02: Tệp “xac-nhan.pdf” không phải PDF, JPEG hoặc PNG."
    assert exc.value.details["requirement"] == "TP02"
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()


def test_a_file_over_the_limit_is_refused(world, frozen, settings):
    settings.DOSSIER_FILE_MAX_BYTES = 1024
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n")
    with pytest.raises(InvalidInput) as exc:
        submit(world, files={"TP01": [pdf()], "TP02": [big]})
    assert (exc.value.code, exc.value.message) == ("file_too_large", "TP02: Tệp “lon.pdf” lớn hơn 1 KB.")
    assert not Dossier.objects.exists()


def test_a_file_from_the_citizens_own_store_is_copied_and_anothers_is_refused(world, frozen):
    from django.contrib.auth import get_user_model

    first = submit(world)
    own = DossierFile.objects.get(document__dossier=first, document__requirement_code="TP02")
    second = submit(world, files={"TP01": [pdf()], "TP02": [StoredFileRef(own.pk)]})
    copied = DossierFile.objects.get(document__dossier=second, document__requirement_code="TP02")
    assert copied.pk != own.pk and copied.sha256 == own.sha256 and copied.original_name == "xac-nhan.pdf"
    User = get_user_model()
    stranger = User.objects.create_user("nguoi_khac", kind=User.Kind.CITIZEN)
    for ref in (StoredFileRef(own.pk), StoredFileRef(999_999)):
        with pytest.raises(InvalidInput) as exc:
            submit(world, citizen=stranger, files={"TP01": [pdf()], "TP02": [ref]})
        assert exc.value.code == "stored_file_not_found"
    assert Dossier.objects.count() == 2


def test_submitting_for_someone_else_requires_the_authority_document(world, frozen):
    parent = SubmitterData(relation="guardian", name="Nguyễn Văn Bố", citizen_id="001080012345")
    with pytest.raises(InvalidInput) as exc:
        submit(world, submitter=parent)
    assert exc.value.code == "authority_document_missing"
    assert exc.value.message == (
        "Nộp hồ sơ thay người khác phải kèm văn bản ủy quyền hoặc giấy tờ chứng minh quyền đại diện."
    )
    files = {**both_files(), services.AUTHORITY_CODE: [pdf("giay-khai-sinh-con.pdf")]}
    d = submit(world, submitter=parent, files=files)
    assert (d.submitter_relation, d.submitter_name, d.submitter_citizen_id) == (
        "guardian",
        "Nguyễn Văn Bố",
        "001080012345",
    )
    uq = d.documents.get(requirement_code="UQ")
    assert uq.name == "Văn bản ủy quyền hoặc giấy tờ chứng minh quyền đại diện"
    assert uq.files.count() == 1


def test_the_authority_document_the_procedure_names_is_the_one_asked_for(world, frozen):
    RequiredDocument.objects.create(
        procedure=world.procedure,
        code="TP04",
        name="Văn bản ủy quyền theo quy định của pháp luật (trường hợp ủy quyền)",
        mandatory=False,
        condition="Trường hợp ủy quyền",
    )
    agent = SubmitterData(relation="authorised", name="Lê Văn Đại", citizen_id="001085012345")
    with pytest.raises(InvalidInput) as exc:
        submit(world, submitter=agent, files={**both_files(), "UQ": [pdf()]})
    assert exc.value.details["missing"] == ["TP04"]
    d = submit(world, submitter=agent, files={**both_files(), "TP04": [pdf("uy-quyen.pdf")]})
    assert d.documents.get(requirement_code="TP04").files.count() == 1


def test_a_submitter_with_a_bad_citizen_id_is_refused(world, frozen):
    with pytest.raises(InvalidInput) as exc:
        submit(world, submitter=SubmitterData(relation="authorised", name="Lê Đại", citizen_id="12345"))
    assert exc.value.code == "citizen_id_invalid"


def test_accepted_monday_morning_the_appointment_counts_from_monday_not_saturday(world):
    # Submitted online on Saturday 7 March 2026 at 21:40; the counter accepts on Monday 9 March at
    # 08:15: five working days (40 working hours) from Monday 08:15.
    with time_machine.travel(vn(2026, 3, 7, 21, 40), tick=False):
        d = submit(world)
    with time_machine.travel(vn(2026, 3, 9, 8, 15), tick=False):
        d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert (d.state, d.status_code) == (State.RECEIVED, 2)
    assert d.submitted_at == vn(2026, 3, 7, 21, 40)
    assert d.received_at == d.clock_started_at == vn(2026, 3, 9, 8, 15)
    assert d.due_at == vn(2026, 3, 16, 8, 15)
    receipt = OutboxMessage.objects.filter(dossier=d, event="dossier.receive").first()
    assert receipt is not None and "hẹn trả kết quả 08:15 ngày 16/03/2026" in receipt.body


def test_an_intake_supplement_sent_online_goes_back_to_the_counter(world, frozen):
    d = submit(world)
    d = services.dossier_request_supplement(
        actor=world.receptionist,
        dossier=d,
        expected_version=d.version,
        items=[SupplementItem("Giấy xác nhận tình trạng hôn nhân", "Bản chụp mờ")],
    )
    assert (d.state, d.status_code) == (State.INTAKE_SUPPLEMENT, 5)
    frozen.move_to(vn(2026, 3, 4, 10))
    d = services.dossier_supplement_online(
        citizen=world.citizen, dossier=d.code, expected_version=d.version, files={"TP02": [pdf("ro.pdf")]}
    )
    assert (d.state, d.status_code) == (State.SUBMITTED, 1)
    pause = DossierPause.objects.get(dossier=d)
    assert pause.ended_at == pause.supplied_online_at == vn(2026, 3, 4, 10)
    assert list(d.documents.get(requirement_code="TP02").files.values_list("original_name", flat=True)) == [
        "xac-nhan.pdf",
        "ro.pdf",
    ]
    frozen.move_to(vn(2026, 3, 4, 14))
    d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.received_at == vn(2026, 3, 4, 14)
    assert d.events.get(action="receive").data["after_guidance"] is True


def test_a_supplement_during_processing_waits_for_the_holder_who_restarts_the_clock(world, frozen):
    d = submit(world)
    d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    d = services.dossier_forward(
        actor=world.receptionist, dossier=d, expected_version=d.version, officer=world.specialist
    )
    frozen.move_to(vn(2026, 3, 3, 9))
    d = services.dossier_request_supplement(
        actor=world.specialist,
        dossier=d,
        expected_version=d.version,
        items=[SupplementItem("Tờ khai", "Thiếu chữ ký")],
    )
    frozen.move_to(vn(2026, 3, 5, 10))
    d = services.dossier_supplement_online(
        citizen=world.citizen,
        dossier=d,
        expected_version=d.version,
        files={"TP01": [pdf("ky.pdf")]},
        note="Đã ký",
    )
    assert d.state == State.SUPPLEMENT and d.holder == world.specialist
    assert DossierPause.objects.get(dossier=d).supplied_online_at == vn(2026, 3, 5, 10)
    assert DossierPause.objects.get(dossier=d).ended_at is None
    frozen.move_to(vn(2026, 3, 5, 14))
    d = services.dossier_receive_supplement(actor=world.specialist, dossier=d, expected_version=d.version)
    # Policy restart: 5 working days again from Thursday 5 March 14:00.
    assert d.state == State.PROCESSING and d.due_at == vn(2026, 3, 12, 14)


def test_a_supplement_after_its_deadline_is_refused_and_nothing_is_written(world, frozen, settings):
    settings.MOTCUA_INTAKE_SUPPLEMENT_EXPIRY_DAYS = 30
    d = submit(world)
    d = services.dossier_request_supplement(
        actor=world.receptionist,
        dossier=d,
        expected_version=d.version,
        items=[SupplementItem("Tờ khai", "Thiếu")],
    )
    frozen.move_to(vn(2026, 4, 1, 8))  # 30 days after Monday 2 March 08:00
    files_before = DossierFile.objects.count()
    with pytest.raises(Conflict) as exc:
        services.dossier_supplement_online(
            citizen=world.citizen, dossier=d, expected_version=d.version, files={"TP01": [pdf()]}
        )
    assert exc.value.code == "supplement_expired"
    assert exc.value.message.startswith(
        f"Đã quá hạn bổ sung hồ sơ {d.code} (hạn: 08:00 ngày 01/04/2026). Hồ sơ không thay đổi"
    )
    d.refresh_from_db()
    assert d.state == State.INTAKE_SUPPLEMENT and DossierFile.objects.count() == files_before


def test_a_supplement_with_no_request_waiting_is_refused(world, frozen):
    d = submit(world)
    with pytest.raises(Conflict) as exc:
        services.dossier_supplement_online(
            citizen=world.citizen, dossier=d, expected_version=d.version, files={"TP01": [pdf()]}
        )
    assert exc.value.code == "wrong_state"


def test_withdrawal_before_acceptance_is_immediate_status_7(world, frozen):
    d = submit(world)
    d = services.dossier_withdraw_online(
        citizen=world.citizen, dossier=d, expected_version=d.version, reason="Nộp nhầm thủ tục"
    )
    assert (d.state, d.status_code, d.closed_at) == (State.WITHDRAWN, 7, vn(2026, 3, 2, 8))
    assert d.withdrawal_reason == "Nộp nhầm thủ tục"


def test_withdrawal_after_acceptance_is_a_request_the_officer_confirms(world, frozen):
    d = submit(world)
    d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    frozen.move_to(vn(2026, 3, 3, 9))
    d = services.dossier_withdraw_online(
        citizen=world.citizen, dossier=d, expected_version=d.version, reason="Không còn nhu cầu"
    )
    assert d.state == State.RECEIVED
    assert (d.withdrawal_requested_at, d.withdrawal_reason) == (vn(2026, 3, 3, 9), "Không còn nhu cầu")
    with pytest.raises(Conflict) as exc:
        services.dossier_withdraw_online(
            citizen=world.citizen, dossier=d, expected_version=d.version, reason="Lần nữa"
        )
    assert exc.value.code == "withdrawal_already_requested"
    d = services.dossier_withdraw(
        actor=world.receptionist, dossier=d, expected_version=d.version, reason=d.withdrawal_reason
    )
    assert (d.state, d.status_code) == (State.WITHDRAWN, 7)


def test_withdrawal_needs_a_reason_and_an_open_dossier(world, frozen):
    d = submit(world)
    with pytest.raises(InvalidInput):
        services.dossier_withdraw_online(
            citizen=world.citizen, dossier=d, expected_version=d.version, reason=" "
        )
    d = services.dossier_refuse(
        actor=world.receptionist, dossier=d, expected_version=d.version, reason="Sai thẩm quyền"
    )
    with pytest.raises(Conflict) as exc:
        services.dossier_withdraw_online(
            citizen=world.citizen, dossier=d, expected_version=d.version, reason="Rút"
        )
    assert exc.value.code == "wrong_state"


def test_a_stale_page_is_told_to_reload(world, frozen):
    d = submit(world)
    services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    with pytest.raises(Conflict) as exc:
        services.dossier_withdraw_online(
            citizen=world.citizen, dossier=d, expected_version=d.version, reason="Rút"
        )
    assert exc.value.code == "stale"
    d.refresh_from_db()
    assert d.state == State.RECEIVED and d.withdrawal_requested_at is None


def test_a_staff_account_cannot_submit_online(world, frozen):
    from motcua.lib.errors import Forbidden

    with pytest.raises(Forbidden):
        submit(world, citizen=world.receptionist)


def test_the_guidance_expiry_applies_from_the_request(world, frozen):
    d = submit(world)
    d = services.dossier_request_supplement(
        actor=world.receptionist,
        dossier=d,
        expected_version=d.version,
        items=[SupplementItem("Tờ khai", "Thiếu")],
    )
    pause = DossierPause.objects.get(dossier=d)
    assert services.supplement_expires_at(pause) == pause.started_at + timedelta(days=30)


def test_documents_declared_without_files_keep_the_old_behaviour(world, frozen):
    d = services.dossier_submit_online(
        citizen=world.citizen, data=online(world, documents=[DocumentInput("TP01"), DocumentInput("TP02")])
    )
    assert d.state == State.SUBMITTED and not DossierFile.objects.exists()


def test_the_specialist_holding_the_step_confirms_an_online_withdrawal_request_only(world, frozen):
    from motcua.lib.errors import Forbidden

    d = submit(world)
    d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    d = services.dossier_forward(
        actor=world.receptionist, dossier=d, expected_version=d.version, officer=world.specialist
    )
    with pytest.raises(Forbidden):  # nobody asked: a specialist does not withdraw a dossier
        services.dossier_withdraw(actor=world.specialist, dossier=d, expected_version=d.version, reason="Rút")
    d = services.dossier_withdraw_online(
        citizen=world.citizen, dossier=d, expected_version=d.version, reason="Không còn nhu cầu"
    )
    with pytest.raises(Forbidden):  # another specialist does not hold the step
        services.dossier_withdraw(
            actor=world.specialist2, dossier=d, expected_version=d.version, reason="Rút"
        )
    d = services.dossier_withdraw(
        actor=world.specialist, dossier=d, expected_version=d.version, reason="Theo yêu cầu trực tuyến"
    )
    assert (d.state, d.status_code) == (State.WITHDRAWN, 7)


@pytest.mark.django_db
def test_under_the_pause_policy_the_appointment_moves_by_the_working_time_paused(frozen):
    from motcua.dossiers.tests.conftest import build_world

    world = build_world(policy="pause")
    d = submit(world)
    d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.due_at == vn(2026, 3, 9, 8)
    d = services.dossier_forward(
        actor=world.receptionist, dossier=d, expected_version=d.version, officer=world.specialist
    )
    frozen.move_to(vn(2026, 3, 3, 9))
    d = services.dossier_request_supplement(
        actor=world.specialist, dossier=d, expected_version=d.version, items=[SupplementItem("Tờ khai", "Mờ")]
    )
    frozen.move_to(vn(2026, 3, 5, 10))
    d = services.dossier_supplement_online(
        citizen=world.citizen, dossier=d, expected_version=d.version, files={"TP01": [pdf()]}
    )
    frozen.move_to(vn(2026, 3, 5, 14))
    d = services.dossier_receive_supplement(actor=world.specialist, dossier=d, expected_version=d.version)
    # Paused from Tuesday 09:00 to Thursday 14:00 (6 + 8 + 5 = 19 working hours, until the holder
    # received it): the appointment moves from Monday 9 March 08:00 to Wednesday 11 March 11:00.
    assert d.due_at == vn(2026, 3, 11, 11)
