"""Transitions at intake: receive (Mẫu 01), refuse (Mẫu 03), ask for a supplement (Mẫu 02, at
the counter or during processing). A citizen's online submission is in ``online``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.catalog.models import Offering, Procedure, RequiredDocument
from motcua.dossiers.models import Dossier, DossierDocument, DossierPause
from motcua.dossiers.services.frame import (
    check_version,
    finish,
    holder_is,
    lock,
    lock_for,
    notify_applicant,
    record_event,
    text_required,
)
from motcua.dossiers.services.hooks import run_after_receive
from motcua.dossiers.services.intake import (
    DocumentInput,
    Intake,
    IntakeData,
    SupplementItem,
    clean_intake,
    clean_supplement_items,
    document_rows,
    documents_for_channel,
    intake_fingerprint,
    missing_documents_message,
    missing_mandatory,
    procedure_snapshot,
    supplement_items_text,
)
from motcua.dossiers.services.reception import apply_reception, create_dossier, receive_new
from motcua.dossiers.services.rules import acting_agency, check_action
from motcua.dossiers.services.steps import handling_calendar
from motcua.lib.errors import InvalidInput, Unprocessable
from motcua.workcalendar.calendar import VN_TZ, working_time_between

SUPPLEMENT_WINDOW_DAYS = 3
State = Dossier.State


def dossier_receive(
    *,
    actor: Any,
    data: IntakeData | None = None,
    dossier: Dossier | str | None = None,
    expected_version: int | str | None = None,
    idempotency_key: str | None = None,
    ip: str | None = None,
) -> Dossier:
    """Receive a complete dossier (Mẫu 01): a new one from ``data``, or one submitted online or
    sent back for an intake supplement (``dossier`` + ``expected_version``; ``data``, when
    given, replaces its documents). Code, PIN, appointment, first step, event, audit, outbox."""
    now = timezone.now()
    if dossier is None:
        fingerprint = ""
        if idempotency_key:
            idempotency_key = str(idempotency_key)[:100]
            fingerprint = intake_fingerprint(data)
            existing = _replay(actor, idempotency_key, fingerprint)
            if existing is not None:
                return existing
        intake = clean_intake(actor, data)
        missing = missing_mandatory(intake.required, {req.code for req, _ in intake.documents})
        if missing:
            raise InvalidInput(
                missing_documents_message(missing, intake.channel)
                + ". Hãy hướng dẫn bổ sung (Mẫu 02) hoặc từ chối tiếp nhận.",
                code="documents_missing",
                details={"missing": [d.code for d in missing]},
            )
        try:
            with transaction.atomic():
                created = receive_new(
                    intake,
                    procedure_snapshot(intake),
                    actor=actor,
                    now=now,
                    idempotency_key=idempotency_key,
                    ip=ip,
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            if idempotency_key:  # the same key, at the same moment, from another request
                existing = _replay(actor, idempotency_key, fingerprint)
                if existing is not None:
                    return existing
            raise
        return created

    with transaction.atomic():
        locked, _ = lock_for(actor, dossier, expected_version, "receive")
        guided = locked.state == State.INTAKE_SUPPLEMENT
        applicant_changes: dict[str, Any] = {}
        if data is not None:
            intake = clean_intake(actor, data, counter=True)
            _check_same_dossier(locked, intake)
            docs = intake.documents
            applicant_changes = {
                name: value for name, value in intake.applicant.items() if getattr(locked, name) != value
            }
            if intake.result_delivery != locked.result_delivery:
                applicant_changes["result_delivery"] = intake.result_delivery
        else:
            docs = None
        # The documents of the dossier's own channel (an online dossier has no paper declaration).
        required = documents_for_channel(
            RequiredDocument.objects.filter(procedure=locked.procedure), locked.channel
        )
        given = (
            {req.code for req, _ in docs}
            if docs is not None
            else set(locked.documents.values_list("requirement_code", flat=True))
        )
        missing = missing_mandatory(required, given)
        if missing:
            hint = (
                " Người dân đã mang giấy tờ đến: mở “Tiếp nhận hồ sơ bổ sung” tại quầy để đánh dấu "
                "giấy tờ đã nhận."
                if guided and docs is None
                else ""
            )
            raise InvalidInput(
                missing_documents_message(missing, locked.channel) + "." + hint,
                code="documents_missing",
                details={"missing": [d.code for d in missing]},
            )
        if docs is not None:
            replace_documents(locked, docs)
        offering = Offering.objects.filter(
            procedure=locked.procedure, agency=locked.handling_agency
        ).first() or Offering(procedure=locked.procedure, agency=locked.handling_agency)
        fake = Intake(
            procedure=locked.procedure,
            receiving=locked.receiving_agency,
            handling=locked.handling_agency,
            offering=offering,
            applicant={},
            documents=[],
            required=required,
            channel=locked.channel,
            result_delivery=applicant_changes.get("result_delivery", locked.result_delivery),
        )
        snapshot = procedure_snapshot(fake)
        guidances = _intake_guidances(locked)
        DossierPause.objects.filter(dossier=locked, ended_at__isnull=True).update(ended_at=now)
        # The appointment counts from this reception (now), never from the guidance: the clock
        # starts only with a full, valid dossier (domain.md, "clock start").
        changes = {**applicant_changes, **apply_reception(locked, snapshot, actor=actor, now=now)}
        event_data: dict[str, Any] = {}
        note = ""
        if guided or guidances:  # guided at the counter, or supplemented online since
            event_data = {
                "after_guidance": True,
                "guidances": len(guidances),
                "guided_at": guidances[-1].started_at if guidances else None,
                "documents": sorted(given),
            }
            if guidances:
                note = (
                    "Tiếp nhận sau khi người nộp bổ sung theo hướng dẫn ngày "
                    f"{guidances[-1].started_at.astimezone(VN_TZ):%d/%m/%Y}; giữ nguyên mã hồ sơ, "
                    "thời hạn giải quyết tính từ lần tiếp nhận này."
                )
        received = finish(
            locked,
            action="receive",
            actor=actor,
            agency=locked.receiving_agency,
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=note,
            data=event_data or None,
            ip=ip,
        )
        return run_after_receive(received)  # motcua.payments: paid at submission (hooks.py)


def _check_same_dossier(locked: Dossier, intake: Intake) -> None:
    """What a reception of an existing dossier is given must be that dossier: its procedure and
    receiving agency (a different procedure is a different dossier, with its own code)."""
    if intake.procedure.pk != locked.procedure_id:
        raise InvalidInput(
            f"Hồ sơ {locked.code} thuộc thủ tục {locked.procedure.code}, không phải thủ tục "
            f"{intake.procedure.code}: thủ tục khác phải tiếp nhận thành hồ sơ mới.",
            code="procedure_mismatch",
            details={"field": "procedure"},
        )
    if intake.receiving.pk != locked.receiving_agency_id:
        raise InvalidInput(
            f"Hồ sơ {locked.code} được tiếp nhận tại {locked.receiving_agency.name}, "
            "chỉ quầy của cơ quan này tiếp nhận tiếp được.",
            code="receiving_agency_mismatch",
            details={"field": "receiving_agency"},
        )


def replace_documents(locked: Dossier, docs: list[tuple[RequiredDocument, DocumentInput]]) -> None:
    """The dossier's checklist becomes ``docs``. A document that already has scanned files keeps
    its row (and files), updated to the copy kind and count given; the others are replaced."""
    with_files = {d.requirement_code: d for d in locked.documents.filter(files__isnull=False).distinct()}
    locked.documents.exclude(pk__in=[d.pk for d in with_files.values()]).delete()
    fresh = []
    for row in document_rows(locked, docs):
        kept = with_files.get(row.requirement_code)
        if kept is None:
            fresh.append(row)
            continue
        kept.copy_kind, kept.count, kept.order = row.copy_kind, row.count, row.order
        kept.save(update_fields=["copy_kind", "count", "order"])
    DossierDocument.objects.bulk_create(fresh)


def _intake_guidances(dossier: Dossier) -> list[DossierPause]:
    """The guidances given at reception (Mẫu 02 before the dossier was received), oldest first:
    every supplement pause of a dossier not yet received."""
    if dossier.received_at is not None:
        return []
    return list(
        DossierPause.objects.filter(dossier=dossier, reason=DossierPause.Reason.SUPPLEMENT).order_by(
            "started_at", "pk"
        )
    )


def _replay(actor: Any, key: str, fingerprint: str) -> Dossier | None:
    """The dossier this actor already received with ``key``, if the request is the same one
    again (a retry); ``Unprocessable`` (422, ``idempotency_key_reused``) if the key was used
    for another request, so that the second applicant never gets the first one's dossier and
    PIN. A dossier received before fingerprints were kept has none: it is returned as before."""
    existing = Dossier.objects.filter(created_by=actor, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.idempotency_fingerprint and existing.idempotency_fingerprint != fingerprint:
        raise Unprocessable(
            f"Khóa Idempotency-Key “{key}” đã được dùng để tiếp nhận hồ sơ {existing.code} với nội "
            "dung khác. Gửi lại đúng nội dung cũ để nhận lại hồ sơ đó, hoặc dùng một khóa mới "
            "cho hồ sơ mới.",
            code="idempotency_key_reused",
            details={"dossier": existing.code},
        )
    return existing


def dossier_refuse(
    *,
    actor: Any,
    reason: str,
    data: IntakeData | None = None,
    dossier: Dossier | str | None = None,
    expected_version: int | str | None = None,
    ip: str | None = None,
) -> Dossier:
    """Refuse to receive (Mẫu 03): a new dossier from ``data`` gets its code, state refused."""
    reason = text_required(reason, "lý do từ chối tiếp nhận")
    now = timezone.now()
    if dossier is None:
        intake = clean_intake(actor, data)
        with transaction.atomic():
            created = create_dossier(intake, actor=actor, state=State.REFUSED, now=now)
            Dossier.objects.filter(pk=created.pk).update(closed_at=now)
            created.closed_at = now
            record_event(
                created, action="refuse", actor=actor, agency_id=intake.receiving.pk, at=now, note=reason
            )
            audit_record(
                action="dossier.refuse",
                actor=actor,
                obj=created,
                chain=intake.receiving.code,
                after={"state": created.state, "code": created.code},
                extra={"reason": reason, "procedure": intake.procedure.code},
                ip=ip,
            )
            notify_applicant(created, "refuse", f"Lý do: {reason}")
        return created
    with transaction.atomic():
        locked, _ = lock_for(actor, dossier, expected_version, "refuse")
        DossierPause.objects.filter(dossier=locked, ended_at__isnull=True).update(ended_at=now)
        return finish(
            locked,
            action="refuse",
            actor=actor,
            agency=locked.receiving_agency,
            changes={"state": State.REFUSED, "closed_at": now, "holder": None},
            expected_version=locked.version,
            now=now,
            note=reason,
            ip=ip,
            notify_text=f"Lý do: {reason}",
        )


def dossier_request_supplement(
    *,
    actor: Any,
    items: list[SupplementItem],
    note: str = "",
    data: IntakeData | None = None,
    dossier: Dossier | str | None = None,
    expected_version: int | str | None = None,
    ip: str | None = None,
) -> Dossier:
    """Ask for a supplement (Mẫu 02).

    At reception (``data`` for a new dossier, or a dossier submitted online): the dossier gets
    its code and waits in ``intake_supplement``; no clock runs. During processing (received or
    processing): the clock stops; on receipt of the supplement it restarts from zero or resumes
    according to the procedure's policy (snapshot). The second request sets ``supplement_flagged``.
    """
    cleaned = clean_supplement_items(items)
    note = (note or "").strip()
    now = timezone.now()
    if dossier is None:
        intake = clean_intake(actor, data)
        with transaction.atomic():
            created = create_dossier(intake, actor=actor, state=State.INTAKE_SUPPLEMENT, now=now)
            DossierPause.objects.create(
                dossier=created,
                reason=DossierPause.Reason.SUPPLEMENT,
                items=cleaned,
                note=note,
                started_at=now,
                requested_by=actor,
                resume_state=State.RECEIVED,
            )
            record_event(
                created,
                action="request_supplement",
                actor=actor,
                agency_id=intake.receiving.pk,
                at=now,
                note=note,
                data={"items": cleaned, "guidance": 1},
            )
            audit_record(
                action="dossier.request_supplement",
                actor=actor,
                obj=created,
                chain=intake.receiving.code,
                after={"state": created.state, "code": created.code},
                extra={"items": cleaned, "at_intake": True, "guidance": 1},
                ip=ip,
            )
            notify_applicant(created, "request_supplement", supplement_items_text(cleaned))
        return created
    with transaction.atomic():
        locked = lock(dossier)
        if locked.state in (State.SUBMITTED, State.INTAKE_SUPPLEMENT):
            check_version(locked, expected_version)
            check_action(actor, locked, "request-supplement-intake")
            if data is not None:
                intake = clean_intake(actor, data)
                _check_same_dossier(locked, intake)
                replace_documents(locked, intake.documents)
            earlier = _intake_guidances(locked)
            guidance = len(earlier) + 1
            DossierPause.objects.filter(dossier=locked, ended_at__isnull=True).update(ended_at=now)
            DossierPause.objects.create(
                dossier=locked,
                reason=DossierPause.Reason.SUPPLEMENT,
                items=cleaned,
                note=note,
                started_at=now,
                requested_by=actor,
                resume_state=State.RECEIVED,
            )
            event_data: dict[str, Any] = {"items": cleaned, "guidance": guidance}
            event_note = note
            if guidance >= 2:
                # Decree 61 art. 15(3): the officer guides the applicant once, completely. A
                # second guidance is allowed but flagged (event, audit): refusing it would
                # leave the officer no lawful way to say what is still missing.
                event_data["repeat_guidance"] = True
                event_note = (
                    f"Hướng dẫn bổ sung lần thứ {guidance} (quy định chỉ hướng dẫn một lần, "
                    "đầy đủ, chính xác)." + (f" {note}" if note else "")
                )
            return finish(
                locked,
                action="request-supplement",
                actor=actor,
                agency=locked.receiving_agency,
                changes={"state": State.INTAKE_SUPPLEMENT},
                expected_version=locked.version,
                now=now,
                note=event_note,
                data=event_data,
                ip=ip,
                notify=True,
                notify_text=supplement_items_text(cleaned),
            )
        holder_is(locked, actor)
        check_version(locked, expected_version)
        roles = check_action(actor, locked, "request-supplement")
        cal = handling_calendar(locked)
        assert locked.received_at is not None  # received or processing
        late_request = working_time_between(cal, locked.received_at, now) > timedelta(
            hours=8 * SUPPLEMENT_WINDOW_DAYS
        )
        policy = locked.procedure_snapshot.get("policy") or Procedure.SupplementPolicy.RESTART
        DossierPause.objects.create(
            dossier=locked,
            reason=DossierPause.Reason.SUPPLEMENT,
            items=cleaned,
            note=note,
            started_at=now,
            policy=policy,
            requested_by=actor,
            resume_state=locked.state,
        )
        count = locked.supplement_count + 1
        changes = {"state": State.SUPPLEMENT, "supplement_count": count}
        if count >= 2:
            changes["supplement_flagged"] = True
        return finish(
            locked,
            action="request-supplement",
            actor=actor,
            agency=acting_agency(roles, "request-supplement"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=note,
            data={"items": cleaned, "policy": policy, "late_request": late_request, "count": count},
            ip=ip,
            notify_text=supplement_items_text(cleaned),
        )


def guidance_expiry_days() -> int:
    """Days (calendar days) a dossier guided at reception waits for its documents before it is
    closed (setting ``MOTCUA_INTAKE_SUPPLEMENT_EXPIRY_DAYS``)."""
    return int(settings.MOTCUA_INTAKE_SUPPLEMENT_EXPIRY_DAYS)


def guidance_expires_at(guided_at: datetime) -> datetime:
    """When a guidance given at ``guided_at`` lapses: the same hour ``guidance_expiry_days()``
    days later (calendar days: the citizen's time to gather papers is not working time)."""
    return guided_at + timedelta(days=guidance_expiry_days())


def dossier_close_guidance(*, dossier: Dossier | str, ip: str | None = None) -> Dossier | None:
    """Close a dossier guided at reception whose applicant never came back with the documents
    (``manage.py close_expired_guidance``): the system acts, no officer.

    The dossier was never received, so it ends as not received (``refused``, national status
    3 "Không được tiếp nhận"; ``received_at`` stays empty, it never had status 2 and no report
    counts it as received). The event (``close-guidance``) and the audit event say it lapsed,
    so that it is never mistaken for an officer's refusal (no Mẫu 03 is issued for it).
    Returns None, changing nothing, when the dossier is no longer waiting or its time has not
    run out (received or closed meanwhile): safe to run again and again."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock(dossier)
        if locked.state != State.INTAKE_SUPPLEMENT:
            return None
        pause = (
            DossierPause.objects.filter(
                dossier=locked, reason=DossierPause.Reason.SUPPLEMENT, ended_at__isnull=True
            )
            .order_by("-started_at", "-pk")
            .first()
        )
        if pause is None or guidance_expires_at(pause.started_at) > now:
            return None
        DossierPause.objects.filter(pk=pause.pk).update(ended_at=now)
        days = guidance_expiry_days()
        guided = pause.started_at.astimezone(VN_TZ)
        text = (
            f"Quá {days} ngày kể từ ngày hướng dẫn bổ sung ({guided:%d/%m/%Y}) mà chưa bổ sung đủ "
            "giấy tờ: hồ sơ không được tiếp nhận. Ông/bà có thể nộp hồ sơ mới khi đủ giấy tờ."
        )
        return finish(
            locked,
            action="close-guidance",
            actor=None,
            agency=locked.receiving_agency,
            changes={"state": State.REFUSED, "closed_at": now, "holder": None},
            expected_version=locked.version,
            now=now,
            note=text,
            data={"expired": True, "guided_at": pause.started_at, "expiry_days": days},
            ip=ip,
            notify_text=text,
        )
