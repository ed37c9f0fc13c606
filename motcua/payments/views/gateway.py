"""The gateway's two ways back to us.

- ``ipn`` (``GET /thanh-toan/vnpay/ipn``): the gateway's server tells ours what happened. It is the
  authority: the only place a gateway payment becomes a success (``payment_confirm``). It answers
  the gateway's JSON ``{"RspCode", "Message"}`` and nothing else: no session, no CSRF token (the
  caller is a server, authenticated by the signature), no page. Once the answer is sent, the
  task worker is asked to bring the success onto the dossier (``tasks.settle_payment``): the
  gateway never waits for that bookkeeping, and a burst of notices never competes with it.
- ``result`` (``GET /thanh-toan/vnpay/ket-qua``): the citizen's browser comes back. It only
  displays what we recorded (the IPN may arrive a moment later: the page says "đang chờ xác nhận").
"""

from __future__ import annotations

import logging
from functools import partial

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from motcua.audit.services import audit_record
from motcua.dossiers.models import Dossier
from motcua.dossiers.visibility import citizen_visible_q
from motcua.lib.afterwards import after_response
from motcua.lib.clients import client_ip
from motcua.payments.gateways import BadSignature, get_gateway
from motcua.payments.models import Payment
from motcua.payments.services import Confirmation, payment_confirm
from motcua.payments.tasks import settle_payment

logger = logging.getLogger(__name__)
MAX_PARAMS = 40  # VNPay sends about fifteen; more is not the gateway


def _answer(code: str) -> JsonResponse:
    return JsonResponse({"RspCode": code, "Message": Confirmation.MESSAGES[code]})


@csrf_exempt
@require_GET
def ipn(request: HttpRequest) -> HttpResponse:
    params = {key: request.GET.get(key, "") for key in list(request.GET.keys())[:MAX_PARAMS]}
    ip = client_ip(request)
    try:
        notice = get_gateway().parse_notice(params)
    except BadSignature as exc:
        audit_record(
            action="payment.bad_signature",
            object_type="payment",
            object_id=params.get("vnp_TxnRef", "")[:40],
            extra={"reason": str(exc), "params": {k: v[:200] for k, v in params.items()}},
            ip=ip,
        )
        return _answer("97")
    try:
        confirmation = payment_confirm(notice=notice, ip=ip)
    except Exception:  # the gateway retries on 99: log it, never show it a page
        logger.exception("IPN %s không ghi nhận được", notice.txn_ref)
        return _answer("99")
    response = _answer(confirmation.code)
    if confirmation.settle:
        assert confirmation.payment_id is not None
        after_response(response, partial(_queue_settle, confirmation.payment_id, ip))
    return response


def _queue_settle(payment_id: int, ip: str | None) -> None:
    """Queue the dossier's side of a success once the gateway has its answer (the scheduler's
    "payments-settle" catches up one whose task was lost)."""
    try:
        settle_payment.enqueue(payment_id, ip)
    except Exception:
        logger.exception("IPN: chưa xếp được việc ghi nhận thanh toán %s vào hồ sơ", payment_id)


@never_cache
@login_required
@require_GET
def result(request: HttpRequest) -> HttpResponse:
    txn_ref = request.GET.get("vnp_TxnRef", "")[:40]
    payment = (
        Payment.objects.filter(txn_ref=txn_ref, request__dossier__in=_visible(request))
        .select_related("request__dossier", "receipt")
        .first()
        if txn_ref
        else None
    )
    signed = True
    try:
        notice = get_gateway().parse_notice(request.GET.dict())
    except BadSignature:
        signed, notice = False, None
    context = {
        "payment": payment,
        "dossier": payment.request.dossier if payment else None,
        "signed": signed,
        "gateway_says_success": bool(notice and notice.succeeded),
        "pending": payment is not None and payment.state in (Payment.State.CREATED, Payment.State.STARTED),
        # A success whose receipt is being issued (the worker's settling, a moment after the IPN).
        "settling": payment is not None
        and payment.state == Payment.State.SUCCESS
        and payment.settled_at is None,
    }
    return render(request, "payments/result.html", context, status=200 if payment else 404)


def _visible(request: HttpRequest) -> QuerySet:
    return Dossier.objects.filter(citizen_visible_q(request.user)).values("pk")
