"""Transitions while the dossier is processed: the supplement received, assignment, forwarding
(along the process or to another agency), sending back, approval and rejection."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierPause
from motcua.dossiers.services.frame import finish, lock_for, text_required
from motcua.dossiers.services.rules import acting_agency, open_step
from motcua.dossiers.services.steps import (
    check_step_officer,
    end_step,
    freeze,
    handling_calendar,
    next_template_step,
    origin_step,
    start_step,
    step_agency_id,
    template_step,
)
from motcua.lib.errors import Conflict, InvalidInput, NotFound
from motcua.org.models import Agency
from motcua.workcalendar.calendar import (
    add_working_hours,
    add_working_time,
    shift_working_time,
    working_time_between,
)

State = Dossier.State


def dossier_receive_supplement(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    note: str = "",
    ip: str | None = None,
) -> Dossier:
    """The applicant brought what was asked for: the clock restarts (policy restart: the
    appointment counts again in full from now) or resumes (policy pause: the appointment and the
    current step's due move by the working time paused)."""
    now = timezone.now()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "receive-supplement")
        pause = locked.pauses.filter(reason=DossierPause.Reason.SUPPLEMENT, ended_at__isnull=True).last()
        cal = handling_calendar(locked)
        snap = locked.procedure_snapshot
        policy = (pause.policy if pause else "") or snap.get("policy") or "restart"
        changes: dict[str, Any] = {"state": (pause.resume_state if pause else "") or State.PROCESSING}
        step = locked.current_step
        assert locked.due_at is not None  # a dossier waiting for a supplement was received
        if policy == Procedure.SupplementPolicy.PAUSE:
            paused = working_time_between(cal, pause.started_at, now) if pause else timedelta(0)
            changes["due_at"] = shift_working_time(cal, locked.due_at, paused)
            if step is not None and step.finished_at is None and step.due_at:
                step.due_at = shift_working_time(cal, step.due_at, paused)
                step.save(update_fields=["due_at"])
        else:
            changes["due_at"] = add_working_time(
                cal, now, snap["time"], snap["unit"], rule=snap["rule"]
            ).due_at
            changes["clock_started_at"] = now
            if step is not None and step.finished_at is None:
                template = template_step(locked, step.template_order)
                if template:
                    step.due_at = add_working_hours(cal, now, Decimal(template["budget_hours"]))
                    step.save(update_fields=["due_at"])
        if pause is not None:
            pause.ended_at = now
            pause.save(update_fields=["ended_at"])
        return finish(
            locked,
            action="receive-supplement",
            actor=actor,
            agency=acting_agency(roles, "receive-supplement"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=(note or "").strip(),
            data={"policy": policy},
            ip=ip,
        )


def dossier_assign(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    officer: Any,
    ip: str | None = None,
) -> Dossier:
    """A leader gives the dossier (its current step) to an officer of the holding agency, who
    then holds the step (an approval step only to a leader or director)."""
    now = timezone.now()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "assign")
        if officer is None:
            raise InvalidInput("Vui lòng chọn cán bộ được giao xử lý.", details={"field": "officer"})
        step = open_step(locked)
        check_step_officer(officer, locked.holder_agency_id, step)
        if step is not None:
            step.receiver = officer
            step.giver = step.giver or actor
            step.save(update_fields=["receiver", "giver"])
        changes = {"holder": officer}
        if locked.state == State.RECEIVED:
            changes["state"] = State.PROCESSING
        return finish(
            locked,
            action="assign",
            actor=actor,
            agency=acting_agency(roles, "assign"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            data={"officer": officer.pk, "officer_name": officer.get_full_name()},
            ip=ip,
        )


def dossier_forward(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    to_agency: Agency | str | None = None,
    officer: Any = None,
    note: str = "",
    ip: str | None = None,
) -> Dossier:
    """End the current step and start the next step of the process (or a step at ``to_agency``:
    inter-agency forwarding)."""
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "forward")
        current = locked.current_step
        if isinstance(to_agency, str):
            code = to_agency.strip().upper()
            to_agency = Agency.objects.filter(code=code, active=True).first()
            if to_agency is None:
                raise NotFound(f"Không tìm thấy cơ quan có mã định danh “{code}”.", code="agency_not_found")
        if to_agency is not None:
            # Inter-agency (liên thông): an extra step outside the template, no budget of its own.
            template, agency_id = None, to_agency.pk
        elif current is not None and current.template_order is None:
            # Back from an inter-agency step to the step that sent it.
            origin = origin_step(locked)
            template = template_step(locked, origin.template_order) if origin else None
            if origin is None or template is None:
                raise Conflict(
                    f"Không xác định được bước tiếp theo của hồ sơ {locked.code}.", code="last_step"
                )
            agency_id = origin.agency_id
            if officer is None and origin.receiver_id:
                officer = origin.receiver
        else:
            template = next_template_step(locked, current.template_order if current else None)
            if template is None:
                raise Conflict(
                    f"Hồ sơ {locked.code} đang ở bước cuối của quy trình: "
                    "lãnh đạo phê duyệt hoặc không giải quyết.",
                    code="last_step",
                )
            agency_id = step_agency_id(template, locked)
        check_step_officer(officer, agency_id, template)
        cal = handling_calendar(locked)
        end_step(current, now, "forward", note)
        step = start_step(
            locked,
            template=template,
            agency_id=agency_id,
            now=now,
            giver=actor,
            receiver=officer,
            cal=cal,
            note=note,
            name="" if template else "Phối hợp xử lý (liên thông)",
        )
        return finish(
            locked,
            action="forward",
            actor=actor,
            agency=acting_agency(roles, "forward"),
            changes={
                "state": State.PROCESSING,
                "current_step": step,
                "holder_agency_id": agency_id,
                "holder": officer,
            },
            expected_version=locked.version,
            now=now,
            note=note,
            data={"step": step.seq, "step_name": step.name, "to_agency": agency_id},
            ip=ip,
        )


def dossier_send_back(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    to_seq: int | str,
    note: str,
    ip: str | None = None,
) -> Dossier:
    """Send the dossier back to an earlier step (a new step row repeating it, same budget)."""
    note = text_required(note, "lý do trả lại")
    now = timezone.now()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "send-back")
        current = locked.current_step
        try:
            to_seq = int(to_seq)
        except (TypeError, ValueError):
            raise InvalidInput("Bước trả lại không hợp lệ.", details={"field": "to_seq"}) from None
        earlier = locked.steps.filter(seq=to_seq).first()
        if earlier is None or current is None or to_seq >= current.seq:
            raise InvalidInput(
                f"Chỉ được trả lại một bước trước bước hiện tại (bước {current.seq if current else '?'}).",
                details={"field": "to_seq"},
            )
        cal = handling_calendar(locked)
        end_step(current, now, "send_back", note)
        step = start_step(
            locked,
            template=template_step(locked, earlier.template_order),
            agency_id=earlier.agency_id,
            now=now,
            giver=actor,
            receiver=earlier.receiver,
            cal=cal,
            name=earlier.name,
            role=earlier.role,
            kind=earlier.kind,
            note=note,
        )
        return finish(
            locked,
            action="send-back",
            actor=actor,
            agency=acting_agency(roles, "send-back"),
            changes={
                "current_step": step,
                "holder_agency_id": earlier.agency_id,
                "holder_id": earlier.receiver_id,
            },
            expected_version=locked.version,
            now=now,
            note=note,
            data={"to_seq": to_seq, "step": step.seq},
            ip=ip,
        )


def dossier_approve(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    note: str = "",
    ip: str | None = None,
) -> Dossier:
    """The leader holding the approval step approves: the step ends; the next step of the process
    (e.g. return at the counter) starts, unassigned; where the process ends here, the approving
    leader keeps the dossier to finish the result (``dossier_finish``)."""
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "approve")
        current = locked.current_step
        end_step(current, now, "approve", note)
        changes: dict[str, Any] = {"state": State.APPROVED, "outcome": Dossier.Outcome.APPROVED}
        order = current.template_order if current else None
        if current is not None and order is None:
            origin = origin_step(locked)
            order = origin.template_order if origin else None
        template = next_template_step(locked, order)
        if template is not None:
            agency_id = step_agency_id(template, locked)
            step = start_step(
                locked,
                template=template,
                agency_id=agency_id,
                now=now,
                giver=actor,
                receiver=None,
                cal=handling_calendar(locked),
            )
            changes.update(current_step=step, holder_agency_id=agency_id, holder=None)
        else:
            changes["holder"] = actor
        return finish(
            locked,
            action="approve",
            actor=actor,
            agency=acting_agency(roles, "approve"),
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=note,
            ip=ip,
        )


def dossier_reject(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    reason: str,
    ip: str | None = None,
) -> Dossier:
    """Not granted after appraisal: the written answer is the result; the dossier is finished
    (status 9) with outcome ``rejected`` and its timeliness frozen; the answer is then returned."""
    reason = text_required(reason, "lý do không giải quyết")
    now = timezone.now()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "reject")
        end_step(locked.current_step, now, "reject", reason)
        return finish(
            locked,
            action="reject",
            actor=actor,
            agency=acting_agency(roles, "reject"),
            changes={
                "state": State.FINISHED,
                "outcome": Dossier.Outcome.REJECTED,
                "holder_agency_id": locked.receiving_agency_id,
                "holder": None,
                **freeze(locked, now),
            },
            expected_version=locked.version,
            now=now,
            note=reason,
            ip=ip,
            notify_text=f"Kết quả: không giải quyết. Lý do: {reason}",
        )
