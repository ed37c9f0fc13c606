"""What officers add to a dossier without moving it: comments on its timeline and scanned or
uploaded files on its documents."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.catalog.models import RequiredDocument
from motcua.dossiers.files import CheckedFile, validate_upload
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierFile
from motcua.dossiers.services.frame import agency_code, lock, text_required
from motcua.dossiers.services.rules import COUNTER, PROCESS, Role, Roles
from motcua.lib.errors import Conflict, Forbidden, InvalidInput

State = Dossier.State
logger = logging.getLogger(__name__)


def dossier_add_comment(*, actor: Any, dossier: Dossier | str, body: str, ip: str | None = None) -> Dossier:
    """A comment on the dossier's timeline (any acting officer of its agencies; a supervisor
    only watches). Does not change the dossier's version: a comment never makes another
    officer's pending action stale. Returns the dossier."""
    body = text_required(body, "nội dung ý kiến")
    now = timezone.now()
    with transaction.atomic():
        locked = lock(dossier)
        roles = Roles(actor, locked)
        agency_id = next(
            (
                a
                for a in (locked.holder_agency_id, locked.handling_agency_id, locked.receiving_agency_id)
                if roles.at(a)
            ),
            None,
        )
        if agency_id is None:
            raise Forbidden(
                f"Bạn không có quyền ghi ý kiến vào hồ sơ {locked.code}.", code="outside_jurisdiction"
            )
        event = DossierEvent.objects.create(
            dossier=locked,
            kind=DossierEvent.Kind.COMMENT,
            action="comment",
            state=locked.state,
            status_code=locked.status_code,
            at=now,
            actor=actor,
            agency_id=agency_id,
            note=body[:5000],
        )
        audit_record(
            action="dossier.comment",
            actor=actor,
            obj=locked,
            chain=agency_code(agency_id, locked),
            extra={"code": locked.code, "event": event.pk},
            ip=ip,
        )
    return locked


def dossier_attach_file(
    *, actor: Any, dossier: Dossier | str, requirement_code: str, uploaded_file: File, ip: str | None = None
) -> DossierFile:
    """Attach a scan or upload to one of the dossier's documents (PDF, JPEG, PNG; checked from
    the content). The document of that requirement is created when the dossier has none yet."""
    now = timezone.now()
    checked = validate_upload(uploaded_file)
    # The file is written to the storage before the row that references it; if the transaction
    # rolls back on an exception, the file goes too. (A worker killed mid-request leaves it
    # behind: manage.py files_cleanup removes such files.)
    written: list[str] = []
    try:
        return _attach_file(
            actor=actor,
            dossier=dossier,
            requirement_code=requirement_code,
            checked=checked,
            now=now,
            ip=ip,
            written=written,
        )
    except BaseException:
        for name in written:
            _discard(name)
        raise


def store_file(
    document: DossierDocument, checked: CheckedFile, *, actor: Any, written: list[str]
) -> DossierFile:
    """Write a checked file to the storage and its row on ``document`` (inside the caller's
    transaction; the storage name is appended to ``written`` so the caller can discard it if
    the transaction rolls back: ``discard_files``)."""
    stored = DossierFile(
        document=document,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    stored.file.save(checked.name, checked.content, save=False)
    written.append(stored.file.name or "")
    stored.save()
    if not document.digitised:
        document.digitised = True
        document.save(update_fields=["digitised"])
    return stored


def discard_files(names: list[str]) -> None:
    """Remove files written for a transaction that rolled back."""
    for name in names:
        _discard(name)


def _discard(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # the exception being raised matters more; files_cleanup will retry
        logger.exception("Could not delete %s after its attachment was rolled back", name)


def _attach_file(
    *,
    actor: Any,
    dossier: Dossier | str,
    requirement_code: str,
    checked: CheckedFile,
    now: datetime,
    ip: str | None,
    written: list[str],
) -> DossierFile:
    with transaction.atomic():
        locked = lock(dossier)
        roles = Roles(actor, locked)
        ok = roles.at(locked.receiving_agency_id) & COUNTER or roles.at(locked.holder_agency_id) & (
            PROCESS | {Role.RECEPTIONIST}
        )
        if not ok:
            raise Forbidden(
                f"Bạn không có quyền đính kèm tệp vào hồ sơ {locked.code}.", code="outside_jurisdiction"
            )
        if locked.state in (State.REFUSED, State.WITHDRAWN, State.STOPPED, State.RETURNED):
            raise Conflict(
                f"Không thể đính kèm tệp: hồ sơ {locked.code} đang ở trạng thái "
                f"“{locked.get_state_display()}”.",
                code="wrong_state",
                details={"state": locked.state},
            )
        code = (requirement_code or "").strip()
        document = locked.documents.filter(requirement_code=code).order_by("order", "pk").first()
        if document is None:
            req = RequiredDocument.objects.filter(procedure_id=locked.procedure_id, code=code).first()
            if req is None:
                raise InvalidInput(
                    f"Hồ sơ {locked.code} không có thành phần mã “{code}”.",
                    code="document_unknown",
                    details={"field": "requirement_code"},
                )
            document = DossierDocument.objects.create(
                dossier=locked,
                requirement=req,
                requirement_code=req.code,
                name=req.name,
                copy_kind=DossierDocument.CopyKind.PHOTOCOPY,
                count=1,
                order=locked.documents.count() + 1,
            )
        stored = store_file(document, checked, actor=actor, written=written)
        agency_id = (
            locked.receiving_agency_id if roles.at(locked.receiving_agency_id) else locked.holder_agency_id
        )
        audit_record(
            action="dossier.attach_file",
            actor=actor,
            obj=locked,
            chain=agency_code(agency_id, locked),
            after={"file": stored.pk, "requirement": code, "sha256": checked.sha256, "size": checked.size},
            extra={"code": locked.code, "name": checked.name, "at": now},
            ip=ip,
        )
    return stored
