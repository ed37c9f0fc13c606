"""Drafts of online submissions (portal.services): prefilled, saved file by file with the
dossiers' upload checks, submitted once through dossier_submit_online, expired after 30 days."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierFile
from motcua.lib.errors import Forbidden, InvalidInput, NotFound
from motcua.portal import services
from motcua.portal.models import Draft, DraftFile
from motcua.portal.tests.conftest import CITIZEN_ID, EXECUTABLE, PDF, pdf

pytestmark = pytest.mark.django_db


def ready_draft(world, owner=None) -> Draft:
    draft = services.draft_start(owner=owner or world.hoa, procedure=world.procedure)
    services.draft_update(draft=draft, changes={"result_delivery": "online"})
    services.draft_add_file(draft=draft, requirement_code="TP01", uploaded=pdf("to-khai.pdf"))
    services.draft_add_file(draft=draft, requirement_code="TP02", uploaded=pdf("xac-nhan.pdf"))
    return draft


def test_a_new_draft_has_the_applicant_prefilled_from_the_profile(world, frozen):
    draft = services.draft_start(owner=world.hoa, procedure=world.procedure)
    assert draft.data == {
        "whom": "self",
        "applicant": {
            "kind": "person",
            "name": "Nguyễn Thị Hoa",
            "citizen_id": CITIZEN_ID,
            "date_of_birth": "1990-05-17",
            "tax_code": "",
            "representative": "",
            "phone": "0912345678",
            "email": "hoa@example.vn",
            "address": "Thôn Đông, xã An Bình",
        },
    }
    assert draft.step == Draft.Step.WHOM and draft.owner == world.hoa


def test_submitting_for_a_child_starts_a_blank_applicant(world, frozen):
    draft = services.draft_start(owner=world.hoa, procedure=world.procedure)
    services.draft_set_whom(draft=draft, whom="child")
    assert draft.data["applicant"]["name"] == "" and draft.data["applicant"]["kind"] == "person"
    assert draft.step == Draft.Step.APPLICANT


def test_only_a_procedure_offered_online_and_a_citizen_account_start_a_draft(world, frozen):
    Procedure.objects.filter(pk=world.procedure.pk).update(online_level=Procedure.OnlineLevel.NONE)
    world.procedure.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        services.draft_start(owner=world.hoa, procedure=world.procedure)
    assert exc.value.code == "not_online"
    with pytest.raises(Forbidden):
        services.draft_start(owner=world.receptionist, procedure=world.procedure)
    assert Draft.objects.count() == 0


def test_a_file_is_kept_under_drafts_and_an_executable_named_pdf_is_refused(world, frozen):
    draft = services.draft_start(owner=world.hoa, procedure=world.procedure)
    row = services.draft_add_file(draft=draft, requirement_code="TP01", uploaded=pdf())
    assert row.file.name.startswith(f"drafts/{draft.uid}/")
    assert default_storage.exists(row.file.name)
    assert (row.original_name, row.content_type, row.size) == ("to-khai.pdf", "application/pdf", len(PDF))
    with pytest.raises(InvalidInput) as exc:
        services.draft_add_file(draft=draft, requirement_code="TP02", uploaded=pdf("giay.pdf", EXECUTABLE))
    assert exc.value.message == "Tệp “giay.pdf” không phải PDF, JPEG hoặc PNG."
    with pytest.raises(InvalidInput) as exc:
        services.draft_add_file(draft=draft, requirement_code="TP99", uploaded=pdf())
    assert exc.value.code == "document_unknown"
    assert list(draft.files.values_list("requirement_code", flat=True)) == ["TP01"]


def test_a_draft_is_submitted_once_with_its_files(world, frozen, django_capture_on_commit_callbacks):
    draft = ready_draft(world)
    stored = list(draft.files.values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        dossier, first = services.draft_submit(draft=draft, national_identity=True, ip="203.0.113.5")
    assert first is True
    assert (dossier.status_code, dossier.channel, dossier.owner) == (1, 2, world.hoa)
    assert dossier.national_identity is True
    assert dossier.code.startswith("000.01.31.H99-260302-")
    files = DossierFile.objects.filter(document__dossier=dossier).order_by("document__order")
    assert [(f.document.requirement_code, f.original_name) for f in files] == [
        ("TP01", "to-khai.pdf"),
        ("TP02", "xac-nhan.pdf"),
    ]
    draft.refresh_from_db()
    assert draft.dossier == dossier and draft.submitted
    # The dossier has its own copies; the draft's files are gone from the storage.
    assert DraftFile.objects.count() == 0
    assert not any(default_storage.exists(name) for name in stored)
    # Again (the button twice, Back and submit): the same dossier, nothing new.
    again, first = services.draft_submit(draft=Draft.objects.get(pk=draft.pk))
    assert (again.pk, first) == (dossier.pk, False)
    assert Dossier.objects.count() == 1


def test_a_missing_required_document_is_named_and_nothing_is_submitted(world, frozen):
    draft = services.draft_start(owner=world.hoa, procedure=world.procedure)
    services.draft_update(draft=draft, changes={"result_delivery": "online"})
    services.draft_add_file(draft=draft, requirement_code="TP01", uploaded=pdf())
    with pytest.raises(InvalidInput) as exc:
        services.draft_submit(draft=draft)
    assert exc.value.message.startswith(
        "Hồ sơ nộp trực tuyến chưa đủ giấy tờ bắt buộc: TP02 – Giấy xác nhận tình trạng hôn nhân."
    )
    assert exc.value.details["step"] == "giay-to"
    draft.refresh_from_db()
    assert not draft.submitted and Dossier.objects.count() == 0


def test_a_parent_submits_for_a_child_with_the_authority_document(world, frozen):
    draft = services.draft_start(owner=world.hoa, procedure=world.procedure)
    services.draft_set_whom(draft=draft, whom="child")
    services.draft_update(
        draft=draft,
        changes={
            "applicant": {**draft.data["applicant"], "name": "Nguyễn Minh An", "citizen_id": "001215012345"},
            "submitter": {"name": "Nguyễn Thị Hoa", "citizen_id": CITIZEN_ID},
            "result_delivery": "counter",
        },
    )
    for code in ("TP01", "TP02"):
        services.draft_add_file(draft=draft, requirement_code=code, uploaded=pdf())
    with pytest.raises(InvalidInput) as exc:
        services.draft_submit(draft=draft)
    assert exc.value.code == "authority_document_missing"
    services.draft_add_file(draft=draft, requirement_code="UQ", uploaded=pdf("giay-khai-sinh-con.pdf"))
    dossier, _ = services.draft_submit(draft=draft)
    assert (dossier.applicant_name, dossier.submitter_relation, dossier.submitter_name) == (
        "Nguyễn Minh An",
        "guardian",
        "Nguyễn Thị Hoa",
    )


def test_drafts_untouched_for_30_days_are_deleted_with_their_files(
    world, frozen, django_capture_on_commit_callbacks
):
    old = ready_draft(world)
    # A file a killed worker wrote before its row: it goes with the draft too.
    orphan = default_storage.save(f"drafts/{old.uid}/mo-coi", ContentFile(PDF))
    old_files = [*old.files.values_list("file", flat=True), orphan]
    frozen.shift(timedelta(days=2))
    recent = ready_draft(world)
    submitted = ready_draft(world)
    services.draft_submit(draft=submitted)
    # 30 days and 1 hour after the old draft was last saved; 28 days after the other.
    frozen.shift(timedelta(days=28, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.drafts_expire() == 1
    assert set(Draft.objects.values_list("pk", flat=True)) == {recent.pk, submitted.pk}
    assert not any(default_storage.exists(name) for name in old_files)
    assert all(default_storage.exists(f.file.name) for f in recent.files.all())
    assert services.drafts_expire() == 0


def test_a_file_of_an_earlier_dossier_is_picked_from_the_citizens_own_store(world, frozen):
    first, _ = services.draft_submit(draft=ready_draft(world))
    earlier = DossierFile.objects.get(document__dossier=first, document__requirement_code="TP02")
    theirs, _ = services.draft_submit(draft=ready_draft(world, owner=world.binh))
    not_hers = DossierFile.objects.filter(document__dossier=theirs).first()
    draft = services.draft_start(owner=world.hoa, procedure=world.procedure)
    row = services.draft_pick_stored_file(draft=draft, requirement_code="TP02", file_id=earlier.pk)
    assert (row.source_file, row.original_name, row.sha256) == (earlier, "xac-nhan.pdf", earlier.sha256)
    assert row.file.name.startswith(f"drafts/{draft.uid}/")
    with pytest.raises(NotFound):
        services.draft_pick_stored_file(draft=draft, requirement_code="TP01", file_id=not_hers.pk)
    assert draft.files.count() == 1
