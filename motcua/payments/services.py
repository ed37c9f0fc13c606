"""Writes of the payments app: ask for a payment, take it (counter, transfer, gateway), confirm
what the gateway says, expire what it never confirmed, refund.

Locks are always taken in the same order — payment, then its request, then the dossier (inside
``dossier_record_payment``) — so that a gateway notice and a counter officer acting on one
dossier at once wait for each other instead of deadlocking. Whatever races, a request has one
successful payment: the conditional update of the request (``open`` → ``paid``) lets one writer
through, and the partial unique constraint ``payment_one_success`` holds behind it.

A payment succeeding records it on the dossier (``dossier_record_payment``, event data per
docs: ``method``, ``amount_vnd``, ``paid_online``) and issues its e-receipt (``_settle``): in the
officer's own transaction at the counter; for the gateway, by the task worker once the notice is
answered (``payment_confirm``, then ``payment_settle`` in ``tasks.settle_payment``), so that the
gateway's server waits only for its word to be recorded.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_record_payment, dossier_request_payment
from motcua.dossiers.services.frame import record_event
from motcua.dossiers.services.rules import check_action
from motcua.lib.errors import Conflict, InvalidInput, NotFound
from motcua.lib.text import money
from motcua.payments.fees import apply_reductions, fees_due, total_of
from motcua.payments.gateways import GatewayNotice, PaymentOrder, get_gateway
from motcua.payments.models import Payment, PaymentRequest, Refund
from motcua.payments.receipts import receipt_issue
from motcua.workcalendar.calendar import VN_TZ

logger = logging.getLogger(__name__)
State = Payment.State
Method = Payment.Method
UNFINISHED = (State.CREATED, State.STARTED)
# DuocThanhToanTrucTuyen of the national portal (legal-facts §7, indicator 3.6).
PAID_AT_COUNTER, PAID_VIA_NATIONAL_PORTAL, PAID_VIA_GATEWAY = 0, 1, 2
MAX_REFERENCE = 60


def new_txn_ref(now: datetime) -> str:
    """Ours, unique and unguessable: the local date then 10 random hex digits ("261206A1B2C3D4E5")."""
    return f"{now.astimezone(VN_TZ):%y%m%d}{secrets.token_hex(5).upper()}"


def default_due_by(now: datetime) -> datetime:
    """The end of the local day ``PAYMENT_DUE_DAYS`` calendar days from now."""
    day = (now.astimezone(VN_TZ) + timedelta(days=int(settings.PAYMENT_DUE_DAYS))).date()
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=VN_TZ)


# -- requests -------------------------------------------------------------------------------------


def payment_request_create(
    *,
    actor: Any,
    dossier: Dossier,
    expected_version: int | str | None,
    reductions: dict[int, tuple[int, str]] | None = None,
    purpose: str = "",
    due_by: datetime | None = None,
    ip: str | None = None,
    system: bool = False,
) -> PaymentRequest:
    """Ask the applicant of ``dossier`` to pay what it owes (status 6), less the exemptions and
    reductions given with their ground (``reductions[line index] = (amount, ground)``)."""
    now = timezone.now()
    if not system:  # who may ask is said first; the transition checks it again under the lock
        check_action(actor, dossier, "request-payment")
    lines = apply_reductions(fees_due(dossier), reductions or {})
    total = total_of(lines)
    if not lines:
        raise InvalidInput(
            "Thủ tục này không có khoản phí, lệ phí nào phải nộp (hoặc chưa có biểu phí của tỉnh).",
            code="no_fees",
        )
    if total <= 0:
        raise InvalidInput(
            "Sau khi miễn, giảm không còn khoản nào phải nộp: không cần yêu cầu nộp phí, lệ phí.",
            code="nothing_to_pay",
        )
    due_by = due_by or default_due_by(now)
    if due_by <= now:
        raise InvalidInput(
            "Hạn nộp phải sau thời điểm hiện tại.", code="due_by_past", details={"field": "due_by"}
        )
    purpose = (purpose or "").strip()[:300] or f"Nộp phí, lệ phí hồ sơ {dossier.code}"
    timing = Procedure.PaymentTiming.SUBMISSION if system else Procedure.PaymentTiming.APPRAISAL
    with transaction.atomic():
        updated = dossier_request_payment(
            actor=actor,
            dossier=dossier,
            expected_version=expected_version,
            amount_vnd=total,
            note=purpose,
            ip=ip,
            data={"lines": lines, "due_by": due_by.isoformat(), "purpose": purpose},
            system=system,
        )
        # The dossier was not waiting for payment, so an open request of it is stale (the dossier
        # left the payment state some other way): closed, not reused.
        PaymentRequest.objects.filter(dossier=updated, state=PaymentRequest.State.OPEN).update(
            state=PaymentRequest.State.CANCELLED
        )
        return PaymentRequest.objects.create(
            dossier=updated,
            agency_id=updated.handling_agency_id,
            lines=lines,
            total_vnd=total,
            purpose=purpose,
            timing=timing,
            due_by=due_by,
            requested_at=now,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        )


def request_at_reception(dossier: Dossier) -> Dossier | None:
    """The hook of ``dossier_receive`` (motcua/dossiers/services/hooks.py): an online dossier of a
    procedure paid at submission is asked to pay as soon as it is received. Nothing when the
    procedure is paid after appraisal, or owes nothing."""
    if dossier.channel != Dossier.Channel.ONLINE:
        return None
    if dossier.procedure.payment_timing != Procedure.PaymentTiming.SUBMISSION:
        return None
    if total_of(fees_due(dossier)) <= 0:
        return None
    request = payment_request_create(
        actor=None, dossier=dossier, expected_version=dossier.version, system=True
    )
    return request.dossier


# -- taking a payment -----------------------------------------------------------------------------


def _lock_open_request(request: PaymentRequest | int) -> PaymentRequest:
    pk = request.pk if isinstance(request, PaymentRequest) else request
    locked = PaymentRequest.objects.select_for_update().select_related("dossier").filter(pk=pk).first()
    if locked is None:
        raise NotFound("Không tìm thấy yêu cầu nộp phí, lệ phí.", code="payment_request_not_found")
    if locked.state != PaymentRequest.State.OPEN:
        raise Conflict(
            f"Yêu cầu nộp phí, lệ phí của hồ sơ {locked.dossier.code} {locked.get_state_display().lower()}.",
            code="payment_request_closed",
        )
    return locked


def _succeed(
    payment: Payment,
    request: PaymentRequest,
    *,
    actor: Any,
    now: datetime,
    ip: str | None,
    expected_version: int | str | None = None,
) -> Payment:
    """Inside the caller's transaction, with ``request`` locked and open (an officer records a
    payment): the payment succeeds, the request is paid, the dossier records it, the receipt is
    issued — all at once."""
    closed = PaymentRequest.objects.filter(pk=request.pk, state=PaymentRequest.State.OPEN).update(
        state=PaymentRequest.State.PAID, paid_at=now
    )
    if closed != 1:  # never under the lock; kept so that a forgotten lock fails loudly
        raise Conflict("Yêu cầu nộp phí, lệ phí đã được nộp.", code="payment_request_closed")
    payment.state, payment.finished_at, payment.settled_at = State.SUCCESS, now, now
    payment.save()
    _settle(payment, request, actor=actor, now=now, ip=ip, expected_version=expected_version)
    return payment


def _settle(
    payment: Payment,
    request: PaymentRequest,
    *,
    actor: Any,
    now: datetime,
    ip: str | None,
    expected_version: int | str | None = None,
) -> None:
    """What a successful payment of ``request`` brings: the dossier records the payment (its clock
    starts again) and the e-receipt is numbered. The caller marks the payment settled. The system
    (``actor`` None) acts on the dossier as it is under its lock, whatever version."""
    dossier = dossier_record_payment(
        actor=actor,
        dossier=request.dossier,
        expected_version=expected_version,
        note=f"{payment.get_method_display()}: {money(payment.amount_vnd)}"
        + (f", chứng từ số {payment.receipt_number}" if payment.receipt_number else ""),
        ip=ip,
        data={"method": payment.method, "amount_vnd": payment.amount_vnd, "paid_online": payment.paid_online},
        system=actor is None,
    )
    receipt_issue(payment, request, dossier, now=now)


def _reference(value: object, what: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"Vui lòng nhập {what}.", code="required", details={"field": "receipt_number"})
    if len(text) > MAX_REFERENCE:
        raise InvalidInput(
            f"{what.capitalize()} dài quá {MAX_REFERENCE} ký tự.",
            code="too_long",
            details={"field": "receipt_number"},
        )
    return text


def payment_record_counter(
    *,
    actor: Any,
    request: PaymentRequest | int,
    method: str,
    receipt_number: object,
    expected_version: int | str | None,
    ip: str | None = None,
) -> Payment:
    """The applicant paid at the counter (cash or card: ``receipt_number`` is the counter's
    receipt or the card slip), or the officer confirms a transfer seen on the account
    (``transfer``: ``receipt_number`` is the bank's reference). Only an officer who may record
    the payment on the dossier (the counter, or the holder of its step) does it."""
    if method not in (Method.CASH, Method.CARD, Method.TRANSFER):
        raise InvalidInput("Hình thức nộp không hợp lệ.", code="method_invalid", details={"field": "method"})
    what = "mã giao dịch ngân hàng" if method == Method.TRANSFER else "số biên lai hoặc số hóa đơn thẻ"
    reference = _reference(receipt_number, what)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_open_request(request)
        payment = Payment(
            request=locked,
            method=method,
            amount_vnd=locked.total_vnd,
            txn_ref=new_txn_ref(now),
            paid_online=PAID_AT_COUNTER,
            receipt_number=reference,
            created_at=now,
            recorded_by=actor,
        )
        return _succeed(payment, locked, actor=actor, now=now, ip=ip, expected_version=expected_version)


def payment_start_gateway(
    *, citizen: Any, request: PaymentRequest, client_ip: str, return_url: str
) -> tuple[Payment, str]:
    """A new gateway attempt for an open request (the caller checked the citizen sees the
    dossier): the payment, started, and the URL to send the citizen's browser to."""
    now = timezone.now()
    if request.state != PaymentRequest.State.OPEN:
        raise Conflict("Hồ sơ này không còn khoản phí, lệ phí nào chờ nộp.", code="payment_request_closed")
    gateway = get_gateway()
    payment = Payment.objects.create(
        request=request,
        method=Method.GATEWAY,
        state=State.STARTED,
        amount_vnd=request.total_vnd,
        txn_ref=new_txn_ref(now),
        paid_online=PAID_VIA_GATEWAY,
        gateway=gateway.name,
        client_ip=client_ip or None,
        created_at=now,
        expires_at=now + timedelta(minutes=int(settings.PAYMENT_EXPIRY_MINUTES)),
        recorded_by=citizen if getattr(citizen, "is_authenticated", False) else None,
    )
    assert payment.expires_at is not None
    order = PaymentOrder(
        txn_ref=payment.txn_ref,
        amount_vnd=payment.amount_vnd,
        # ASCII-only and short: gateways mangle other letters (VNPay asks for no accents).
        order_info=f"Thanh toan phi le phi ho so {request.dossier.code}",
        created_at=now,
        expires_at=payment.expires_at,
        client_ip=client_ip or "127.0.0.1",
        return_url=return_url,
    )
    return payment, gateway.redirect_url(order)


# -- what the gateway says -------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """The answer to a gateway notice: VNPay's ``RspCode`` and the payment it concerned."""

    code: str  # "00" recorded, "01" not found, "02" already confirmed, "04" wrong amount, "99" other
    payment_id: int | None = None
    settle: bool = False  # a success to bring onto the dossier next (``payment_settle``)

    MESSAGES = {  # the gateway's own words: this answer is read by its server, not by a person
        "00": "Confirm Success",
        "01": "Order not found",
        "02": "Order already confirmed",
        "04": "invalid amount",
        "97": "Invalid signature",
        "99": "Unknow error",
    }

    @property
    def message(self) -> str:
        return self.MESSAGES[self.code]


# The notice's hot path in plain SQL: the payment's row under its lock, the request closed, the
# payment finished (succeeded, failed, or in error). They are the ORM's
#   Payment.objects.select_for_update().filter(txn_ref=…, method="gateway")
#   PaymentRequest.objects.filter(pk=…, state="open")
#       .filter(Exists(Dossier.objects.filter(pk=OuterRef("dossier_id"), state="payment"))).update(…)
#   Payment.objects.filter(pk=…).update(…)
# whose build cost more CPU than the statements themselves (test_ipn.py and test_services.py hold
# the answers; test_concurrency.py the locks on PostgreSQL). Table names come from the models'
# metadata, never from input; values are parameters.
_CONFIRM_SQL: dict[str, tuple[str, str, str]] = {}


def _confirm_sql() -> tuple[str, str, str]:
    sql = _CONFIRM_SQL.get(connection.vendor)
    if sql is None:
        qn = connection.ops.quote_name
        payment, request = qn(Payment._meta.db_table), qn(PaymentRequest._meta.db_table)
        dossier = qn(Dossier._meta.db_table)
        locking = " FOR UPDATE" if connection.features.has_select_for_update else ""
        sql = _CONFIRM_SQL[connection.vendor] = (
            f"SELECT id, request_id, state, amount_vnd FROM {payment} "  # noqa: S608
            f"WHERE txn_ref = %s AND method = %s{locking}",
            f"UPDATE {request} SET state = %s, paid_at = %s WHERE id = %s AND state = %s "  # noqa: S608
            f"AND EXISTS (SELECT 1 FROM {dossier} WHERE id = {request}.dossier_id AND state = %s)",
            f"UPDATE {payment} SET state = %s, finished_at = %s, response_code = %s, "  # noqa: S608
            "gateway_transaction_no = %s, bank_code = %s WHERE id = %s",
        )
    return sql


def payment_confirm(*, notice: GatewayNotice, ip: str | None = None) -> Confirmation:
    """Record what the gateway's signed notice (IPN, or the answer to a query) says of one of our
    payments. Idempotent: the same notice again answers "02" and changes nothing.

    Success only when the gateway says so (``notice.succeeded``) and the amount is ours to the
    đồng (else "04", audited, nothing paid). A later success wins over an earlier failure,
    cancellation or expiry; a failure never undoes a success.

    This is the gateway's word, recorded in one short transaction: the payment succeeds and its
    request is paid (closed to any other payment, under the request's row lock). What follows on
    the dossier — the event, the clock, the receipt — is ``payment_settle``: the task worker runs it
    (the IPN queues it once its answer is sent), and ``payments_settle_pending`` catches up a
    payment whose settling was lost."""
    select, close_request, finish = _confirm_sql()
    # The time as the ORM stores it (SQLite: naive UTC).
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    gateway = [notice.response_code[:10], notice.gateway_transaction_no[:40], notice.bank_code[:20]]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(select, [notice.txn_ref, Method.GATEWAY])
        row = cursor.fetchone()
        if row is None:
            return Confirmation("01")
        payment_id, request_id, state, amount_vnd = row
        if notice.amount_vnd != amount_vnd:
            audit_record(
                action="payment.wrong_amount",
                obj=Payment.objects.get(pk=payment_id),
                extra={"txn_ref": notice.txn_ref, "expected": amount_vnd, "notified": notice.amount_vnd},
                ip=ip,
            )
            return Confirmation("04", payment_id)
        if state == State.SUCCESS:
            return Confirmation("02", payment_id)
        if not notice.succeeded:
            if state in UNFINISHED:
                cursor.execute(finish, [State.FAILED, at, *gateway, payment_id])
                return Confirmation("00", payment_id)
            return Confirmation("02", payment_id)
        # The request closes to every other payment here (the counter's own path locks it first
        # and finds it paid); a dossier that no longer waits for payment (withdrawn, stopped)
        # does not take the money. (Conditions on the request's own row, so that an update waiting
        # behind the counter's lock re-reads them; the dossier's state in a subquery, not a join.)
        cursor.execute(
            close_request,
            [PaymentRequest.State.PAID, at, request_id, PaymentRequest.State.OPEN, Dossier.State.PAYMENT],
        )
        if cursor.rowcount != 1:
            # Paid meanwhile another way (the counter, another attempt), or the dossier no longer
            # waits for payment: the money is ours to give back.
            cursor.execute(finish, [State.ERROR, at, *gateway, payment_id])
            payment = Payment.objects.get(pk=payment_id)
            payment.note = "Đã nộp bằng cách khác trước đó: cần hoàn trả khoản này."
            payment.save(update_fields=["note"])
            audit_record(action="payment.paid_twice", obj=payment, extra={"txn_ref": payment.txn_ref}, ip=ip)
            return Confirmation("02", payment_id)
        cursor.execute(finish, [State.SUCCESS, at, *gateway, payment_id])
        return Confirmation("00", payment_id, settle=True)


def payment_settle(payment: Payment | int, *, ip: str | None = None) -> bool:
    """Bring a gateway payment's success onto the dossier (``_settle``) once, whoever asks first:
    the task worker after the IPN's answer, the polling job, the catch-up. False when there was
    nothing to do."""
    pk = payment.pk if isinstance(payment, Payment) else payment
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("request")
            .filter(pk=pk, state=State.SUCCESS, settled_at__isnull=True)
            .first()
        )
        if locked is None:
            return False
        try:
            with transaction.atomic():
                now = timezone.now()
                _settle(locked, locked.request, actor=None, now=now, ip=ip)
                locked.settled_at = now
                locked.save(update_fields=["settled_at"])
        except Conflict as exc:
            # The dossier moved on between the notice and now (withdrawn, stopped in the same
            # instant): the money is ours to give back, and the request waits again.
            PaymentRequest.objects.filter(pk=locked.request_id).update(
                state=PaymentRequest.State.OPEN, paid_at=None
            )
            locked.state = State.ERROR
            locked.note = "Hồ sơ không còn chờ nộp phí khi ghi nhận: cần hoàn trả khoản này."
            locked.save(update_fields=["state", "note"])
            audit_record(
                action="payment.unsettled",
                obj=locked,
                extra={"txn_ref": locked.txn_ref, "reason": str(exc)},
                ip=ip,
            )
            return False
        return True


def payments_settle_pending(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduler's catch-up (job "payments-settle"): settle each gateway payment that
    succeeded over a minute ago and is still unsettled (index ``payment_unsettled``). One that
    cannot be settled (the dossier changed in between) is logged and left for an officer."""
    now = now or timezone.now()
    pending = Payment.objects.filter(
        state=State.SUCCESS, settled_at__isnull=True, finished_at__lte=now - timedelta(minutes=1)
    ).values_list("pk", flat=True)
    counts = {"settled": 0, "failed": 0}
    for pk in list(pending[: settings.PAYMENT_POLL_BATCH]):
        try:
            counts["settled"] += payment_settle(pk)
        except Exception:
            logger.exception("payments-settle: payment %s not settled", pk)
            counts["failed"] += 1
    return counts


def payment_expire(*, payment: Payment | int, now: datetime | None = None) -> bool:
    """Expire one unfinished payment past its time (conditional update: a notice that confirmed
    it meanwhile wins). True when it expired."""
    now = now or timezone.now()
    pk = payment.pk if isinstance(payment, Payment) else payment
    return (
        Payment.objects.filter(pk=pk, state__in=UNFINISHED, expires_at__lte=now).update(
            state=State.EXPIRED, finished_at=now
        )
        == 1
    )


def payments_expire() -> int:
    """The scheduler's job: expire every unfinished payment past its 90 minutes."""
    now = timezone.now()
    expired = 0
    for pk in Payment.objects.filter(state__in=UNFINISHED, expires_at__lte=now).values_list("pk", flat=True):
        expired += payment_expire(payment=pk, now=now)
    return expired


def payment_cancel(*, payment: Payment) -> bool:
    """The citizen gave up at the gateway (its return says so): cancelled unless confirmed since."""
    return (
        Payment.objects.filter(pk=payment.pk, state__in=UNFINISHED).update(
            state=State.CANCELLED, finished_at=timezone.now()
        )
        == 1
    )


def refund_record(
    *, actor: Any, payment: Payment, amount_vnd: object, reason: object, ip: str | None = None
) -> Refund:
    """Money given back against a successful payment (or one taken twice), never more than it."""
    if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
        raise InvalidInput("Số tiền hoàn phải là số nguyên dương (đồng).", details={"field": "amount_vnd"})
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput("Vui lòng ghi lý do hoàn trả.", code="required", details={"field": "reason"})
    now = timezone.now()
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.state not in (State.SUCCESS, State.ERROR):
            raise Conflict("Chỉ hoàn trả khoản đã thu được.", code="refund_not_paid")
        already = sum(locked.refunds.values_list("amount_vnd", flat=True))
        if already + amount_vnd > locked.amount_vnd:
            raise InvalidInput(
                f"Số tiền hoàn vượt số đã thu: còn có thể hoàn tối đa {money(locked.amount_vnd - already)}.",
                code="refund_too_large",
                details={"field": "amount_vnd"},
            )
        refund = Refund.objects.create(
            payment=locked, amount_vnd=amount_vnd, reason=text[:300], refunded_at=now, recorded_by=actor
        )
        dossier = locked.request.dossier
        audit_record(
            action="payment.refund",
            actor=actor,
            obj=locked,
            chain=dossier.handling_agency.code,
            extra={"code": dossier.code, "amount_vnd": amount_vnd, "reason": text},
            ip=ip,
        )
        record_event(
            dossier,
            action="refund-payment",
            actor=actor,
            agency_id=dossier.handling_agency_id,
            at=now,
            note=text,
            data={"amount_vnd": amount_vnd, "reason": text},
        )
        return refund
