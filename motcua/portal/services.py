"""Writes of the portal: a citizen's draft of an online submission, step by step, and its
submission through the dossier services (the only write path for dossiers).

Every function here saves at once: a step's fields are kept as typed even when they do not
pass yet (the page shows what is wrong beside them), a file is kept as soon as it passed the
upload checks. Submitting claims the draft with a conditional update in the same transaction
that creates the dossier, so the submit button pressed twice, or Back and submit again, gives
one dossier (the second finds the first one's code).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.catalog.models import Procedure
from motcua.dossiers.files import validate_upload
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.selectors import citizen_files
from motcua.dossiers.services import dossier_submit_online
from motcua.dossiers.services.intake import missing_documents_message, missing_mandatory
from motcua.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from motcua.portal.models import DRAFT_FILES_PREFIX, Draft, DraftFile
from motcua.portal.wizard import (
    ONLINE_LEVELS,
    WHOM_CHOICES,
    DocumentRow,
    applicant_from_profile,
    document_rows,
    draft_intake,
    online_documents,
    submitter_data,
)

logger = logging.getLogger(__name__)

# A draft holds at most this many files per document (a multi-page paper scanned page by page).
MAX_FILES_PER_DOCUMENT = 10


def _touch(draft: Draft, *, fields: tuple[str, ...] = ()) -> None:
    draft.updated_at = timezone.now()
    draft.save(update_fields=["updated_at", *fields])


def _check_open(draft: Draft) -> None:
    if draft.submitted:
        code = draft.dossier.code if draft.dossier_id and draft.dossier else ""
        raise Conflict(
            f"Hồ sơ này đã được nộp{f' với mã {code}' if code else ''}; bản nháp không sửa được nữa.",
            code="draft_submitted",
            details={"dossier": code},
        )


def draft_start(*, owner: Any, procedure: Procedure) -> Draft:
    """A new draft of ``procedure`` for ``owner`` (a citizen or organisation account), the
    applicant prefilled from the account's profile."""
    if getattr(owner, "kind", None) not in ("citizen", "organisation"):
        raise Forbidden("Chỉ tài khoản công dân hoặc tổ chức được nộp hồ sơ trực tuyến.", code="not_citizen")
    if procedure.online_level not in ONLINE_LEVELS or not procedure.active:
        raise InvalidInput(
            f"Thủ tục {procedure.code} chưa cung cấp dịch vụ nộp hồ sơ trực tuyến; vui lòng nộp trực tiếp "
            "hoặc qua bưu chính.",
            code="not_online",
        )
    whom = "self"
    return Draft.objects.create(
        owner=owner,
        procedure=procedure,
        data={"whom": whom, "applicant": applicant_from_profile(owner, whom)},
        updated_at=timezone.now(),
    )


def draft_set_whom(*, draft: Draft, whom: str) -> Draft:
    """Whom the dossier is for: oneself, one's child, someone who gave a power of attorney, or
    an organisation. Changing it starts the applicant afresh (prefilled where it is oneself)."""
    _check_open(draft)
    if whom not in WHOM_CHOICES:
        raise InvalidInput("Vui lòng chọn người đứng tên hồ sơ.", details={"field": "whom"})
    data = dict(draft.data)
    if data.get("whom") != whom:
        data["whom"] = whom
        data["applicant"] = applicant_from_profile(draft.owner, whom)
        data["submitter"] = {}
    draft.data = data
    draft.step = max(draft.step, Draft.Step.APPLICANT, key=_step_index)
    _touch(draft, fields=("data", "step"))
    return draft


def _step_index(step: str) -> int:
    return list(Draft.Step.values).index(step)


def draft_update(*, draft: Draft, changes: dict[str, Any], reached: str | None = None) -> Draft:
    """Keep what a step's form holds (``changes``: top-level keys of ``Draft.data``), as typed.
    ``reached``: the step the citizen may now go to."""
    _check_open(draft)
    data = dict(draft.data)
    for key, value in changes.items():
        data[key] = value
    draft.data = data
    fields: tuple[str, ...] = ("data",)
    if reached is not None and _step_index(reached) > _step_index(draft.step):
        draft.step = reached
        fields = ("data", "step")
    _touch(draft, fields=fields)
    return draft


def _requirement(draft: Draft, code: str) -> DocumentRow:
    for document in document_rows(draft):
        if document.code == code:
            return document
    raise InvalidInput(
        f"Thủ tục {draft.procedure.code} không có thành phần hồ sơ mã “{code}” khi nộp trực tuyến.",
        code="document_unknown",
        details={"requirement": code},
    )


def _check_room(draft: Draft, code: str) -> None:
    if draft.files.filter(requirement_code=code).count() >= MAX_FILES_PER_DOCUMENT:
        raise InvalidInput(
            f"Mỗi thành phần hồ sơ đính kèm tối đa {MAX_FILES_PER_DOCUMENT} tệp.",
            code="too_many_files",
            details={"requirement": code},
        )


def draft_add_file(*, draft: Draft, requirement_code: str, uploaded: Any) -> DraftFile:
    """Keep one uploaded file for a document of the draft, after the checks every dossier file
    passes (PDF, JPEG or PNG recognised from its content, within the size limit)."""
    _check_open(draft)
    requirement = _requirement(draft, requirement_code)
    _check_room(draft, requirement.code)
    checked = validate_upload(uploaded)
    return _store(draft, requirement.code, checked.content, checked, source=None)


def draft_pick_stored_file(*, draft: Draft, requirement_code: str, file_id: int | str) -> DraftFile:
    """Use a file from the citizen's own store (earlier submissions and results) for a document:
    a copy is kept with the draft, checked again as an upload."""
    _check_open(draft)
    requirement = _requirement(draft, requirement_code)
    try:
        source = citizen_files(draft.owner).get(pk=int(file_id))
    except (ValueError, TypeError, DossierFile.DoesNotExist):
        raise NotFound(
            "Không tìm thấy tệp này trong kho hồ sơ của ông/bà.", code="stored_file_not_found"
        ) from None
    _check_room(draft, requirement.code)
    with source.file.open("rb") as handle:
        content = handle.read()
    named = ContentFile(content, name=source.original_name)
    checked = validate_upload(named)
    return _store(draft, requirement.code, checked.content, checked, source=source)


def _store(
    draft: Draft, code: str, content: ContentFile, checked: Any, *, source: DossierFile | None
) -> DraftFile:
    row = DraftFile(
        draft=draft,
        requirement_code=code,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        source_file=source,
    )
    # The file is written before its row; if the row fails, the file is removed at once
    # (anything a killed worker leaves in the draft's folder goes with the draft: _delete_folder).
    row.file.save(checked.content.name, content, save=False)
    try:
        with transaction.atomic():
            row.save()
            _touch(draft)
    except BaseException:
        _delete_stored(row.file.name or "")
        raise
    return row


def draft_remove_file(*, draft: Draft, file_id: int | str) -> None:
    _check_open(draft)
    try:
        row = draft.files.get(pk=int(file_id))
    except (ValueError, TypeError, DraftFile.DoesNotExist):
        raise NotFound("Tệp này không còn trong hồ sơ nháp.", code="draft_file_not_found") from None
    name = row.file.name or ""
    row.delete()
    _touch(draft)
    transaction.on_commit(lambda: _delete_stored(name))


def _delete_stored(name: str) -> None:
    if not name:
        return
    try:
        default_storage.delete(name)
    except Exception:  # the row is gone; the expiry sweep of drafts/ is not needed for it
        logger.warning("Could not delete the draft file %s", name, exc_info=True)


def _delete_folder(uid: str) -> None:
    """Every file under the draft's folder (``drafts/<uid>/``): its rows' files, and any a killed
    worker wrote before the row that would have referenced it."""
    folder = f"{DRAFT_FILES_PREFIX}/{uid}"
    try:
        _, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        _delete_stored(f"{folder}/{name}")


def draft_delete(*, draft: Draft) -> None:
    """Delete a draft and its files (the citizen gives it up)."""
    _check_open(draft)
    _delete_draft(draft)


def _delete_draft(draft: Draft) -> None:
    uid = str(draft.uid)
    draft.delete()
    transaction.on_commit(lambda: _delete_folder(uid))


def draft_submit(
    *, draft: Draft, national_identity: bool = False, ip: str | None = None
) -> tuple[Dossier, bool]:
    """Submit the draft through ``dossier_submit_online``: (the dossier, True) the first time,
    (the same dossier, False) when it was already submitted (the button twice, Back and submit)."""
    if draft.dossier_id is not None:
        return Dossier.objects.get(pk=draft.dossier_id), False
    data = draft_intake(draft)
    documents = online_documents(draft.procedure)
    given = set(draft.files.values_list("requirement_code", flat=True))
    missing = missing_mandatory(documents, given)
    if missing:
        raise InvalidInput(
            missing_documents_message(missing, Dossier.Channel.ONLINE) + ". Vui lòng đính kèm ở bước "
            "“Thành phần hồ sơ”.",
            code="documents_missing",
            details={"missing": [d.code for d in missing], "step": Draft.Step.DOCUMENTS},
        )
    now = timezone.now()
    files = list(draft.files.order_by("requirement_code", "uploaded_at", "pk"))
    with transaction.atomic():
        # The claim: one request only turns the draft into a dossier. On PostgreSQL the second
        # waits for the first's row lock and then finds submitted_at set; on SQLite the write
        # lock of the first transaction makes the second wait the same way.
        claimed = Draft.objects.filter(pk=draft.pk, submitted_at__isnull=True).update(
            submitted_at=now, updated_at=now
        )
        if not claimed:
            draft.refresh_from_db()
            if draft.dossier_id is None:
                raise Conflict(
                    "Hồ sơ đang được nộp, vui lòng tải lại trang sau giây lát.", code="draft_submitting"
                )
            return Dossier.objects.get(pk=draft.dossier_id), False
        handles: dict[str, list[Any]] = {}
        opened: list[Any] = []
        try:
            for row in files:
                handle = row.file.open("rb")
                opened.append(handle)
                handles.setdefault(row.requirement_code, []).append(File(handle, name=row.original_name))
            dossier = dossier_submit_online(
                citizen=draft.owner,
                data=data,
                files=handles,
                submitter=submitter_data(draft),
                national_identity=national_identity,
                idempotency_key=f"portal-draft-{draft.uid}",
                ip=ip,
            )
        finally:
            for handle in opened:
                handle.close()
        Draft.objects.filter(pk=draft.pk).update(dossier=dossier)
        DraftFile.objects.filter(draft=draft).delete()
        audit_record(
            action="portal.draft_submit",
            actor=draft.owner,
            obj=draft,
            extra={"dossier": dossier.code, "procedure": draft.procedure.code, "files": len(files)},
            ip=ip,
        )
        # The dossier has its own copies now (dossiers/…): the draft's go after commit.
        uid = str(draft.uid)
        transaction.on_commit(lambda: _delete_folder(uid))
    draft.submitted_at, draft.dossier = now, dossier
    return dossier, True


def expiry_days() -> int:
    return int(getattr(settings, "PORTAL_DRAFT_EXPIRY_DAYS", 30))


def drafts_expire(*, now: datetime | None = None) -> int:
    """Delete the drafts not submitted and untouched for ``PORTAL_DRAFT_EXPIRY_DAYS`` days, with
    their files; the number deleted. Safe to run again and again (the scheduler calls it)."""
    cutoff = (now or timezone.now()) - timedelta(days=expiry_days())
    count = 0
    for draft in Draft.objects.filter(submitted_at__isnull=True, updated_at__lt=cutoff).iterator():
        with transaction.atomic():
            # Touched meanwhile (the citizen came back while the sweep ran): kept.
            if not Draft.objects.filter(
                pk=draft.pk, submitted_at__isnull=True, updated_at__lt=cutoff
            ).exists():
                continue
            _delete_draft(draft)
        count += 1
    if count:
        logger.info("Deleted %d expired drafts", count)
    return count
