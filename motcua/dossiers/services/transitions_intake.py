"""Transitions at intake: receive (Mẫu 01), refuse (Mẫu 03), ask for a supplement (Mẫu 02, at
the counter or during processing), and a citizen's online submission."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.catalog.models import Offering, Procedure, RequiredDocument
from motcua.dossiers.models import Dossier, DossierDocument, DossierPause
from motcua.dossiers.services.frame import (
    check_version,
    finish,
    lock,
    lock_for,
    notify_applicant,
    record_event,
    text_required,
)
from motcua.dossiers.services.intake import (
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
from motcua.lib.errors import Forbidden, InvalidInput, Unprocessable
from motcua.workcalendar.calendar import working_time_between

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
        if data is not None:
            intake = clean_intake(actor, data)
            docs = intake.documents
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
            raise InvalidInput(
                missing_documents_message(missing, locked.channel) + ".",
                code="documents_missing",
                details={"missing": [d.code for d in missing]},
            )
        if docs is not None:
            locked.documents.filter(files__isnull=True).delete()
            DossierDocument.objects.bulk_create(document_rows(locked, docs))
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
            result_delivery=locked.result_delivery,
        )
        snapshot = procedure_snapshot(fake)
        DossierPause.objects.filter(dossier=locked, ended_at__isnull=True).update(ended_at=now)
        changes = apply_reception(locked, snapshot, actor=actor, now=now)
        return finish(
            locked,
            action="receive",
            actor=actor,
            agency=locked.receiving_agency,
            changes=changes,
            expected_version=locked.version,
            now=now,
            ip=ip,
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
                data={"items": cleaned},
            )
            audit_record(
                action="dossier.request_supplement",
                actor=actor,
                obj=created,
                chain=intake.receiving.code,
                after={"state": created.state, "code": created.code},
                extra={"items": cleaned, "at_intake": True},
                ip=ip,
            )
            notify_applicant(created, "request_supplement", supplement_items_text(cleaned))
        return created
    with transaction.atomic():
        locked = lock(dossier)
        if locked.state == State.SUBMITTED:
            check_version(locked, expected_version)
            check_action(actor, locked, "request-supplement-intake")
            DossierPause.objects.create(
                dossier=locked,
                reason=DossierPause.Reason.SUPPLEMENT,
                items=cleaned,
                note=note,
                started_at=now,
                requested_by=actor,
                resume_state=State.RECEIVED,
            )
            return finish(
                locked,
                action="request-supplement",
                actor=actor,
                agency=locked.receiving_agency,
                changes={"state": State.INTAKE_SUPPLEMENT},
                expected_version=locked.version,
                now=now,
                note=note,
                data={"items": cleaned},
                ip=ip,
                notify_text=supplement_items_text(cleaned),
            )
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


def dossier_submit_online(*, citizen: Any, data: IntakeData, ip: str | None = None) -> Dossier:
    """A citizen's or organisation's online submission (status 1), waiting for reception."""
    if citizen is None or not getattr(citizen, "is_authenticated", False):
        raise Forbidden("Vui lòng đăng nhập để nộp hồ sơ trực tuyến.", code="login_required")
    User = type(citizen)
    kinds = {
        getattr(User, "Kind", None) and User.Kind.CITIZEN,
        getattr(User, "Kind", None) and User.Kind.ORGANISATION,
    }
    if getattr(citizen, "kind", None) not in kinds:
        raise Forbidden("Chỉ tài khoản công dân hoặc tổ chức được nộp hồ sơ trực tuyến.", code="not_citizen")
    intake = clean_intake(citizen, dataclasses.replace(data, channel=Dossier.Channel.ONLINE), counter=False)
    now = timezone.now()
    with transaction.atomic():
        created = create_dossier(intake, actor=citizen, state=State.SUBMITTED, now=now, owner=citizen)
        record_event(created, action="submit_online", actor=citizen, agency_id=intake.receiving.pk, at=now)
        audit_record(
            action="dossier.submit_online",
            actor=citizen,
            obj=created,
            chain=intake.receiving.code,
            after={"state": created.state, "code": created.code},
            extra={"procedure": intake.procedure.code},
            ip=ip,
        )
        notify_applicant(created, "submit_online")
    return created
