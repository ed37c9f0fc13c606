"""The officer's payment page of one dossier, ``/thu-phi/<code>/``: ask for payment (the lines
computed from the dossier's fees or the province's tariff, with exemptions and reductions and
their ground), take it at the counter (cash, card) or confirm a transfer, refund, print receipts.

Jurisdiction through ``dossier_for_staff`` (a dossier outside it is the 404 page, audited); each
action is offered only to who may take it (``action_permitted``), and the service checks again.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_for_staff
from motcua.dossiers.services import action_permitted
from motcua.dossiers.services.rules import Roles
from motcua.dossiers.views.backoffice import staff_required
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError, NotFound
from motcua.lib.text import money
from motcua.org.models import Membership
from motcua.payments import selectors
from motcua.payments.fees import fees_due
from motcua.payments.forms import CounterPaymentForm, RefundForm, RequestForm
from motcua.payments.models import Payment
from motcua.payments.receipts import receipt_pdf
from motcua.payments.services import payment_record_counter, payment_request_create, refund_record
from motcua.payments.views import request_context
from motcua.workcalendar.calendar import VN_TZ

Role = Membership.Role
REFUNDERS = frozenset({Role.RECEPTIONIST, Role.LEADER, Role.DIRECTOR})


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return dossier_for_staff(request.user, code, ip=client_ip(request))  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(exc.message) from exc


def may_refund(user: Any, dossier: Dossier) -> bool:
    """The counter or a leader of the receiving or the handling agency."""
    roles = Roles(user, dossier)
    return bool((roles.at(dossier.receiving_agency_id) | roles.at(dossier.handling_agency_id)) & REFUNDERS)


def _render(
    request: HttpRequest,
    dossier: Dossier,
    *,
    request_form: RequestForm | None = None,
    counter_form: CounterPaymentForm | None = None,
    refund_form: RefundForm | None = None,
    refund_txn: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    open_request = selectors.open_request(dossier)
    context: dict[str, Any] = {
        "dossier": dossier,
        **request_context(dossier, open_request or selectors.latest_request(dossier)),
        "error": error,
        "refund_txn": refund_txn,
        "due_days": settings.PAYMENT_DUE_DAYS,
    }
    if open_request is None and action_permitted(user, dossier, "request-payment"):
        lines = fees_due(dossier)
        for line in lines:
            line["amount_text"] = money(line["amount_vnd"])
        context["due_lines"] = lines
        context["request_form"] = request_form or RequestForm(
            lines=lines, initial={"version": dossier.version}
        )
    if open_request is not None and action_permitted(user, dossier, "record-payment"):
        context["counter_form"] = counter_form or CounterPaymentForm(initial={"version": dossier.version})
    if may_refund(user, dossier):
        context["refund_form"] = refund_form or RefundForm()
        context["refundable"] = [
            p for p in context["payments"] if p.state in (Payment.State.SUCCESS, Payment.State.ERROR)
        ]
    return render(request, "payments/staff.html", context, status=status)


@never_cache
@require_GET
@staff_required
def page(request: HttpRequest, code: str) -> HttpResponse:
    return _render(request, _dossier(request, code))


@require_POST
@staff_required
def ask(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    form = RequestForm(request.POST, lines=fees_due(dossier))
    if not form.is_valid():
        return _render(request, dossier, request_form=form, status=400)
    due = form.cleaned_data["due_by"]
    try:
        made = payment_request_create(
            actor=request.user,
            dossier=dossier,
            expected_version=form.cleaned_data["version"],
            reductions=form.reductions(),
            purpose=form.cleaned_data["purpose"],
            due_by=datetime.combine(due, time(23, 59, 59), tzinfo=VN_TZ) if due else None,
            ip=client_ip(request),
        )
    except DomainError as exc:
        return _render(request, dossier, request_form=form, error=exc.message, status=exc.status)
    messages.success(request, f"Đã yêu cầu nộp {money(made.total_vnd)} cho hồ sơ {dossier.code}.")
    return redirect("payments:staff", code=dossier.code)


@require_POST
@staff_required
def take(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    form = CounterPaymentForm(request.POST)
    open_request = selectors.open_request(dossier)
    if not form.is_valid():
        return _render(request, dossier, counter_form=form, status=400)
    if open_request is None:
        return _render(
            request, dossier, error="Hồ sơ này không có khoản phí, lệ phí nào chờ nộp.", status=409
        )
    try:
        payment = payment_record_counter(
            actor=request.user,
            request=open_request,
            method=form.cleaned_data["method"],
            receipt_number=form.cleaned_data["receipt_number"],
            expected_version=form.cleaned_data["version"],
            ip=client_ip(request),
        )
    except DomainError as exc:
        return _render(request, dossier, counter_form=form, error=exc.message, status=exc.status)
    messages.success(
        request,
        f"Đã ghi nhận nộp {money(payment.amount_vnd)}, hình thức: {payment.get_method_display()}; "
        f"biên lai số {payment.receipt.number:07d}.",
    )
    return redirect("payments:staff", code=dossier.code)


@require_POST
@staff_required
def refund(request: HttpRequest, code: str, txn_ref: str) -> HttpResponse:
    dossier = _dossier(request, code)
    if not may_refund(request.user, dossier):
        return _render(
            request, dossier, error="Bạn không có quyền ghi nhận hoàn trả cho hồ sơ này.", status=403
        )
    payment = next((p for p in selectors.payments_of(dossier) if p.txn_ref == txn_ref), None)
    if payment is None:
        raise Http404("Không tìm thấy lần thanh toán.")
    form = RefundForm(request.POST)
    if not form.is_valid():
        return _render(request, dossier, refund_form=form, refund_txn=txn_ref, status=400)
    try:
        done = refund_record(
            actor=request.user,
            payment=payment,
            amount_vnd=form.cleaned_data["amount_vnd"],
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except DomainError as exc:
        return _render(
            request, dossier, refund_form=form, refund_txn=txn_ref, error=exc.message, status=exc.status
        )
    messages.success(request, f"Đã ghi nhận hoàn trả {money(done.amount_vnd)}.")
    return redirect("payments:staff", code=dossier.code)


@never_cache
@require_GET
@staff_required
@csp_override({})  # a PDF, not a page
def receipt(request: HttpRequest, code: str, number: int) -> HttpResponse:
    dossier = _dossier(request, code)
    try:
        found = selectors.receipt_of(dossier, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(receipt_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, f"bien-lai-{found.number:07d}.pdf") or ""
    )
    return response
