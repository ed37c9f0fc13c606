"""Asking the gateway about payments it never told us about (settings SCHEDULER_JOBS "payments-poll").

The IPN is the authority, but it can be lost (our server down, a network fault, the gateway giving
up its retries). Every few minutes this job asks the gateway's query API (VNPay's querydr) about
each gateway payment still unfinished PAYMENT_POLL_AFTER_MINUTES after it began, and about those
that expired in the last PAYMENT_POLL_AFTER_MINUTES (a success the gateway recorded just before our
expiry still counts: a later success wins). The answer goes through `payment_confirm`, the IPN's own
path, so a payment is never recorded twice whichever arrives first; an attempt the gateway does not
know, or has not finished, expires when its 90 minutes are over.

The gateway is called outside any transaction and without holding a lock; one payment's failure
(gateway unreachable, a reply that is not signed) is logged and retried at the next run.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.payments.gateways import BadSignature, Gateway, GatewayError, get_gateway
from motcua.payments.models import Payment
from motcua.payments.services import UNFINISHED, payment_confirm, payment_expire, payment_settle

logger = logging.getLogger(__name__)
# VNPay's vnp_TransactionStatus "01": the customer has not finished (still on the gateway's page).
NOT_FINISHED = "01"


def payments_to_poll(*, now: datetime) -> QuerySet[Payment]:
    """Gateway payments worth asking about now, oldest first (index payment_unfinished)."""
    window = timedelta(minutes=settings.PAYMENT_POLL_AFTER_MINUTES)
    return (
        Payment.objects.filter(method=Payment.Method.GATEWAY)
        .filter(
            Q(state__in=UNFINISHED, created_at__lte=now - window)
            | Q(state=Payment.State.EXPIRED, finished_at__gte=now - window)
        )
        .order_by("created_at", "pk")
    )


def poll_payment(payment: Payment, *, gateway: Gateway, now: datetime) -> str:
    """Asks the gateway about one payment and applies the answer; returns what happened."""
    try:
        notice = gateway.query(
            txn_ref=payment.txn_ref, created_at=payment.created_at, client_ip=payment.client_ip or "127.0.0.1"
        )
    except BadSignature:
        logger.warning("payments-poll: the gateway's answer about %s is not signed", payment.txn_ref)
        audit_record(action="payment.query_bad_signature", obj=payment, extra={"txn_ref": payment.txn_ref})
        return "bad_signature"
    except GatewayError as exc:
        logger.warning("payments-poll: gateway not asked about %s: %s", payment.txn_ref, exc)
        return "unreachable"
    if notice is None or notice.transaction_status == NOT_FINISHED:
        if payment.state in UNFINISHED and payment_expire(payment=payment, now=now):
            return "expired"
        return "unknown" if notice is None else "pending"
    if not notice.succeeded and payment.state == Payment.State.EXPIRED:
        return "pending"  # a failure adds nothing to an expiry
    confirmation = payment_confirm(notice=notice)
    if confirmation.settle:
        payment_settle(payment)
    return f"confirmed_{confirmation.code}"


def poll_unfinished_payments(*, now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """The scheduler's job: counts of what happened, e.g. {"confirmed_00": 1, "expired": 2}."""
    now = now or timezone.now()
    gateway = get_gateway()
    outcomes: Counter[str] = Counter()
    for payment in payments_to_poll(now=now)[: limit or settings.PAYMENT_POLL_BATCH]:
        outcomes[poll_payment(payment, gateway=gateway, now=now)] += 1
    return dict(outcomes)
