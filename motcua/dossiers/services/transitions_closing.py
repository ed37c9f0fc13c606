"""Transitions towards the end: payment requested and recorded, stop (Mẫu 05), withdrawal,
apology and extension (Mẫu 04), the result finished and returned."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierExtension, DossierPause
from motcua.dossiers.services.frame import check_version, finish, lock, lock_for, text_required
from motcua.dossiers.services.rules import acting_agency, state_conflict
from motcua.dossiers.services.steps import end_step, freeze, handling_calendar
from motcua.lib.errors import Conflict, InvalidInput
from motcua.lib.text import money
from motcua.workcalendar.calendar import (
    UNIT_LABELS,
    VN_TZ,
    WorkCalendar,
    add_working_time,
    shift_working_time,
    working_time_between,
)

State = Dossier.State
# Ceiling of a payment request (a thousand trillion đồng): far above any fee or financial
# obligation of a procedure, far below what the column holds (a 64-bit integer), so that a slip
# of the keyboard or a probe gets a message instead of a database error.
MAX_AMOUNT_VND = 10**15


def dossier_request_payment(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    amount_vnd: object,
    note: str = "",
    ip: str | None = None,
    data: dict[str, Any] | None = None,
    system: bool = False,
) -> Dossier:
    """Ask the applicant to pay (status 6); the clock pauses until the payment is recorded.

    ``data``: more of the event's data (motcua.payments: ``lines``, ``due_by``, ``purpose``).
    ``system``: no officer acts (``actor`` None): a procedure paid at submission asks it of an
    online dossier when it is received (motcua.payments), so a received dossier may be asked too."""
    if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
        raise InvalidInput(
            "Số tiền phải nộp phải là số nguyên dương (đồng).", details={"field": "amount_vnd"}
        )
    if amount_vnd > MAX_AMOUNT_VND:
        raise InvalidInput(
            f"Số tiền phải nộp quá lớn: tối đa {money(MAX_AMOUNT_VND)}. Hãy kiểm tra lại số tiền.",
            code="amount_too_large",
            details={"field": "amount_vnd", "max": MAX_AMOUNT_VND},
        )
    now = timezone.now()
    with transaction.atomic():
        locked, agency = _lock_for_payment(actor, dossier, expected_version, "request-payment", system)
        DossierPause.objects.create(
            dossier=locked,
            reason=DossierPause.Reason.PAYMENT,
            note=(note or "").strip(),
            started_at=now,
            policy=Procedure.SupplementPolicy.PAUSE,
            requested_by=actor,
            resume_state=locked.state,
        )
        return finish(
            locked,
            action="request-payment",
            actor=actor,
            agency=agency,
            changes={"state": State.PAYMENT, "fee_due_vnd": amount_vnd},
            expected_version=locked.version,
            now=now,
            note=(note or "").strip(),
            data={**(data or {}), "amount_vnd": amount_vnd},
            ip=ip,
            notify_text=f"Số tiền phải nộp: {money(amount_vnd)}.",
        )


def dossier_record_payment(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    note: str = "",
    ip: str | None = None,
    data: dict[str, Any] | None = None,
    system: bool = False,
) -> Dossier:
    """The payment was made: the appointment and the current step move by the working time paused.

    ``data``: the event's data (motcua.payments: ``method``, ``amount_vnd``, ``paid_online``).
    ``system``: the payment gateway's signed confirmation recorded it, no officer (``actor`` None)."""
    now = timezone.now()
    with transaction.atomic():
        locked, agency = _lock_for_payment(actor, dossier, expected_version, "record-payment", system)
        pause = locked.pauses.filter(reason=DossierPause.Reason.PAYMENT, ended_at__isnull=True).last()
        cal = handling_calendar(locked)
        changes: dict[str, Any] = {"state": (pause.resume_state if pause else "") or State.PROCESSING}
        if pause is not None:
            assert locked.due_at is not None  # a payment is asked of a received dossier
            paused = working_time_between(cal, pause.started_at, now)
            changes["due_at"] = shift_working_time(cal, locked.due_at, paused)
            step = locked.current_step
            if step is not None and step.finished_at is None and step.due_at:
                step.due_at = shift_working_time(cal, step.due_at, paused)
                step.save(update_fields=["due_at"])
            pause.ended_at = now
            pause.save(update_fields=["ended_at"])
        return finish(
            locked,
            action="record-payment",
            actor=actor,
            agency=agency,
            changes=changes,
            expected_version=locked.version,
            now=now,
            note=(note or "").strip(),
            data=data,
            ip=ip,
        )


# What the system itself may do (no officer): ask for a payment of a dossier just received (paid
# at submission) or in processing; record a payment the gateway confirmed.
_SYSTEM_STATES = {
    "request-payment": frozenset({State.RECEIVED, State.PROCESSING, State.APPROVED}),
    "record-payment": frozenset({State.PAYMENT}),
}


def _lock_for_payment(
    actor: Any, dossier: Dossier | str, expected_version: int | str | None, action: str, system: bool
) -> tuple[Dossier, int | None]:
    """``lock_for`` for an officer; for the system, the lock, the version (when given) and the state. The
    agency acting is the officer's, or for the system the handling agency (which collects)."""
    if not system:
        locked, roles = lock_for(actor, dossier, expected_version, action)
        return locked, acting_agency(roles, action)
    locked = lock(dossier)
    if expected_version is not None:  # the system acts on the dossier as it finds it under the lock
        check_version(locked, expected_version)
    if locked.state not in _SYSTEM_STATES[action]:
        raise state_conflict(locked, action)
    return locked, locked.handling_agency_id


def _close(
    action: str,
    state: str,
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    reason: str,
    what: str,
    ip: str | None,
) -> Dossier:
    reason = text_required(reason, what)
    now = timezone.now()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, action)
        end_step(locked.current_step, now, action.replace("-", "_"), reason)
        locked.pauses.filter(ended_at__isnull=True).update(ended_at=now)
        return finish(
            locked,
            action=action,
            actor=actor,
            agency=acting_agency(roles, action),
            changes={"state": state, "closed_at": now, "holder": None},
            expected_version=locked.version,
            now=now,
            note=reason,
            ip=ip,
            notify_text=f"Lý do: {reason}",
        )


def dossier_stop(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    reason: str,
    ip: str | None = None,
) -> Dossier:
    """Stop processing (Mẫu 05): the dossier is closed."""
    return _close(
        "stop",
        State.STOPPED,
        actor=actor,
        dossier=dossier,
        expected_version=expected_version,
        reason=reason,
        what="lý do dừng xử lý",
        ip=ip,
    )


def dossier_withdraw(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    reason: str,
    ip: str | None = None,
) -> Dossier:
    """The applicant withdraws the dossier (recorded by the counter or a leader): closed."""
    return _close(
        "withdraw",
        State.WITHDRAWN,
        actor=actor,
        dossier=dossier,
        expected_version=expected_version,
        reason=reason,
        what="lý do rút hồ sơ",
        ip=ip,
    )


def extension_limit(dossier: Dossier, cal: WorkCalendar) -> tuple[datetime, str]:
    """The latest new appointment of an extension, and how it reads: the close of the working
    day on which ``MOTCUA_EXTENSION_MAX_PERIODS`` (default 1) more processing times of the
    procedure, as the dossier was received under, end, counted on the handling agency's
    calendar from the current appointment.

    Worked example: received Monday 02/03/2026 08:00, 5 working days, due Monday 09/03 08:00;
    one more processing time from there ends Monday 16/03 08:00, so the latest new appointment
    is 17:00 on Monday 16/03/2026."""
    assert dossier.due_at is not None  # an open dossier has its appointment
    snap = dossier.procedure_snapshot
    periods = max(1, int(getattr(settings, "MOTCUA_EXTENSION_MAX_PERIODS", 1)))
    amount = int(snap["time"]) * periods
    limit = add_working_time(cal, dossier.due_at, amount, snap["unit"], rule="end_of_day").due_at
    times = "" if periods == 1 else f"{periods} lần "
    return limit, (
        f"{amount} {UNIT_LABELS.get(snap['unit'], snap['unit'])}, bằng {times}thời hạn giải quyết của thủ tục"
    )


def dossier_extend(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    reason: str,
    new_due_at: object,
    ip: str | None = None,
) -> Dossier:
    """Apologise and extend (Mẫu 04): once, decided at least 1 working day before the appointment,
    to a later appointment no later than ``extension_limit``."""
    reason = text_required(reason, "lý do xin lỗi và gia hạn")
    if not isinstance(new_due_at, datetime) or timezone.is_naive(new_due_at):
        raise InvalidInput("Ngày hẹn trả mới không hợp lệ.", details={"field": "new_due_at"})
    now = timezone.now()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "extend")
        if locked.extension_count >= 1:
            raise Conflict(
                f"Hồ sơ {locked.code} đã được gia hạn một lần; chỉ được gia hạn một lần.",
                code="already_extended",
            )
        cal = handling_calendar(locked)
        assert locked.due_at is not None  # an open dossier has its appointment
        if working_time_between(cal, now, locked.due_at) < timedelta(hours=8):
            raise Conflict(
                "Chỉ được xin lỗi và hẹn lại trước ngày hẹn trả ít nhất 1 ngày làm việc (hẹn trả: "
                f"{locked.due_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}).",
                code="extension_too_late",
            )
        if new_due_at <= locked.due_at:
            raise InvalidInput(
                "Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại "
                f"({locked.due_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}).",
                details={"field": "new_due_at"},
            )
        limit, period = extension_limit(locked, cal)
        if new_due_at > limit:
            raise InvalidInput(
                f"Ngày hẹn trả mới muộn nhất là {limit.astimezone(VN_TZ):%H:%M %d/%m/%Y}: chỉ được "
                f"gia hạn thêm tối đa {period}, tính từ ngày hẹn trả hiện tại"
                f" ({locked.due_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}).",
                code="extension_too_long",
                details={"field": "new_due_at", "latest": limit.isoformat()},
            )
        DossierExtension.objects.create(
            dossier=locked,
            reason=reason,
            previous_due_at=locked.due_at,
            new_due_at=new_due_at,
            created_at=now,
            created_by=actor,
        )
        local = new_due_at.astimezone(VN_TZ)
        return finish(
            locked,
            action="extend",
            actor=actor,
            agency=acting_agency(roles, "extend"),
            changes={"due_at": new_due_at, "extension_count": locked.extension_count + 1},
            expected_version=locked.version,
            now=now,
            note=reason,
            data={"previous_due_at": locked.due_at, "new_due_at": new_due_at},
            ip=ip,
            notify=True,
            notify_text=f"Xin lỗi ông/bà vì sự chậm trễ; hẹn trả kết quả mới: {local:%H:%M ngày %d/%m/%Y}.",
        )


def dossier_finish(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    note: str = "",
    ip: str | None = None,
) -> Dossier:
    """The result is ready (status 9): timeliness is frozen; the dossier waits at the counter."""
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "finish")
        # The result is ready: the last step ends here (a citizen collecting later does not make
        # the officers late).
        end_step(locked.current_step, now, "finish", note)
        return finish(
            locked,
            action="finish",
            actor=actor,
            agency=acting_agency(roles, "finish"),
            changes={
                "state": State.FINISHED,
                "holder_agency_id": locked.receiving_agency_id,
                **freeze(locked, now),
            },
            expected_version=locked.version,
            now=now,
            note=note,
            ip=ip,
        )


def dossier_return_result(
    *,
    actor: Any,
    dossier: Dossier | str,
    expected_version: int | str | None,
    collected_by: str = "",
    postal_tracking: str = "",
    by_post: bool = False,
    ip: str | None = None,
) -> Dossier:
    """Return the result (status 10): to who collected it at the counter, or by post — with the
    number the post office gave (``postal_tracking``), or (``by_post`` without a number) through
    the postal operator's API, which gives it after the commit (``postal.consignment_for_result``)."""
    from motcua.dossiers import postal

    collected_by = (collected_by or "").strip()[:200]
    postal_tracking = postal.clean_number(postal_tracking) if (postal_tracking or "").strip() else ""
    by_post = by_post or bool(postal_tracking)
    now = timezone.now()
    with transaction.atomic():
        locked, roles = lock_for(actor, dossier, expected_version, "return-result")
        if locked.result_delivery == Dossier.ResultDelivery.POST and not collected_by:
            by_post = True
        if by_post and not postal_tracking and not postal.operator_configured():
            raise InvalidInput(
                "Vui lòng nhập mã bưu gửi.", code="required", details={"field": "postal_tracking"}
            )
        if locked.result_delivery == Dossier.ResultDelivery.COUNTER and not collected_by and not by_post:
            raise InvalidInput(
                "Vui lòng ghi họ tên người nhận kết quả.", code="required", details={"field": "collected_by"}
            )
        end_step(locked.current_step, now, "return_result")
        if by_post:
            postal.consignment_for_result(dossier=locked, number=postal_tracking, actor=actor, now=now)
            collected_by = ""
        return finish(
            locked,
            action="return-result",
            actor=actor,
            agency=acting_agency(roles, "return-result"),
            changes={
                "state": State.RETURNED,
                "returned_at": now,
                "collected_by": collected_by,
                "postal_tracking": postal_tracking,
                "holder": None,
            },
            expected_version=locked.version,
            now=now,
            data={"collected_by": collected_by, "postal_tracking": postal_tracking},
            ip=ip,
        )
