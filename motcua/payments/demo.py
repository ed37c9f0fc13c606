"""The demo's payments (``manage.py demo_load``): every demo dossier waiting for payment gets its
payment request (the demo's dossiers are written in bulk, motcua/dossiers/demo, their request
only as an event), a tariff line of the province priced at its amount, and of those requests one
is paid at the counter, one through the gateway (the VNPay stand-in's confirmation, as
``make vnpay-demo`` would send it). Running it again changes nothing."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import action_permitted
from motcua.org.demo import refuse_outside_development, say
from motcua.org.models import Membership
from motcua.payments.gateways import GatewayNotice
from motcua.payments.gateways.vnpay import vnp_time
from motcua.payments.models import FeeTariff, Payment, PaymentRequest
from motcua.payments.services import (
    payment_confirm,
    payment_record_counter,
    payment_settle,
    payment_start_gateway,
)
from motcua.payments.testing.vnpay_standin import DEMO_KNOWN_FILE, Transaction

DEMO_RESOLUTION = "01/2026/NQ-HĐND (minh họa)"


def build_demo_payments(*, stdout=None) -> dict[str, int]:
    refuse_outside_development()
    waiting = list(
        Dossier.objects.filter(state=Dossier.State.PAYMENT, payment_requests__isnull=True)
        .select_related("handling_agency", "receiving_agency")
        .order_by("code")
    )
    if not waiting:
        say(stdout, "Thanh toán mẫu: không có hồ sơ chờ nộp phí mới, bỏ qua.")
        return {"requests": 0, "paid": 0}
    asked_at = dict(
        DossierEvent.objects.filter(dossier__in=waiting, action="request-payment")
        .order_by("at")
        .values_list("dossier_id", "at")
    )
    days = int(settings.PAYMENT_DUE_DAYS)
    with transaction.atomic():
        requests = []
        for d in waiting:
            amount = d.fee_due_vnd or 100_000
            FeeTariff.objects.get_or_create(
                procedure=d.procedure, kind=FeeTariff.Kind.FEE, amount_vnd=amount,
                defaults={"description": "Lệ phí giải quyết thủ tục", "resolution_number": DEMO_RESOLUTION,
                          "resolution_date": date(2026, 1, 15), "effective_from": date(2026, 1, 1)},
            )  # fmt: skip
            at = asked_at.get(d.pk) or timezone.now()
            line = {
                "label": "Lệ phí giải quyết thủ tục",
                "kind": "fee",
                "amount_vnd": amount,
                "reduction_vnd": 0,
                "ground": "",
                "basis": f"Nghị quyết số {DEMO_RESOLUTION} của HĐND tỉnh",
            }
            requests.append(
                PaymentRequest(
                    dossier=d,
                    agency=d.handling_agency,
                    lines=[line],
                    total_vnd=amount,
                    timing="appraisal",
                    purpose=f"Nộp phí, lệ phí hồ sơ {d.code}",
                    due_by=at + timedelta(days=days),
                    requested_at=at,
                )  # fmt: skip
            )
        PaymentRequest.objects.bulk_create(requests)
    paid = 0
    by_counter = next((r for r in requests if _receptionist(r.dossier)), None)
    if by_counter is not None:
        d = Dossier.objects.get(pk=by_counter.dossier_id)
        payment_record_counter(
            actor=_receptionist(d), request=by_counter.pk, method=Payment.Method.CASH,
            receipt_number="BL-DEMO-0001", expected_version=d.version,
        )  # fmt: skip
        paid += 1
    online = next((r for r in requests if r is not by_counter and r.dossier.owner_id), None) or next(
        (r for r in requests if r is not by_counter), None
    )
    if online is not None:
        pay_through_the_gateway(online)
        paid += 1
    say(
        stdout,
        f"Thanh toán mẫu: {len(requests)} yêu cầu nộp phí, {paid} đã nộp (tại quầy, qua cổng thanh toán).",
    )
    return {"requests": len(requests), "paid": paid}


def pay_through_the_gateway(request: PaymentRequest) -> Payment:
    """``request`` paid through the gateway as the stand-in would confirm it, without it (it is not
    running while the demo loads): the IPN's word, the dossier's side, and the stand-in's record
    written for make run (``write_known_to_standin``)."""
    payment, _ = payment_start_gateway(
        citizen=request.dossier.owner,
        request=request,
        client_ip="127.0.0.1",
        return_url="http://127.0.0.1:8000/",
    )
    # What the stand-in's IPN says when the citizen presses "Thanh toán thành công", then what
    # the IPN does once it has answered.
    confirmation = payment_confirm(
        notice=GatewayNotice(
            txn_ref=payment.txn_ref,
            amount_vnd=payment.amount_vnd,
            succeeded=True,
            response_code="00",
            transaction_status="00",
            gateway_transaction_no="13990001",  # not in the stand-in's series (14000001…)
            bank_code="NCB",
            paid_at=timezone.now(),
        )
    )
    payment_settle(confirmation.payment_id or payment)
    payment = Payment.objects.get(pk=payment.pk)
    write_known_to_standin([payment])
    return payment


def write_known_to_standin(payments: list[Payment]) -> Path:
    """The demo's gateway payments as the stand-in of `make run` starts with them (``--known``),
    so that its statement of the day has them too and ``payments_reconcile`` agrees."""
    path = Path(settings.BASE_DIR) / DEMO_KNOWN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [
        asdict(
            Transaction(
                txn_ref=p.txn_ref,
                amount_vnd=p.amount_vnd,
                order_info="",  # not in the statement
                create_date=vnp_time(p.created_at),
                expire_date=vnp_time(p.expires_at or p.created_at),
                ip_addr="127.0.0.1",
                return_url="http://127.0.0.1:8000/",
                transaction_no=p.gateway_transaction_no,
                response_code="00",
                transaction_status="00",
                pay_date=vnp_time(p.finished_at or p.created_at),
            )
        )
        for p in payments
    ]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _receptionist(dossier: Dossier):
    """A counter officer who may record the dossier's payment (the demo's first one found)."""
    for membership in Membership.objects.filter(
        role=Membership.Role.RECEPTIONIST, active=True
    ).select_related("user"):
        if action_permitted(membership.user, dossier, "record-payment"):
            return membership.user
    return None
