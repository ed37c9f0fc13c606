"""What a citizen does to a dossier online: submit it (status 1, waiting for the counter),
supplement it, withdraw it. The counter then receives, guides or refuses a submitted dossier
with the verbs of ``transitions_intake`` (``dossier_receive`` counts the appointment from that
reception, never from the submission).

- Submission (``dossier_submit_online``): one upload (or a file from the citizen's own store)
  per document of the online channel, every required one present (checked and named as at
  reception); when someone submits for the applicant, their relation, name and ID are kept
  apart and the document proving their authority is required (``online_input``). The dossier
  has its code at once. The same idempotency key from the same citizen returns the first
  dossier: a double click or a resent form never makes two.
- Supplement (``dossier_supplement_online``): a dossier guided at reception (Mẫu 02) goes back
  to status 1 with the new files, for the counter to receive; a dossier waiting for a supplement
  during processing keeps waiting, the files land on it and the holder sees it supplemented
  online (``DossierPause.supplied_online_at``), and receiving it (``dossier_receive_supplement``)
  resumes the clock by the procedure's policy. After the supplement's time (``supplement_expires_at``)
  it is refused and nothing is written.
- Withdrawal (``dossier_withdraw_online``): before reception it is immediate (status 7); after
  it, a request (``withdrawal_requested_at``, reason) that the officer confirms with
  ``dossier_withdraw``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.catalog.models import RequiredDocument
from motcua.dossiers.files import CheckedFile
from motcua.dossiers.models import Dossier, DossierDocument, DossierPause
from motcua.dossiers.services.frame import (
    check_version,
    finish,
    lock,
    notify_applicant,
    record_event,
    text_required,
)
from motcua.dossiers.services.intake import (
    DocumentInput,
    IntakeData,
    clean_intake,
    missing_documents_message,
    missing_mandatory,
)
from motcua.dossiers.services.online_input import (
    AUTHORITY_CODE,
    AUTHORITY_NAME,
    SubmitterData,
    check_authority,
    check_files,
    clean_submitter,
    require_citizen,
)
from motcua.dossiers.services.reception import create_dossier
from motcua.dossiers.services.records import discard_files, store_file
from motcua.dossiers.services.transitions_intake import guidance_expires_at
from motcua.dossiers.visibility import citizen_visible_q
from motcua.lib.errors import Conflict, InvalidInput, NotFound
from motcua.workcalendar.calendar import VN_TZ

State = Dossier.State
BEFORE_RECEPTION = (State.SUBMITTED, State.INTAKE_SUPPLEMENT)


def dossier_submit_online(
    *,
    citizen: Any,
    data: IntakeData,
    files: dict[str, Any] | None = None,
    submitter: SubmitterData | None = None,
    national_identity: bool = False,
    idempotency_key: str | None = None,
    ip: str | None = None,
) -> Dossier:
    """A citizen's or organisation's online submission (status 1), waiting for reception.

    ``files``: the files of each document, by its code (uploads or ``StoredFileRef``); when given,
    every document declared in ``data`` must have a file and the documents with files join the
    dossier. ``files=None`` keeps the documents as declared (no upload: the demo, older callers).
    ``national_identity``: the session signed in through the national identity."""
    require_citizen(citizen, "nộp hồ sơ trực tuyến")
    key = str(idempotency_key).strip()[:100] if idempotency_key else None
    if key:
        existing = Dossier.objects.filter(created_by=citizen, idempotency_key=key).first()
        if existing is not None:
            return existing
    if not isinstance(data, IntakeData):
        raise InvalidInput("Thiếu thông tin hồ sơ.", code="data_required")
    submitter_fields = clean_submitter(submitter)
    uploads = check_files(citizen, files)
    declared = [d for d in data.documents or [] if getattr(d, "requirement", None) != AUTHORITY_CODE]
    if files is not None:
        without_file = [d.requirement for d in declared if d.requirement not in uploads]
        if without_file:
            raise InvalidInput(
                "Chưa tải lên tệp của giấy tờ: " + ", ".join(without_file) + ".",
                code="document_file_missing",
                details={"missing": without_file},
            )
        listed = {d.requirement for d in declared}
        declared += [
            DocumentInput(code, "photocopy", len(items))
            for code, items in uploads.items()
            if code not in listed and code != AUTHORITY_CODE
        ]
    intake = clean_intake(
        citizen,
        dataclasses.replace(data, channel=Dossier.Channel.ONLINE, documents=declared),
        counter=False,
    )
    given = {req.code for req, _ in intake.documents}
    missing = missing_mandatory(intake.required, given)
    if missing:
        raise InvalidInput(
            missing_documents_message(missing, Dossier.Channel.ONLINE) + ".",
            code="documents_missing",
            details={"missing": [d.code for d in missing]},
        )
    if submitter_fields:
        check_authority(intake.required, given | ({AUTHORITY_CODE} & uploads.keys()))
    elif AUTHORITY_CODE in uploads:
        uploads = {code: items for code, items in uploads.items() if code != AUTHORITY_CODE}
    now = timezone.now()
    written: list[str] = []
    extra = {"national_identity": bool(national_identity), **submitter_fields}
    try:
        with transaction.atomic():
            created = create_dossier(
                intake,
                actor=citizen,
                state=State.SUBMITTED,
                now=now,
                owner=citizen,
                idempotency_key=key,
                extra=extra,
            )
            _store(created, uploads, citizen, written)
            event_data: dict[str, Any] = {
                "national_identity": bool(national_identity),
                "files": _count(uploads),
            }
            if submitter_fields:
                event_data["submitter"] = submitter_fields
            record_event(
                created,
                action="submit_online",
                actor=citizen,
                agency_id=intake.receiving.pk,
                at=now,
                data=event_data,
            )
            audit_record(
                action="dossier.submit_online",
                actor=citizen,
                obj=created,
                chain=intake.receiving.code,
                after={"state": created.state, "code": created.code},
                extra={"procedure": intake.procedure.code, **event_data},
                ip=ip,
            )
            notify_applicant(created, "submit_online")
    except IntegrityError:
        discard_files(written)
        if key:  # the same form sent twice at the same moment
            existing = Dossier.objects.filter(created_by=citizen, idempotency_key=key).first()
            if existing is not None:
                return existing
        raise
    except BaseException:
        discard_files(written)
        raise
    return created


def _count(uploads: dict[str, list[CheckedFile]]) -> int:
    return sum(len(items) for items in uploads.values())


def _store(dossier: Dossier, uploads: dict[str, list[CheckedFile]], citizen: Any, written: list[str]) -> None:
    """Write the files on the dossier's documents (a document missing from its checklist is added:
    the authority document, or one asked for in a supplement request)."""
    if not uploads:
        return
    documents = {d.requirement_code: d for d in dossier.documents.order_by("order", "pk")}
    order = max((d.order for d in documents.values()), default=0)
    for code, items in uploads.items():
        document = documents.get(code)
        if document is None:
            req = RequiredDocument.objects.filter(procedure_id=dossier.procedure_id, code=code).first()
            if req is None and code != AUTHORITY_CODE:
                raise InvalidInput(
                    f"Hồ sơ {dossier.code} không có thành phần mã “{code}”.",
                    code="document_unknown",
                    details={"field": "files", "requirement": code},
                )
            order += 1
            document = DossierDocument.objects.create(
                dossier=dossier,
                requirement=req,
                requirement_code=code,
                name=req.name if req is not None else AUTHORITY_NAME,
                copy_kind=DossierDocument.CopyKind.PHOTOCOPY,
                count=len(items),
                order=order,
            )
            documents[code] = document
        for checked in items:
            store_file(document, checked, actor=citizen, written=written)


def lock_citizen_dossier(citizen: Any, dossier: Dossier | str) -> Dossier:
    """Lock a dossier the citizen sees; NotFound, the same as for a code that does not exist,
    for anyone else's."""
    if isinstance(dossier, str):
        dossier = dossier.strip().upper()
    locked = lock(dossier)
    if not Dossier.objects.filter(pk=locked.pk).filter(citizen_visible_q(citizen)).exists():
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    return locked


def supplement_expires_at(pause: DossierPause) -> datetime:
    """Until when a supplement is accepted online: the guidance's time at reception
    (``guidance_expires_at``, ``MOTCUA_INTAKE_SUPPLEMENT_EXPIRY_DAYS`` calendar days), and the same
    time for a request during processing."""
    return guidance_expires_at(pause.started_at)


def dossier_supplement_online(
    *,
    citizen: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    files: dict[str, Any] | None,
    note: str = "",
    ip: str | None = None,
) -> Dossier:
    """The citizen sends what the supplement request (Mẫu 02) asked for."""
    require_citizen(citizen, "bổ sung hồ sơ trực tuyến")
    uploads = check_files(citizen, files)
    if not uploads:
        raise InvalidInput("Vui lòng tải lên ít nhất một tệp bổ sung.", code="files_required")
    note = (note or "").strip()[:2000]
    now = timezone.now()
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = lock_citizen_dossier(citizen, dossier)
            check_version(locked, expected_version)
            if locked.state not in (State.INTAKE_SUPPLEMENT, State.SUPPLEMENT):
                raise Conflict(
                    f"Hồ sơ {locked.code} không có yêu cầu bổ sung đang chờ (trạng thái: "
                    f"“{locked.get_state_display()}”).",
                    code="wrong_state",
                    details={"state": locked.state, "status_code": locked.status_code},
                )
            pause = (
                locked.pauses.filter(reason=DossierPause.Reason.SUPPLEMENT, ended_at__isnull=True)
                .order_by("-started_at", "-pk")
                .first()
            )
            if pause is not None and supplement_expires_at(pause) <= now:
                expired = supplement_expires_at(pause).astimezone(VN_TZ)
                raise Conflict(
                    f"Đã quá hạn bổ sung hồ sơ {locked.code} (hạn: {expired:%H:%M ngày %d/%m/%Y}). "
                    "Hồ sơ không thay đổi và các tệp chưa được gửi; vui lòng liên hệ Bộ phận Một cửa "
                    f"của {locked.receiving_agency.name} hoặc nộp hồ sơ mới.",
                    code="supplement_expired",
                    details={"expired_at": expired.isoformat()},
                )
            _store(locked, uploads, citizen, written)
            data = {"files": _count(uploads), "documents": sorted(uploads)}
            if locked.state == State.INTAKE_SUPPLEMENT:
                if pause is not None:
                    DossierPause.objects.filter(pk=pause.pk).update(ended_at=now, supplied_online_at=now)
                return finish(
                    locked,
                    action="supplement-online",
                    actor=citizen,
                    agency=locked.receiving_agency,
                    changes={"state": State.SUBMITTED},
                    expected_version=locked.version,
                    now=now,
                    note=note,
                    data=data,
                    ip=ip,
                    notify_text="Hồ sơ bổ sung đã được gửi đến Bộ phận Một cửa để tiếp nhận.",
                )
            if pause is not None:
                DossierPause.objects.filter(pk=pause.pk).update(supplied_online_at=now)
            return finish(
                locked,
                action="supplement-online",
                actor=citizen,
                agency=locked.holder_agency_id or locked.handling_agency_id,
                changes={},
                expected_version=locked.version,
                now=now,
                note=note,
                data=data,
                ip=ip,
                notify=False,
            )
    except BaseException:
        discard_files(written)
        raise


def dossier_withdraw_online(
    *,
    citizen: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    reason: str,
    ip: str | None = None,
) -> Dossier:
    """The applicant withdraws: at once before reception (status 7 "Công dân yêu cầu rút hồ sơ");
    after it, a request the officer confirms (``dossier_withdraw``) or the dossier goes on."""
    require_citizen(citizen, "rút hồ sơ")
    reason = text_required(reason, "lý do rút hồ sơ")[:2000]
    now = timezone.now()
    with transaction.atomic():
        locked = lock_citizen_dossier(citizen, dossier)
        check_version(locked, expected_version)
        if locked.state in BEFORE_RECEPTION:
            DossierPause.objects.filter(dossier=locked, ended_at__isnull=True).update(ended_at=now)
            return finish(
                locked,
                action="withdraw",
                actor=citizen,
                agency=locked.receiving_agency,
                changes={
                    "state": State.WITHDRAWN,
                    "closed_at": now,
                    "holder": None,
                    "withdrawal_requested_at": now,
                    "withdrawal_reason": reason,
                },
                expected_version=locked.version,
                now=now,
                note=reason,
                data={"online": True},
                ip=ip,
                notify_text=f"Lý do: {reason}",
            )
        if locked.state not in Dossier.OPEN_STATES:
            raise Conflict(
                f"Không thể rút hồ sơ {locked.code}: hồ sơ đang ở trạng thái “{locked.get_state_display()}”.",
                code="wrong_state",
                details={"state": locked.state, "status_code": locked.status_code},
            )
        if locked.withdrawal_requested_at is not None:
            asked = locked.withdrawal_requested_at.astimezone(VN_TZ)
            raise Conflict(
                f"Ông/bà đã gửi yêu cầu rút hồ sơ {locked.code} lúc {asked:%H:%M ngày %d/%m/%Y}; "
                "cán bộ đang xem xét.",
                code="withdrawal_already_requested",
            )
        return finish(
            locked,
            action="request-withdraw",
            actor=citizen,
            agency=locked.holder_agency_id or locked.receiving_agency_id,
            changes={"withdrawal_requested_at": now, "withdrawal_reason": reason},
            expected_version=locked.version,
            now=now,
            note=reason,
            ip=ip,
            notify=False,
        )
